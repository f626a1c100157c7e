package lineage

import (
	"crypto/sha1"
	"encoding/json"
	"fmt"
	"io"
	"time"
)

// Producer is the URI that names lamin as the producer of exported events.
const Producer = "https://github.com/lamin-go/lamin"

// Schema locations written into OpenLineage events and facets.
const (
	OpenLineageSchemaURL = "https://openlineage.io/spec/2-0-2/OpenLineage.json#/$defs/RunEvent"
	laminFacetsURL       = "https://github.com/lamin-go/lamin/blob/main/internal/lineage/testdata/openlineage/LaminFacets.json"
	datasetFacetURL      = laminFacetsURL + "#/$defs/LaminDatasetFacet"
	runFacetURL          = laminFacetsURL + "#/$defs/LaminRunFacet"
)

// ExportOptions describe where exported records come from.
type ExportOptions struct {
	// Namespace is the instance slug (owner/name): the OpenLineage job
	// namespace and the PROV namespace of record ids.
	Namespace string
	// Producer overrides the producer URI (default Producer).
	Producer string
}

func (o ExportOptions) producer() string {
	if o.Producer != "" {
		return o.Producer
	}
	return Producer
}

// Exports are the formats WriteExport knows.
var Exports = []string{"openlineage", "prov-json"}

// WriteExport writes the graph in one of Exports.
func WriteExport(w io.Writer, g *Graph, format string, o ExportOptions) error {
	switch format {
	case "openlineage":
		return WriteOpenLineage(w, g, o)
	case "prov-json":
		return WritePROV(w, g, o)
	}
	return fmt.Errorf("export format %q: use openlineage or prov-json: %w", format, ErrInvalid)
}

type olEvent struct {
	EventType string      `json:"eventType"`
	EventTime string      `json:"eventTime"`
	Run       olRun       `json:"run"`
	Job       olJob       `json:"job"`
	Inputs    []olDataset `json:"inputs"`
	Outputs   []olDataset `json:"outputs"`
	Producer  string      `json:"producer"`
	SchemaURL string      `json:"schemaURL"`
}

type olRun struct {
	RunID  string         `json:"runId"`
	Facets map[string]any `json:"facets"`
}

type olJob struct {
	Namespace string `json:"namespace"`
	Name      string `json:"name"`
}

type olDataset struct {
	Namespace string         `json:"namespace"`
	Name      string         `json:"name"`
	Facets    map[string]any `json:"facets"`
}

// WriteOpenLineage writes OpenLineage 2-0-2 run events, one JSON object per
// line (the OpenLineage file transport): for every run of the graph, oldest
// first, a START event at its start and, once it ended, a COMPLETE, FAIL or
// ABORT event at its end. The job is the transform (namespace = instance
// slug, name = transform key); the run id is a UUID derived from the run
// uid; datasets are the run's inputs and outputs, named by storage root and
// key (or .lamindb/<uid><suffix>), with a "lamin" facet carrying the uid and
// hash.
func WriteOpenLineage(w io.Writer, g *Graph, o ExportOptions) error {
	enc := json.NewEncoder(w)
	enc.SetEscapeHTML(false)
	for _, n := range g.Nodes {
		if n.Run == nil {
			continue
		}
		var inputs, outputs []olDataset
		for _, p := range g.Parents(n.ID) {
			inputs = append(inputs, olDatasetOf(p, o))
		}
		for _, c := range g.Children(n.ID) {
			outputs = append(outputs, olDatasetOf(c, o))
		}
		jobName, tuid := n.UID, ""
		if n.Transform != nil {
			jobName, tuid = first(n.Transform.Key, nil, n.Transform.UID), n.Transform.UID
		}
		status := statusName(n.Run.StatusCode)
		ev := olEvent{EventType: "START", EventTime: olTime(n.Run.StartedAt),
			Run: olRun{RunID: RunUUID(n.UID), Facets: map[string]any{"lamin": map[string]any{
				"_producer": o.producer(), "_schemaURL": runFacetURL, "uid": n.UID, "transformUid": tuid, "status": status}}},
			Job:    olJob{Namespace: o.Namespace, Name: jobName},
			Inputs: nonNil(inputs), Outputs: nonNil(outputs), Producer: o.producer(), SchemaURL: OpenLineageSchemaURL}
		if err := enc.Encode(ev); err != nil {
			return err
		}
		end := ""
		switch status {
		case "completed":
			end = "COMPLETE"
		case "errored":
			end = "FAIL"
		case "aborted":
			end = "ABORT"
		}
		if end == "" {
			continue
		}
		ev.EventType = end
		if n.Run.FinishedAt != nil {
			ev.EventTime = olTime(*n.Run.FinishedAt)
		}
		if err := enc.Encode(ev); err != nil {
			return err
		}
	}
	return nil
}

