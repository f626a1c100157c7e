package lineage

import (
	"encoding/json"
	"io"

	"github.com/lamin-go/lamin/record"
)

type jsonGraph struct {
	Root  jsonRoot   `json:"root"`
	Nodes []jsonNode `json:"nodes"`
	Edges []jsonEdge `json:"edges"`
}

type jsonRoot struct {
	Kind Kind   `json:"kind"`
	UID  string `json:"uid"`
}

type jsonNode struct {
	ID          string            `json:"id"`
	Kind        Kind              `json:"kind"`
	UID         string            `json:"uid"`
	Label       string            `json:"label"`
	Queried     bool              `json:"queried"`
	Artifact    *record.Artifact  `json:"artifact,omitempty"`
	StorageRoot string            `json:"storage_root,omitempty"`
	Collection  *Collection       `json:"collection,omitempty"`
	Run         *record.Run       `json:"run,omitempty"`
	Transform   *record.Transform `json:"transform,omitempty"`
	User        *record.User      `json:"created_by,omitempty"`
}

type jsonEdge struct {
	Source string `json:"source"`
	Target string `json:"target"`
}

// WriteJSON writes the graph as one JSON object: the queried record, the
// nodes with their records (LaminDB field names; a run with its transform
// and creator) and the edges between node ids.
func WriteJSON(w io.Writer, g *Graph) error {
	out := jsonGraph{Root: jsonRoot{g.Root.Kind, g.Root.UID}, Nodes: []jsonNode{}, Edges: []jsonEdge{}}
	for _, n := range g.Nodes {
		out.Nodes = append(out.Nodes, jsonNode{ID: n.ID, Kind: n.Kind, UID: n.UID, Label: n.Emoji() + " " + n.Title(),
			Queried: n.Queried, Artifact: n.Artifact, StorageRoot: n.StorageRoot, Collection: n.Collection,
			Run: n.Run, Transform: n.Transform, User: n.User})
	}
	for _, e := range g.Edges {
		out.Edges = append(out.Edges, jsonEdge{e.From, e.To})
	}
	enc := json.NewEncoder(w)
	enc.SetIndent("", "  ")
	enc.SetEscapeHTML(false)
	return enc.Encode(out)
}
