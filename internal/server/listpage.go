package server

import (
	"net/http"
	"strconv"
	"strings"

	"github.com/lamin-go/lamin"
)

// listPage is the body of list.html: a registry's records with the form
// that filtered them, or the results of a search.
type listPage struct {
	Registry, Title string
	// Exprs, Order and Limit refill the filter form.
	Exprs, Order, Limit string
	AllBranches         bool
	// Search is the searched text; empty on a filter page.
	Search string
	Table  table
	// Hint and Error are messages above the table.
	Hint, Error string
}

// pageLimit is how many records a filter page shows unless asked.
const pageLimit = lamin.DefaultListLimit

// pageFilter is /ui/{registry}: the listing GET /api/{registry} returns
// for the same parameters, newest first unless ordered otherwise. A bad
// expression shows the form again with the message.
func (s *Server) pageFilter(w http.ResponseWriter, r *http.Request) error {
	reg, err := registryOf(r.PathValue("registry"))
	if err != nil {
		return err
	}
	l, err := parseListing(r.URL.Query())
	if err != nil {
		return err
	}
	p := listPage{Registry: reg.Name, Title: reg.Title, Exprs: strings.Join(l.exprs, "\n"),
		Order: strings.Join(l.opts.Order, ","), AllBranches: l.opts.AllBranches, Table: table{Registry: reg.Name}}
	if !l.limited {
		l.opts.Limit = pageLimit
	}
	if !l.ordered {
		l.opts.Order = []string{"-id"}
	}
	p.Limit = strconv.Itoa(l.opts.Limit)
	status := http.StatusOK
	rows, err := s.filter(r.Context(), reg.Name, l)
	switch {
	case err == nil:
		p.Table = tableOf(rows)
		if !l.limited && rows.Len() == pageLimit {
			p.Hint = "showing the first " + p.Limit + " records; raise the limit to see more"
		}
	case statusOf(err) < http.StatusInternalServerError:
		status, p.Error = statusOf(err), oneLine(err.Error())
	default:
		return err
	}
	s.renderView(w, r, status, "list.html", view{Title: reg.Title, Body: p})
	return nil
}

// pageSearch is /ui/search?registry=R&q=TEXT, the layout's search form:
// the records GET /api/{registry}/search returns, best match first.
func (s *Server) pageSearch(w http.ResponseWriter, r *http.Request) error {
	q := r.URL.Query()
	reg, err := registryOf(q.Get("registry"))
	if err != nil {
		return err
	}
	rows, hint, err := s.search(r)
	if err != nil {
		return err
	}
	p := listPage{Registry: reg.Name, Title: reg.Title, Search: q.Get("q"), Table: tableOf(rows), Hint: hint}
	s.renderView(w, r, http.StatusOK, "list.html", view{Title: "search " + reg.Title,
		SearchRegistry: reg.Name, SearchText: q.Get("q"), Body: p})
	return nil
}