func nonNil(d []olDataset) []olDataset {
	if d == nil {
		return []olDataset{}
	}
	return d
}

func olTime(t time.Time) string { return t.UTC().Format(time.RFC3339Nano) }

func olDatasetOf(n *Node, o ExportOptions) olDataset {
	facet := map[string]any{"_producer": o.producer(), "_schemaURL": datasetFacetURL, "uid": n.UID}
	d := olDataset{Facets: map[string]any{"lamin": facet}}
	switch {
	case n.Artifact != nil:
		a := n.Artifact
		d.Namespace = n.StorageRoot
		d.Name = first(a.Key, nil, ".lamindb/"+a.UID+a.Suffix)
		facet["hash"], facet["hashType"] = a.Hash, a.HashType
	case n.Collection != nil:
		d.Namespace, d.Name = o.Namespace, n.Collection.Key
		facet["hash"] = n.Collection.Hash
	}
	return d
}

// RunUUID is the OpenLineage run id of a lamin run: a name-based (version
// 5, SHA-1) UUID of "urn:lamin:run:<uid>" in the URL namespace, so the
// same run always exports with the same id.
func RunUUID(runUID string) string {
	ns := [16]byte{0x6b, 0xa7, 0xb8, 0x11, 0x9d, 0xad, 0x11, 0xd1, 0x80, 0xb4, 0x00, 0xc0, 0x4f, 0xd4, 0x30, 0xc8}
	h := sha1.New()
	h.Write(ns[:])
	h.Write([]byte("urn:lamin:run:" + runUID))
	var u [16]byte
	copy(u[:], h.Sum(nil))
	u[6] = u[6]&0x0f | 0x50
	u[8] = u[8]&0x3f | 0x80
	return fmt.Sprintf("%x-%x-%x-%x-%x", u[0:4], u[4:6], u[6:8], u[8:10], u[10:])
}

// statusName names a run status code as LaminDB does.
func statusName(code *int64) string {
	if code == nil {
		return "unknown"
	}
	switch *code {
	case -3:
		return "scheduled"
	case -2:
		return "re-started"
	case -1:
		return "started"
	case 0:
		return "completed"
	case 1:
		return "errored"
	case 2:
		return "aborted"
	}
	return "unknown"
}

// provDoc is a W3C PROV-JSON document; encoding/json sorts the map keys,
// so the output is stable.
type provDoc map[string]map[string]any

func (d provDoc) add(section, id string, attrs map[string]any) {
	if d[section] == nil {
		d[section] = map[string]any{}
	}
	d[section][id] = attrs
}

