package lineage

import (
	"strings"
	"time"

	"github.com/lamin-go/lamin/record"
)

// details are the grey lines under a node's title in LaminDB's drawing:
// uid and suffix of an artifact; uid and version of a collection;
// transform uid, type, user and start of a run.
func details(n *Node) []string {
	switch {
	case n.Artifact != nil:
		return []string{"uid=" + n.Artifact.UID, "suffix=" + n.Artifact.Suffix}
	case n.Collection != nil:
		return []string{"uid=" + n.Collection.UID, "version=" + first(n.Collection.Version, nil, "None")}
	case n.Run != nil:
		tuid, ttype := "None", "None"
		if n.Transform != nil {
			tuid, ttype = n.Transform.UID, n.Transform.Type
		}
		return []string{"uid=" + tuid, "type=" + ttype + ", user=" + UserName(n.User), "run=" + FormatTime(n.Run.StartedAt)}
	}
	return nil
}

// UserName is how LaminDB names a user in drawings: the name, else the handle.
func UserName(u *record.User) string {
	if u == nil {
		return "None"
	}
	if u.Name != nil && *u.Name != "" {
		return *u.Name
	}
	return u.Handle
}

// FormatTime renders a timestamp as LaminDB displays field values:
// "2006-01-02 15:04:05 UTC".
func FormatTime(t time.Time) string {
	return t.UTC().Format("2006-01-02 15:04:05") + " UTC"
}

func first(a, b *string, def string) string {
	if a != nil && *a != "" {
		return *a
	}
	if b != nil && *b != "" {
		return *b
	}
	return def
}

// htmlEscape makes text safe inside a Graphviz HTML-like label. LaminDB
// escapes '&'; '<' and '>' are escaped too, as they would end the label.
var htmlEscape = strings.NewReplacer("&", "&amp;", "<", "&lt;", ">", "&gt;")
