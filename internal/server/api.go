package server

import (
	"bytes"
	"context"
	"net/http"
	"slices"
	"strings"

	"github.com/lamin-go/lamin"
	"github.com/lamin-go/lamin/internal/query"
	"github.com/lamin-go/lamin/internal/records"
)

// instanceInfo is GET /api/instance, named like `lamin info --format json`.
type instanceInfo struct {
	Instance    string `json:"instance"`
	InstanceUID string `json:"instance_uid"`
	Storage     string `json:"storage"`
	StorageType string `json:"storage_type"`
	StorageUID  string `json:"storage_uid"`
	User        string `json:"user"`
	UserUID     string `json:"user_uid"`
}

func (s *Server) apiInstance(w http.ResponseWriter, r *http.Request) error {
	st, u := s.in.Storage(), s.in.User()
	writeJSON(w, http.StatusOK, instanceInfo{Instance: s.in.Slug(), InstanceUID: s.in.UID(),
		Storage: st.Root, StorageType: st.Type, StorageUID: st.UID, User: u.Handle, UserUID: u.UID})
	return nil
}

// filter runs the listing the request's query parameters describe.
func (s *Server) filter(ctx context.Context, registry string, l listing) (*lamin.Rows, error) {
	rows, err := s.in.Filter(ctx, registry, l.exprs, l.opts)
	if err != nil {
		return nil, err
	}
	if len(l.columns) > 0 {
		return rows.Select(l.columns...)
	}
	return rows, nil
}

// apiFilter is GET /api/{registry}: the rows `lamin filter` prints with
// --format json for the same expressions and options.
func (s *Server) apiFilter(w http.ResponseWriter, r *http.Request) error {
	l, err := parseListing(r.URL.Query())
	if err != nil {
		return err
	}
	rows, err := s.filter(r.Context(), r.PathValue("registry"), l)
	if err != nil {
		return err
	}
	return writeRows(w, rows)
}

// apiSearch is GET /api/{registry}/search?q=TEXT&limit=N: the rows of
// `lamin search`, best match first. When nothing matched exactly and
// similar records are shown, the X-Lamin-Hint header says so.
func (s *Server) apiSearch(w http.ResponseWriter, r *http.Request) error {
	rows, hint, err := s.search(r)
	if err != nil {
		return err
	}
	if hint != "" {
		w.Header().Set("X-Lamin-Hint", hint)
	}
	return writeRows(w, rows)
}

// search runs the search a request asks for with q, limit and registry
// (a path value or, on the pages' search form, a parameter).
func (s *Server) search(r *http.Request) (*lamin.Rows, string, error) {
	q := r.URL.Query()
	text := strings.TrimSpace(q.Get("q"))
	if text == "" {
		return nil, "", failf(lamin.ErrInvalid, "search needs the text to find; pass ?q=TEXT")
	}
	limit, _, err := intParam(q, paramLimit)
	if err != nil {
		return nil, "", err
	}
	if limit < 0 {
		return nil, "", failf(lamin.ErrInvalid, "limit=%d: pass a positive number of records", limit)
	}
	registry := r.PathValue("registry")
	if registry == "" {
		registry = q.Get("registry")
	}
	return s.in.Search(r.Context(), registry, text, limit)
}

// writeRows answers with rows as `--format json` prints them.
func writeRows(w http.ResponseWriter, rows *lamin.Rows) error {
	var b bytes.Buffer
	if err := records.WriteJSON(&b, records.FromRows(rows)); err != nil {
		return err
	}
	w.Header().Set("Content-Type", "application/json")
	_, err := w.Write(b.Bytes())
	return err
}

// registryOf finds a registry by its name, singular or plural; an unknown
// name is an ErrInvalid error listing the known ones.
func registryOf(name string) (*query.Registry, error) {
	reg, err := query.LookupRegistry(name)
	if err != nil {
		return nil, failf(lamin.ErrInvalid, "%v", err)
	}
	return reg, nil
}

// registryName is the singular name of the registry the path names.
func registryName(r *http.Request) (string, error) {
	reg, err := registryOf(r.PathValue("registry"))
	if err != nil {
		return "", err
	}
	return reg.Name, nil
}

// apiRecord is GET /api/{artifacts|runs|transforms}/{uid}: the record's
// card as JSON; GET /api/{registry}/search shares its pattern (a pattern
// of its own would clash with /api/lineage/{uid}) and goes to apiSearch.
func (s *Server) apiRecord(w http.ResponseWriter, r *http.Request) error {
	if r.PathValue("uid") == "search" {
		return s.apiSearch(w, r)
	}
	name, err := registryName(r)
	if err != nil {
		return err
	}
	ctx, uid := r.Context(), r.PathValue("uid")
	var card any
	switch name {
	case "artifact":
		card, err = s.describeArtifact(ctx, uid)
	case "run":
		card, err = s.describeRun(ctx, uid)
	case "transform":
		card, err = s.describeTransform(ctx, uid)
	default:
		return failf(errNoRoute, "single %s records are not described; list them with /api/%s?uid=%s", name, name, uid)
	}
	if err != nil {
		return err
	}
	writeJSON(w, http.StatusOK, card)
	return nil
}

// lineageTypes are the Content-Types of the lineage formats.
var lineageTypes = map[string]string{
	"text":    "text/plain; charset=utf-8",
	"dot":     "text/vnd.graphviz; charset=utf-8",
	"svg":     "image/svg+xml",
	"mermaid": "text/plain; charset=utf-8",
	"json":    "application/json",
}

// apiLineage is GET /api/lineage/{uid}?format=json|svg|dot|mermaid|text
// &up=1&down=1&depth=N&versions=1: the drawing `lamin lineage` makes.
func (s *Server) apiLineage(w http.ResponseWriter, r *http.Request) error {
	q := r.URL.Query()
	format := q.Get("format")
	if format == "" {
		format = "json"
	}
	if !slices.Contains(lamin.LineageFormats(), format) {
		return failf(lamin.ErrInvalid, "format=%s: use one of %s", format, strings.Join(lamin.LineageFormats(), ", "))
	}
	var o lamin.LineageOptions
	var err error
	if o.Up, err = flagParam(q, "up"); err != nil {
		return err
	}
	if o.Down, err = flagParam(q, "down"); err != nil {
		return err
	}
	if o.Versions, err = flagParam(q, "versions"); err != nil {
		return err
	}
	if o.Depth, _, err = intParam(q, "depth"); err != nil {
		return err
	}
	b, err := s.drawLineage(r.Context(), r.PathValue("uid"), o, format)
	if err != nil {
		return err
	}
	w.Header().Set("Content-Type", lineageTypes[format])
	_, err = w.Write(b)
	return err
}

// drawLineage renders the lineage around uid in one of lamin.LineageFormats().
func (s *Server) drawLineage(ctx context.Context, uid string, o lamin.LineageOptions, format string) ([]byte, error) {
	g, err := s.in.Lineage(ctx, uid, o)
	if err != nil {
		return nil, err
	}
	var b bytes.Buffer
	if err := g.Render(&b, format); err != nil {
		return nil, err
	}
	return b.Bytes(), nil
}
