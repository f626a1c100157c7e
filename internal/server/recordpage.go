package server

import (
	"bytes"
	"context"
	"fmt"
	"html/template"
	"net/http"
	"net/url"
	"strings"
	"time"

	"github.com/lamin-go/lamin"
	"github.com/lamin-go/lamin/internal/records"
	"github.com/lamin-go/lamin/record"
)

// recordPage is the body of record.html: a record's card, related records
// and its lineage drawing.
type recordPage struct {
	Kind, UID, Heading string
	Fields             []field
	// Lists are related records: inputs, outputs, runs.
	Lists []recordList
	// Download is the content link of a file artifact.
	Download string
	// Source is a transform's source code.
	Source string
	// Lineage is the SVG drawing; LineageError says why it is missing.
	Lineage      template.HTML
	LineageError string
	LineageLinks []cell
}

// field is one line of a card.
type field struct {
	Name string
	cell
}

// recordList is a titled list of related records.
type recordList struct {
	Title string
	Items []cell
}

func fieldOf(name string, v any) field { return field{name, cell{Text: records.Text(v, "None")}} }

func linkField(name, registry, uid string) field {
	if uid == "" {
		return fieldOf(name, nil)
	}
	return field{name, cell{Text: uid, Link: recordLink(registry, uid)}}
}

// pageRecord is /ui/{artifacts|runs|transforms}/{uid}.
func (s *Server) pageRecord(w http.ResponseWriter, r *http.Request) error {
	name, err := registryName(r)
	if err != nil {
		return err
	}
	ctx, uid := r.Context(), r.PathValue("uid")
	var p *recordPage
	switch name {
	case "artifact":
		p, err = s.artifactPage(ctx, uid)
	case "run":
		p, err = s.runPage(ctx, uid)
	case "transform":
		p, err = s.transformPage(ctx, uid)
	default:
		return failf(errNoRoute, "single %s records have no page; see /ui/%s", name, name)
	}
	if err != nil {
		return err
	}
	s.drawInline(ctx, p)
	s.renderView(w, r, http.StatusOK, "record.html", view{Title: p.Heading, Body: p})
	return nil
}

// drawInline adds the SVG lineage drawing and links to the other formats.
// A graph that cannot be drawn leaves a message instead of failing the page.
func (s *Server) drawInline(ctx context.Context, p *recordPage) {
	for _, f := range []string{"svg", "json", "dot", "mermaid", "text"} {
		p.LineageLinks = append(p.LineageLinks, cell{Text: f, Link: "/api/lineage/" + url.PathEscape(p.UID) + "?format=" + f})
	}
	svg, err := s.drawLineage(ctx, p.UID, lamin.LineageOptions{}, "svg")
	if err != nil {
		p.LineageError = oneLine(err.Error())
		return
	}
	// The renderer escapes every text it draws; the XML declaration has no
	// place inside an HTML page.
	if _, rest, ok := bytes.Cut(svg, []byte("?>")); ok && bytes.HasPrefix(svg, []byte("<?xml")) {
		svg = bytes.TrimSpace(rest)
	}
	p.Lineage = template.HTML(svg)
}

func (s *Server) artifactPage(ctx context.Context, uid string) (*recordPage, error) {
	c, err := s.describeArtifact(ctx, uid)
	if err != nil {
		return nil, err
	}
	a := c.Artifact
	p := &recordPage{Kind: "artifact", UID: a.UID, Heading: "Artifact " + artifactTitle(a)}
	p.Fields = []field{fieldOf("uid", a.UID), fieldOf("key", a.Key), fieldOf("description", a.Description),
		fieldOf("suffix", a.Suffix), fieldOf("kind", a.Kind), fieldOf("otype", a.OType), fieldOf("size", a.Size),
		fieldOf("hash", a.Hash), fieldOf("n_files", a.NFiles), fieldOf("n_observations", a.NObservations),
		fieldOf("version", a.Version), fieldOf("is_latest", a.IsLatest), fieldOf("path", c.Path),
		linkField("run", "run", c.RunUID), fieldOf("transform", c.TransformKey), fieldOf("created_by", c.CreatedBy),
		fieldOf("created_at", a.CreatedAt), fieldOf("space", c.Space), fieldOf("branch", c.Branch)}
	runs := recordList{Title: fmt.Sprintf("Input of runs (%d)", len(c.InputOfRuns))}
	for _, u := range c.InputOfRuns {
		runs.Items = append(runs.Items, cell{Text: u, Link: recordLink("run", u)})
	}
	p.Lists = []recordList{runs}
	if a.NFiles == nil {
		p.Download = "/api/artifacts/" + url.PathEscape(a.UID) + "/content"
	}
	return p, nil
}

