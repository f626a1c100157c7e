package lineage

import (
	"fmt"
	"io"
	"strings"
)

// WriteText writes the graph as an indented tree for terminals, read top
// to bottom like the drawing: each tree starts at a node nothing leads
// into (raw data, a run without inputs) and lists what followed from it.
// A node reached again is named with "(see above)" and not expanded, so
// shared ancestry and cycles print once. The queried node is marked "◀".
func WriteText(w io.Writer, g *Graph) error {
	var b strings.Builder
	if len(g.Nodes) == 0 {
		fmt.Fprintf(&b, "%s %s has no runs, so no lineage\n", g.Root.Kind, g.Root.UID)
		_, err := io.WriteString(w, b.String())
		return err
	}
	printed := map[string]bool{}
	var walk func(n *Node, prefix, branch, indent string)
	walk = func(n *Node, prefix, branch, indent string) {
		line := prefix + branch + textLine(n)
		if printed[n.ID] {
			b.WriteString(line + " (see above)\n")
			return
		}
		printed[n.ID] = true
		b.WriteString(line + "\n")
		children := g.Children(n.ID)
		for i, c := range children {
			if i == len(children)-1 {
				walk(c, prefix+indent, "└── ", "    ")
			} else {
				walk(c, prefix+indent, "├── ", "│   ")
			}
		}
	}
	// Start from nodes without parents, oldest first; then from whatever a
	// cycle kept unreachable.
	for _, n := range g.Nodes {
		if len(g.in[n.ID]) == 0 {
			walk(n, "", "", "")
		}
	}
	for _, n := range g.Nodes {
		if !printed[n.ID] {
			walk(n, "", "", "")
		}
	}
	_, err := io.WriteString(w, b.String())
	return err
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
	return s
}
