package lineage

import (
	"fmt"
	"io"
	"strings"
)

// Formats are the drawings Render knows.
var Formats = []string{"text", "dot", "svg", "mermaid", "json"}

// Render writes the graph in one of Formats.
func Render(w io.Writer, g *Graph, format string) error {
	switch format {
	case "text":
		return WriteText(w, g)
	case "dot":
		return WriteDOT(w, g)
	case "svg":
		return WriteSVG(w, g)
	case "mermaid":
		return WriteMermaid(w, g)
	case "json":
		return WriteJSON(w, g)
	}
	return fmt.Errorf("format %q: use one of %s: %w", format, strings.Join(Formats, ", "), ErrInvalid)
}