// artifactTitle names an artifact like the CLI's cards: description, else
// key, else uid.
func artifactTitle(a record.Artifact) string {
	switch {
	case a.Description != nil:
		return *a.Description
	case a.Key != nil:
		return *a.Key
	}
	return a.UID
}

// artifactItems lists artifacts as links titled like the CLI's cards.
func artifactItems(arts []record.Artifact) []cell {
	var out []cell
	for _, a := range arts {
		out = append(out, cell{Text: fmt.Sprintf("%s [%s%s]", artifactTitle(a), a.UID, a.Suffix), Link: recordLink("artifact", a.UID)})
	}
	return out
}

func (s *Server) runPage(ctx context.Context, uid string) (*recordPage, error) {
	c, err := s.describeRun(ctx, uid)
	if err != nil {
		return nil, err
	}
	r, t := c.Run, c.Transform
	key := records.Text(t.Key, t.UID)
	p := &recordPage{Kind: "run", UID: r.UID, Heading: fmt.Sprintf("Run %s %s · %s", record.Emoji(t.Type), key, t.Type)}
	var duration any
	if c.Duration != nil {
		duration = c.Elapsed.Round(time.Millisecond).String()
	}
	p.Fields = []field{fieldOf("uid", r.UID), fieldOf("status", c.Status), fieldOf("name", r.Name),
		field{"transform", cell{Text: key, Link: recordLink("transform", t.UID)}},
		fieldOf("started_at", r.StartedAt), fieldOf("finished_at", r.FinishedAt), fieldOf("duration", duration),
		fieldOf("created_by", c.CreatedBy), linkField("initiated_by run", "run", c.InitiatedBy)}
	for _, ref := range []struct {
		name string
		a    *record.Artifact
	}{{"report", c.Report}, {"environment", c.Environment}} {
		if ref.a == nil {
			p.Fields = append(p.Fields, fieldOf(ref.name, nil))
			continue
		}
		p.Fields = append(p.Fields, field{ref.name, artifactItems([]record.Artifact{*ref.a})[0]})
	}
	p.Lists = []recordList{
		{Title: fmt.Sprintf("Inputs (%d)", len(c.Inputs)), Items: artifactItems(c.Inputs)},
		{Title: fmt.Sprintf("Outputs (%d)", len(c.Outputs)), Items: artifactItems(c.Outputs)},
	}
	return p, nil
}

func (s *Server) transformPage(ctx context.Context, uid string) (*recordPage, error) {
	c, err := s.describeTransform(ctx, uid)
	if err != nil {
		return nil, err
	}
	t := c.Transform
	key := records.Text(t.Key, t.UID)
	p := &recordPage{Kind: "transform", UID: t.UID, Heading: fmt.Sprintf("Transform %s %s · %s", record.Emoji(t.Type), key, t.Type)}
	p.Fields = []field{fieldOf("uid", t.UID), fieldOf("key", t.Key), fieldOf("description", t.Description),
		fieldOf("type", t.Type), fieldOf("version", t.Version), fieldOf("is_latest", t.IsLatest), fieldOf("hash", t.Hash),
		fieldOf("reference", t.Reference), fieldOf("reference_type", t.ReferenceType),
		fieldOf("created_by", c.CreatedBy), fieldOf("created_at", t.CreatedAt)}
	runs := recordList{Title: fmt.Sprintf("Runs (%d)", len(c.Runs))}
	for _, r := range c.Runs {
		runs.Items = append(runs.Items, cell{Link: recordLink("run", r.UID),
			Text: fmt.Sprintf("%s  %s  %s  %s  inputs: %d, outputs: %d", r.UID, records.Text(r.StartedAt, ""), r.Status, r.CreatedBy, r.Inputs, r.Outputs)})
	}
	p.Lists = []recordList{runs}
	p.Source = strings.TrimRight(records.Text(t.SourceCode, ""), "\n")
	return p, nil
}
