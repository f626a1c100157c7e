package lineage

import (
	"bufio"
	"fmt"
	"io"
	"strings"

	"github.com/lamin-go/lamin/internal/termtext"
)

// WriteText writes the graph as an indented tree for terminals, read top
// to bottom like the drawing: each tree starts at a node nothing leads
// into (raw data, a run without inputs) and lists what followed from it.
// A node reached again is named with "(see above)" and not expanded, so
// shared ancestry and cycles print once. The queried node is marked "◀".
func WriteText(w io.Writer, g *Graph) error {
	if len(g.Nodes) == 0 {
		_, err := fmt.Fprintf(w, "%s %s has no runs, so no lineage\n", g.Root.Kind, g.Root.UID)
		return err
	}
	b := bufio.NewWriterSize(w, 64<<10)
	printed := map[string]bool{}
	// prefix is the indentation of the current depth, grown and cut back
	// in place: deep chains make long prefixes, copied once per line.
	var prefix []byte
	var walk func(n *Node, branch, indent string)
	walk = func(n *Node, branch, indent string) {
		b.Write(prefix)
		b.WriteString(branch)
		b.WriteString(textLine(n))
		if printed[n.ID] {
			b.WriteString(" (see above)\n")
			return
		}
		printed[n.ID] = true
		b.WriteByte('\n')
		depth := len(prefix)
		prefix = append(prefix, indent...)
		children := g.Children(n.ID)
		for i, c := range children {
			if i == len(children)-1 {
				walk(c, "└── ", "    ")
			} else {
				walk(c, "├── ", "│   ")
			}
		}
		prefix = prefix[:depth]
	}
	// Start from nodes without parents, oldest first; then from whatever a
	// cycle kept unreachable.
	for _, n := range g.Nodes {
		if len(g.in[n.ID]) == 0 {
			walk(n, "", "")
		}
	}
	for _, n := range g.Nodes {
		if !printed[n.ID] {
			walk(n, "", "")
		}
	}
	return b.Flush()
}

// textLine is one node in the tree: emoji, title and, in brackets, what
// identifies it (the run's uid, type, user and start for runs).
func textLine(n *Node) string {
	var s string
	switch {
	case n.Artifact != nil:
		// The uid is left out when it already is the title.
		ids := n.UID + " " + n.Artifact.Suffix
		if n.Title() == n.UID {
			ids = n.Artifact.Suffix
		}
		s = fmt.Sprintf("%s %s [%s]", n.Emoji(), n.Title(), strings.TrimSpace(ids))
	case n.Collection != nil:
		s = fmt.Sprintf("%s %s [%s]", n.Emoji(), n.Title(), n.UID)
	default:
		typ := "None"
		if n.Transform != nil {
			typ = n.Transform.Type
		}
		s = fmt.Sprintf("%s %s [run %s · %s · %s · %s]", n.Emoji(), n.Title(), n.UID, typ, UserName(n.User), FormatTime(n.Time()))
	}
	if n.Queried {
		s += " ◀"
	}
	// A title is a record's text: it must not steer the terminal.
	return termtext.Line(s)
}
