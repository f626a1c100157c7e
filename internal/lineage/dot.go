package lineage

import (
	"fmt"
	"io"
	"strings"
)

// LaminDB's colours.
const (
	greenLighter = "#10b981" // the queried node
	greenDarker  = "#065f46" // node outlines
	greenFill    = "honeydew"
	runFill      = "gainsboro"
)

// htmlLabel is a node's Graphviz HTML-like label, as LaminDB draws it: the
// emoji and title, then grey monospace detail lines.
func htmlLabel(n *Node) string {
	lines := details(n)
	escaped := make([]string, len(lines))
	for i, d := range lines {
		escaped[i] = htmlEscape.Replace(d)
	}
	return fmt.Sprintf(`<%s %s<BR/><FONT COLOR="GREY" POINT-SIZE="10" FACE="Monospace">%s</FONT>>`,
		n.Emoji(), htmlEscape.Replace(n.Title()), strings.Join(escaped, "<BR/>"))
}

// graphName is the digraph's name: "<kind>_<uid>" of the queried record.
func graphName(g *Graph) string { return nodeID(g.Root.Kind, g.Root.UID) }

// WriteDOT writes the graph as Graphviz DOT with LaminDB's styling: rounded
// boxes, runs filled gainsboro, artifacts and collections honeydew, the
// queried node #10b981, dim grey edges with small arrowheads, drawn top to
// bottom.
func WriteDOT(w io.Writer, g *Graph) error {
	var b strings.Builder
	fmt.Fprintf(&b, "digraph %s {\n", graphName(g))
	fmt.Fprintf(&b, "\tnode [fillcolor=%s color=%q fontname=Helvetica fontsize=10]\n", greenFill, greenDarker)
	b.WriteString("\tedge [arrowsize=0.5]\n")
	for _, n := range g.Nodes {
		fill := greenFill
		if n.Kind == KindRun {
			fill = runFill
		}
		if n.Queried {
			fill = greenLighter
		}
		if strings.HasPrefix(fill, "#") {
			fill = `"` + fill + `"`
		}
		fmt.Fprintf(&b, "\t%s [label=%s shape=box style=\"rounded,filled\" fillcolor=%s]\n", n.ID, htmlLabel(n), fill)
	}
	for _, e := range g.Edges {
		fmt.Fprintf(&b, "\t%s -> %s [color=dimgrey]\n", e.From, e.To)
	}
	b.WriteString("}\n")
	_, err := io.WriteString(w, b.String())
	return err
}
