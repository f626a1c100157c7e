package lineage

import (
	"cmp"
	"slices"
	"time"

	"github.com/lamin-go/lamin/record"
)

// Kind is the registry a node or a queried record belongs to.
type Kind string

// The kinds of records a lineage graph is built around or made of.
const (
	KindArtifact   Kind = "artifact"
	KindCollection Kind = "collection"
	KindRun        Kind = "run"
	KindTransform  Kind = "transform"
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

// Root is the record a graph is built around, as found by Resolve.
type Root struct {
	Kind Kind
	// ID is the record's database id.
	ID int64
	// UID is the record's full uid.
	UID string
	// RunID is the creating run of an artifact or collection (nil when it
	// was registered outside a run).
	RunID *int64
}

// Collection is the part of a lamindb_collection row a lineage graph shows.
type Collection struct {
	ID             int64     `json:"id"`
	UID            string    `json:"uid"`
	Key            string    `json:"key"`
	Description    *string   `json:"description"`
	Hash           *string   `json:"hash"`
	Reference      *string   `json:"reference"`
	ReferenceType  *string   `json:"reference_type"`
	MetaArtifactID *int64    `json:"meta_artifact_id"`
	Version        *string   `json:"version"`
	IsLatest       bool      `json:"is_latest"`
	IsLocked       bool      `json:"is_locked"`
	RunID          *int64    `json:"run_id"`
	SpaceID        int64     `json:"space_id"`
	CreatedAt      time.Time `json:"created_at"`
	CreatedByID    int64     `json:"created_by_id"`
	BranchID       int64     `json:"branch_id"`
	UpdatedAt      time.Time `json:"updated_at"`
}

// Node is one artifact, collection or run of a graph. Exactly one of
// Artifact, Collection and Run is set, matching Kind.
type Node struct {
	// ID is "<kind>_<uid>", LaminDB's Graphviz node id.
	ID   string
	Kind Kind
	UID  string
	// Queried marks the record the graph was asked for (for a transform:
	// each of its runs).
	Queried bool

	Artifact *record.Artifact
	// StorageRoot is the root of the artifact's storage location.
	StorageRoot string
	Collection  *Collection
	Run         *record.Run
	// Transform is the code a run executed (source code not loaded).
	Transform *record.Transform
	// User created the record: the run's or the artifact's creator.
	User *record.User
}

// Edge points from an input to the run that read it, or from a run to an
// output it wrote. From and To are node IDs.
type Edge struct {
	From, To string
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

// Time is when a node came to be: a run's start, a record's creation.
func (n *Node) Time() time.Time {
	switch {
	case n.Run != nil:
		return n.Run.StartedAt
	case n.Artifact != nil:
		return n.Artifact.CreatedAt
	case n.Collection != nil:
		return n.Collection.CreatedAt
	}
	return time.Time{}
}

func (n *Node) dbID() int64 {
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
		return cmp.Compare(a.dbID(), b.dbID())
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