// WritePROV writes the graph as a W3C PROV-JSON document: artifacts and
// collections are entities, runs activities, users agents, transforms plans
// (entities of type prov:Plan). Relations: used (run read an item),
// wasGeneratedBy (run wrote it), wasAssociatedWith (run, its creator and
// its transform as plan), wasAttributedTo (item and its creator) and
// wasDerivedFrom (each output of a run from each of its inputs). Ids use
// the prefix "lamin".
func WritePROV(w io.Writer, g *Graph, o ExportOptions) error {
	doc := provDoc{"prefix": {"lamin": "urn:lamin:" + o.Namespace + "/"}}
	qname := func(kind, uid string) string { return "lamin:" + kind + "_" + uid }
	plan := map[string]any{"$": "prov:Plan", "type": "prov:QUALIFIED_NAME"}
	person := map[string]any{"$": "prov:Person", "type": "prov:QUALIFIED_NAME"}
	relations := map[string]int{}
	relate := func(section string, attrs map[string]any) {
		relations[section]++
		doc.add(section, fmt.Sprintf("_:%s%d", section, relations[section]), attrs)
	}
	agent := func(n *Node) string {
		if n.User == nil {
			return ""
		}
		id := qname("user", n.User.UID)
		attrs := map[string]any{"prov:type": person, "prov:label": n.User.Handle, "lamin:uid": n.User.UID}
		if n.User.Name != nil {
			attrs["lamin:name"] = *n.User.Name
		}
		doc.add("agent", id, attrs)
		return id
	}
	for _, n := range g.Nodes {
		id := qname(string(n.Kind), n.UID)
		switch {
		case n.Artifact != nil:
			a := n.Artifact
			attrs := map[string]any{"prov:label": n.Title(), "lamin:uid": a.UID, "lamin:suffix": a.Suffix,
				"lamin:storage_root": n.StorageRoot}
			putStr(attrs, "lamin:key", a.Key)
			putStr(attrs, "lamin:hash", a.Hash)
			putStr(attrs, "lamin:hash_type", a.HashType)
			doc.add("entity", id, attrs)
		case n.Collection != nil:
			attrs := map[string]any{"prov:label": n.Title(), "lamin:uid": n.UID, "lamin:key": n.Collection.Key}
			putStr(attrs, "lamin:hash", n.Collection.Hash)
			doc.add("entity", id, attrs)
		case n.Run != nil:
			attrs := map[string]any{"prov:label": n.Title(), "prov:startTime": provTime(n.Run.StartedAt),
				"lamin:uid": n.UID, "lamin:status": statusName(n.Run.StatusCode)}
			if n.Run.FinishedAt != nil {
				attrs["prov:endTime"] = provTime(*n.Run.FinishedAt)
			}
			doc.add("activity", id, attrs)
		}
		who := agent(n)
		if n.Run == nil {
			if who != "" {
				relate("wasAttributedTo", map[string]any{"prov:entity": id, "prov:agent": who})
			}
			continue
		}
		assoc := map[string]any{"prov:activity": id}
		if who != "" {
			assoc["prov:agent"] = who
		}
		if t := n.Transform; t != nil {
			pid := qname("transform", t.UID)
			attrs := map[string]any{"prov:type": plan, "prov:label": first(t.Key, nil, t.UID), "lamin:uid": t.UID, "lamin:type": t.Type}
			putStr(attrs, "lamin:version", t.Version)
			putStr(attrs, "lamin:description", t.Description)
			doc.add("entity", pid, attrs)
			assoc["prov:plan"] = pid
		}
		relate("wasAssociatedWith", assoc)
		ins, outs := g.Parents(n.ID), g.Children(n.ID)
		for _, in := range ins {
			relate("used", map[string]any{"prov:activity": id, "prov:entity": qname(string(in.Kind), in.UID)})
		}
		for _, out := range outs {
			oid := qname(string(out.Kind), out.UID)
			relate("wasGeneratedBy", map[string]any{"prov:entity": oid, "prov:activity": id})
			for _, in := range ins {
				relate("wasDerivedFrom", map[string]any{"prov:generatedEntity": oid,
					"prov:usedEntity": qname(string(in.Kind), in.UID), "prov:activity": id})
			}
		}
	}
	enc := json.NewEncoder(w)
	enc.SetIndent("", "  ")
	enc.SetEscapeHTML(false)
	return enc.Encode(doc)
}

func putStr(m map[string]any, k string, v *string) {
	if v != nil {
		m[k] = *v
	}
}

func provTime(t time.Time) string { return t.UTC().Format("2006-01-02T15:04:05.000000Z07:00") }
