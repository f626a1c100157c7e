package lineage

import (
	"fmt"
	"io"
	"strings"
)

// mermaidEscape protects text inside a quoted Mermaid label.
var mermaidEscape = strings.NewReplacer(`"`, "#quot;", "<", "#lt;", ">", "#gt;")

// WriteMermaid writes the graph as a Mermaid flowchart (top to bottom),
// with the DOT drawing's colours as classes: runs as rounded boxes.
func WriteMermaid(w io.Writer, g *Graph) error {
	var b strings.Builder
	b.WriteString("flowchart TD\n")
	for _, n := range g.Nodes {
		label := mermaidEscape.Replace(n.Emoji() + " " + n.Title())
		for _, d := range details(n) {
			label += "<br/><small>" + mermaidEscape.Replace(d) + "</small>"
		}
		open, closing := `["`, `"]`
		if n.Kind == KindRun {
			open, closing = `("`, `")`
		}
		fmt.Fprintf(&b, "    %s%s%s%s\n", n.ID, open, label, closing)
	}
	for _, e := range g.Edges {
		fmt.Fprintf(&b, "    %s --> %s\n", e.From, e.To)
	}
	fmt.Fprintf(&b, "    classDef run fill:%s,stroke:%s\n", runFill, greenDarker)
	fmt.Fprintf(&b, "    classDef data fill:%s,stroke:%s\n", greenFill, greenDarker)
	fmt.Fprintf(&b, "    classDef queried fill:%s,stroke:%s\n", greenLighter, greenDarker)
	for _, class := range []string{"run", "data", "queried"} {
		var ids []string
		for _, n := range g.Nodes {
			c := "data"
			if n.Kind == KindRun {
				c = "run"
			}
			if n.Queried {
				c = "queried"
			}
			if c == class {
				ids = append(ids, n.ID)
			}
		}
		if len(ids) > 0 {
			fmt.Fprintf(&b, "    class %s %s\n", strings.Join(ids, ","), class)
		}
	}
	_, err := io.WriteString(w, b.String())
	return err
}
