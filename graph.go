package lamin

import (
	"io"
	"slices"
	"strings"

	"github.com/lamin-go/lamin/internal/lineage"
	"github.com/lamin-go/lamin/record"
)

// LineageFormats are the drawings Graph.Render makes: text, dot, svg,
// mermaid and json.
func LineageFormats() []string { return slices.Clone(lineage.Formats) }

// ExportFormats are the documents Graph.Export writes: openlineage and
// prov-json.
func ExportFormats() []string { return slices.Clone(lineage.Exports) }

// Graph is the lineage around one record, as Instance.Lineage assembles it:
// artifacts, collections and runs in reading order (oldest first), and the
// edges from inputs to the runs that read them and from runs to their
// outputs.
type Graph struct {
	g         *lineage.Graph
	namespace string // the instance's slug, naming the jobs of exports
}

// Root is the record the graph was asked for.
func (g *Graph) Root() record.Root { return g.g.Root }

// Nodes lists the graph's nodes, oldest first.
func (g *Graph) Nodes() []*record.Node { return g.g.Nodes }

// Edges lists the graph's edges, ordered by the positions of their ends.
func (g *Graph) Edges() []record.Edge { return g.g.Edges }

// Node returns the node with the given ID ("<kind>_<uid>"), or nil.
func (g *Graph) Node(id string) *record.Node { return g.g.Node(id) }

// Parents are the nodes with an edge into id: a run's inputs, or the run
// that wrote an artifact.
func (g *Graph) Parents(id string) []*record.Node { return g.g.Parents(id) }

// Children are the nodes an edge leads to from id: a run's outputs, or the
// runs that read an artifact.
func (g *Graph) Children(id string) []*record.Node { return g.g.Children(id) }

// Queried lists the highlighted nodes: the record asked for (for a
// transform, each of its runs).
func (g *Graph) Queried() []*record.Node { return g.g.Queried() }

// Render draws the graph in one of LineageFormats: text (an indented
// tree), dot (Graphviz), svg, mermaid or json. Another format is ErrInvalid.
func (g *Graph) Render(w io.Writer, format string) error {
	if !slices.Contains(lineage.Formats, format) {
		return invalidf("lineage format %q: use one of %s", format, strings.Join(lineage.Formats, ", "))
	}
	return lineage.Render(w, g.g, format)
}

// Export writes the graph as one of ExportFormats: OpenLineage run events
// (openlineage) or a W3C PROV-JSON document (prov-json), with the
// instance's slug as namespace. Another format is ErrInvalid.
func (g *Graph) Export(w io.Writer, format string) error {
	if !slices.Contains(lineage.Exports, format) {
		return invalidf("export format %q: use one of %s", format, strings.Join(lineage.Exports, ", "))
	}
	return lineage.WriteExport(w, g.g, format, lineage.ExportOptions{Namespace: g.namespace})
}
