package record

import (
	"path"
	"time"
)

// Kind is the registry a node of a lineage graph, or the record a graph
// is built around, belongs to.
type Kind string

// The kinds of records a lineage graph is built around or made of.
const (
	KindArtifact   Kind = "artifact"
	KindCollection Kind = "collection"
	KindRun        Kind = "run"
	KindTransform  Kind = "transform"
)

// Root is the record a lineage graph is built around.
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

	Artifact *Artifact
	// StorageRoot is the root of the artifact's storage location.
	StorageRoot string
	Collection  *Collection
	Run         *Run
	// Transform is the code a run executed (source code not loaded).
	Transform *Transform
	// User created the record: the run's or the artifact's creator.
	User *User
}

// Edge points from an input to the run that read it, or from a run to an
// output it wrote. From and To are node IDs.
type Edge struct {
	From, To string
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

// transformEmojis are LaminDB's symbols per transform type.
var transformEmojis = map[string]string{
	"notebook": "📔",
	"upload":   "🖥️",
	"pipeline": "🧩",
	"script":   "📝",
	"function": "🔧",
	"linker":   "🧲",
}

// Emoji is the symbol drawn for a transform type; 💫 for other types.
func Emoji(transformType string) string {
	if e, ok := transformEmojis[transformType]; ok {
		return e
	}
	return "💫"
}

// Emoji is the node's symbol: 📄 artifact, 🍱 collection, or its
// transform's type for a run.
func (n *Node) Emoji() string {
	switch n.Kind {
	case KindArtifact:
		return "📄"
	case KindCollection:
		return "🍱"
	}
	if n.Transform != nil {
		return Emoji(n.Transform.Type)
	}
	return Emoji("")
}

// Title is what a node is called: an artifact's description, else its key,
// else its uid; a collection's name (the last part of its key); a run's
// transform description, else key, else uid.
func (n *Node) Title() string {
	switch {
	case n.Artifact != nil:
		return orUID(n.Artifact.UID, n.Artifact.Description, n.Artifact.Key)
	case n.Collection != nil:
		return path.Base(n.Collection.Key)
	case n.Transform != nil:
		return orUID(n.Transform.UID, n.Transform.Description, n.Transform.Key)
	}
	return n.UID
}

// orUID is the first of texts that is set and not empty, else uid.
func orUID(uid string, texts ...*string) string {
	for _, t := range texts {
		if t != nil && *t != "" {
			return *t
		}
	}
	return uid
}
