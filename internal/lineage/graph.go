package lineage

import (
	"cmp"
	"slices"

	"github.com/lamin-go/lamin/record"
)

// The graph's records are the record package's types.
type (
	Kind       = record.Kind
	Root       = record.Root
	Collection = record.Collection
	Node       = record.Node
	Edge       = record.Edge
)

// The kinds of records a lineage graph is built around or made of.
const (
	KindArtifact   = record.KindArtifact
	KindCollection = record.KindCollection
	KindRun        = record.KindRun
	KindTransform  = record.KindTransform
)

// Options restrict a traversal. The zero value walks both directions
// without a depth limit, as LaminDB's view_lineage(with_children=True).
type Options struct {
	// Up and Down choose the directions: ancestors (the runs that made
	// the inputs, recursively) and descendants (the runs that used the
	// outputs, recursively). Both false means both.
	Up, Down bool
	// Depth limits each direction to this many run hops; 0 is unlimited.
	Depth int
	// Versions makes a transform's graph the union over the runs of every
	// version of its family rather than of that version only.
	Versions bool
}

func (o Options) directions() (up, down bool) {
	if !o.Up && !o.Down {
		return true, true
	}
	return o.Up, o.Down
}

// Graph is the lineage around one record: nodes in reading order (oldest
// first) and deduplicated edges.
type Graph struct {
	Root  Root
	Nodes []*Node
	Edges []Edge

	byID    map[string]*Node
	out, in map[string][]string
}

func nodeID(k Kind, uid string) string { return string(k) + "_" + uid }

// Node returns the node with the given ID, or nil.
func (g *Graph) Node(id string) *Node { return g.byID[id] }

// Children are the nodes an edge leads to from id: a run's outputs, or the
// runs that read an artifact.
func (g *Graph) Children(id string) []*Node { return g.nodes(g.out[id]) }

// Parents are the nodes with an edge into id: a run's inputs, or the run
// that wrote an artifact.
func (g *Graph) Parents(id string) []*Node { return g.nodes(g.in[id]) }

func (g *Graph) nodes(ids []string) []*Node {
	out := make([]*Node, len(ids))
	for i, id := range ids {
		out[i] = g.byID[id]
	}
	return out
}

// Queried lists the highlighted nodes.
func (g *Graph) Queried() []*Node {
	var out []*Node
	for _, n := range g.Nodes {
		if n.Queried {
			out = append(out, n)
		}
	}
	return out
}

// Downstream lists what was derived from the given nodes: every node
// reachable along edges, nearest first (the given nodes excluded). A run's
// other inputs are not downstream and are not listed.
func (g *Graph) Downstream(ids ...string) []*Node {
	seen := map[string]bool{}
	for _, id := range ids {
		seen[id] = true
	}
	var out []*Node
	queue := append([]string(nil), ids...)
	for len(queue) > 0 {
		cur := queue[0]
		queue = queue[1:]
		for _, next := range g.out[cur] {
			if !seen[next] {
				seen[next] = true
				out = append(out, g.byID[next])
				queue = append(queue, next)
			}
		}
	}
	return out
}

// dbID is the node's record's database id.
func dbID(n *Node) int64 {
	switch {
	case n.Run != nil:
		return n.Run.ID
	case n.Artifact != nil:
		return n.Artifact.ID
	case n.Collection != nil:
		return n.Collection.ID
	}
	return 0
}

// newGraph orders nodes by time (then kind and id, so equal times stay
// stable), sorts and deduplicates edges, and builds the adjacency indexes.
func newGraph(root Root, nodes map[string]*Node, edges map[Edge]bool) *Graph {
	g := &Graph{Root: root, byID: nodes, out: map[string][]string{}, in: map[string][]string{}}
	for _, n := range nodes {
		g.Nodes = append(g.Nodes, n)
	}
	slices.SortFunc(g.Nodes, func(a, b *Node) int {
		if c := a.Time().Compare(b.Time()); c != 0 {
			return c
		}
		if c := cmp.Compare(a.Kind, b.Kind); c != 0 {
			return c
		}
		return cmp.Compare(dbID(a), dbID(b))
	})
	position := make(map[string]int, len(g.Nodes))
	for i, n := range g.Nodes {
		position[n.ID] = i
	}
	// Edges sort by the positions of their ends, looked up once per edge.
	type placed struct {
		from, to int
		e        Edge
	}
	var ps []placed
	for e := range edges {
		if nodes[e.From] != nil && nodes[e.To] != nil {
			ps = append(ps, placed{position[e.From], position[e.To], e})
		}
	}
	slices.SortFunc(ps, func(a, b placed) int {
		if c := cmp.Compare(a.from, b.from); c != 0 {
			return c
		}
		return cmp.Compare(a.to, b.to)
	})
	g.Edges = make([]Edge, len(ps))
	for i, p := range ps {
		g.Edges[i] = p.e
	}
	for _, e := range g.Edges {
		g.out[e.From] = append(g.out[e.From], e.To)
		g.in[e.To] = append(g.in[e.To], e.From)
	}
	return g
}
