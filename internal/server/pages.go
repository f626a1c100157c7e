package server

import (
	"bytes"
	"embed"
	"html/template"
	"io/fs"
	"net/http"
	"slices"
	"strings"

	"github.com/lamin-go/lamin"
	"github.com/lamin-go/lamin/internal/records"
	"github.com/lamin-go/lamin/record"
)

//go:embed templates/*.html static/style.css
var assets embed.FS

// browsable are the registries the pages offer, in the CLI's order.
var browsable = record.Names(record.Listed)

// parsePages parses every page with the shared layout.
func parsePages() (map[string]*template.Template, error) {
	names, err := fs.Glob(assets, "templates/*.html")
	if err != nil {
		return nil, err
	}
	pages := map[string]*template.Template{}
	for _, n := range names {
		base := strings.TrimPrefix(n, "templates/")
		if base == "layout.html" {
			continue
		}
		t, err := template.New(base).ParseFS(assets, "templates/layout.html", n)
		if err != nil {
			return nil, err
		}
		pages[base] = t
	}
	return pages, nil
}

// view is what every page's layout shows around the page's own Body.
type view struct {
	Title      string
	Slug, User string
	Registries []string
	// SearchRegistry and SearchText fill the search form.
	SearchRegistry, SearchText string
	Body                       any
}

// pagePolicy allows the pages only their own style sheet and inline SVG:
// no scripts, no frames, no other origins.
const pagePolicy = "default-src 'none'; style-src 'self'; img-src 'self' data:; form-action 'self'; frame-ancestors 'none'; base-uri 'none'"

// renderView answers with a page: page's template inside the layout. It
// renders into memory first, so a failing template sends a clean error
// instead of half a page.
func (s *Server) renderView(w http.ResponseWriter, r *http.Request, status int, page string, v view) {
	if status != http.StatusUnauthorized && status != http.StatusMethodNotAllowed {
		// Who is serving what is for those who hold the token; these two
		// statuses are given before the token is checked.
		v.Slug, v.User, v.Registries = s.in.Slug(), s.in.User().Handle, browsable
	}
	if v.SearchRegistry == "" {
		v.SearchRegistry = "artifact"
	}
	var b bytes.Buffer
	if err := s.pages[page].ExecuteTemplate(&b, "layout", v); err != nil {
		s.log.Error("render page", "page", page, "path", r.URL.Path, "error", err.Error())
		http.Error(w, "rendering the page failed; see the server's log", http.StatusInternalServerError)
		return
	}
	w.Header().Set("Content-Type", "text/html; charset=utf-8")
	w.Header().Set("Content-Security-Policy", pagePolicy)
	w.WriteHeader(status)
	w.Write(b.Bytes())
}

func (s *Server) styleSheet(w http.ResponseWriter, r *http.Request) error {
	css, err := assets.ReadFile("static/style.css")
	if err != nil {
		return err
	}
	w.Header().Set("Content-Type", "text/css; charset=utf-8")
	_, err = w.Write(css)
	return err
}

// errorPage is the body of error.html.
type errorPage struct {
	Status     int
	StatusText string
	Message    string
}

// table is a listing as a page shows it.
type table struct {
	Registry, Title string
	Columns         []string
	Rows            [][]cell
}

// cell is one value of a table or card: its text and, for records with a
// page of their own, a link to it.
type cell struct {
	Text, Link string
}

// recordLink is the page of the record with uid in registry, or "" when
// such records have no page.
func recordLink(registry, uid string) string {
	if slices.Contains(record.Names(record.Described), registry) {
		return "/ui/" + registry + "s/" + uid
	}
	return ""
}

// tableOf shows rows with the CLI's cell text; uids link to their pages.
func tableOf(rows *lamin.Rows) table {
	t := table{Registry: rows.Registry.Name, Title: rows.Registry.Title, Columns: rows.Columns}
	for _, rec := range records.FromRows(rows) {
		line := make([]cell, len(rec))
		for j, f := range rec {
			line[j] = cell{Text: records.Text(f.Value, "")}
			if uid, ok := f.Value.(string); ok && f.Name == "uid" {
				line[j].Link = recordLink(t.Registry, uid)
			}
		}
		t.Rows = append(t.Rows, line)
	}
	return t
}

// homePage is the body of home.html: `lamin view` with links.
type homePage struct {
	Tables []table
}

func (s *Server) pageHome(w http.ResponseWriter, r *http.Request) error {
	all, err := s.in.View(r.Context(), lamin.DefaultViewLimit)
	if err != nil {
		return err
	}
	var p homePage
	for _, rows := range all {
		p.Tables = append(p.Tables, tableOf(rows))
	}
	s.renderView(w, r, http.StatusOK, "home.html", view{Title: s.in.Slug(), Body: p})
	return nil
}
