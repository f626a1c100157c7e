package query

import (
	"fmt"
	"sort"
	"strings"
	"unicode/utf8"

	"github.com/lamin-go/lamin/internal/meta"
	"github.com/lamin-go/lamin/record"
)

// Type is the value type of a column; it decides how filter values are
// parsed. The types are declared with the registries in package record.
type Type = record.FieldType

// Column types.
const (
	Text = record.Text
	Int  = record.Int
	Bool = record.Bool
	Time = record.Time
	// JSON is a JSON column; only isnull is supported on it.
	JSON = record.JSON
)

// Column is one column of a registry table.
type Column struct {
	// Name is the field name as LaminDB exposes it ("branch_id", "created_by_id").
	Name string
	// SQL is the column name in the table ("_branch_code" for branch_id).
	SQL string
	// Type is the value type.
	Type Type
	// FK is the registry this column references, or "" for plain columns.
	FK string
	// Hidden marks columns that exist but are not part of to_dataframe output
	// (id, which is the index, and updated_at).
	Hidden bool
}

// RelationKind says how a relation is stored.
type RelationKind = record.RelationKind

// Relation kinds.
const (
	Forward    = record.Forward
	Reverse    = record.Reverse
	ManyToMany = record.ManyToMany
)

// Relation is a traversable link from one registry to another; Through
// is the link table's full SQL name.
type Relation = record.Relation

// Registry describes one LaminDB registry for querying. Registries returned by
// this package are shared and must not be modified.
type Registry struct {
	// Decl is the registry's declaration.
	Decl *record.Registry
	// Name is the lower-case singular name ("artifact").
	Name string
	// Title is LaminDB's class name ("Artifact").
	Title string
	// Table is the SQL table.
	Table string
	// DisplayField is LaminDB's name field ("key", "handle", "root"), or "".
	DisplayField string
	// UIDLength is the length of the uid column.
	UIDLength int
	// Columns lists every column: id first, then the to_dataframe order, then
	// hidden columns such as updated_at.
	Columns []Column
	// Relations lists forward foreign keys followed by to-many relations.
	Relations []Relation
	// Aliases maps a first path segment onto its replacement path
	// ("transform" → "run__transform" on Artifact).
	Aliases map[string]string
	// TrigramIndexed is true when PostgreSQL has a trigram index on every
	// text column (schema version 4), so that indexes alone can find the
	// candidates of a search.
	TrigramIndexed bool
}

// SearchHints make PostgreSQL find the candidates of an IndexedSearch
// through the trigram indexes (run as SET LOCAL in the transaction of the
// search): it prices the OR'd index scans above reading the table.
var SearchHints = []string{`SET LOCAL enable_seqscan = off`, `SET LOCAL enable_indexscan = off`}

// IndexedSearch reports whether on PostgreSQL the candidates of searching
// reg for text are best found through trigram indexes: every text column
// has one and text has a trigram (at least three characters).
func IndexedSearch(reg *Registry, text string) bool {
	return reg.TrigramIndexed && utf8.RuneCountInString(strings.TrimSpace(text)) >= 3
}

// Column returns the column with the given exposed name.
func (r *Registry) Column(name string) (Column, bool) {
	for _, c := range r.Columns {
		if c.Name == name {
			return c, true
		}
	}
	return Column{}, false
}

// Relation returns the relation with the given name.
func (r *Registry) Relation(name string) (Relation, bool) {
	for _, rel := range r.Relations {
		if rel.Name == name {
			return rel, true
		}
	}
	return Relation{}, false
}

// HasBranch reports whether the registry has the branch column and so gets
// the default branch scope.
func (r *Registry) HasBranch() bool {
	_, ok := r.Column("branch_id")
	return ok
}

// FrameColumns returns the columns of LaminDB's to_dataframe in order; the
// frame's index is id, which is not included.
func (r *Registry) FrameColumns() []Column {
	var out []Column
	for _, c := range r.Columns {
		if !c.Hidden {
			out = append(out, c)
		}
	}
	return out
}

// TextColumns returns the Char/Text columns, the fields LaminDB's search looks at.
func (r *Registry) TextColumns() []Column {
	var out []Column
	for _, c := range r.Columns {
		if c.Type == Text {
			out = append(out, c)
		}
	}
	return out
}

// SelectList renders every column for a SELECT, qualified with alias and
// named by its exposed name ("t._branch_code AS branch_id").
func (r *Registry) SelectList(alias string) string {
	parts := make([]string, len(r.Columns))
	for i, c := range r.Columns {
		parts[i] = alias + "." + c.SQL
		if c.SQL != c.Name {
			parts[i] += " AS " + c.Name
		}
	}
	return strings.Join(parts, ", ")
}

// AvailableFields lists the public field names accepted in filters, sorted,
// as LaminDB prints them in its unknown-field error.
func (r *Registry) AvailableFields() []string {
	seen := map[string]bool{}
	add := func(n string) {
		if !strings.HasPrefix(n, "_") {
			seen[n] = true
		}
	}
	for _, c := range r.Columns {
		add(c.Name)
	}
	for _, rel := range r.Relations {
		add(rel.Name)
	}
	for a := range r.Aliases {
		if a == "transform" {
			add(a)
		}
	}
	out := make([]string, 0, len(seen))
	for n := range seen {
		out = append(out, n)
	}
	sort.Strings(out)
	return out
}

// Registries returns the listed registries in the CLI's order.
func Registries() []*Registry {
	var out []*Registry
	for _, r := range allRegistries {
		if r.Decl.Has(record.Listed) {
			out = append(out, r)
		}
	}
	return out
}

// LookupRegistry finds a registry by name, singular or plural, ignoring case
// ("artifacts", "Artifact"). Space and Branch are found as well.
func LookupRegistry(name string) (*Registry, error) {
	n := strings.ToLower(strings.TrimSpace(name))
	for _, r := range allRegistries {
		if n == r.Name || n == r.Name+"s" || (r.Name == "branch" && n == "branches") {
			return r, nil
		}
	}
	return nil, fmt.Errorf("unknown registry '%s'; use one of %s", name, strings.Join(record.Names(record.Listed), ", "))
}

func registryByName(name string) *Registry {
	for _, r := range allRegistries {
		if r.Name == name {
			return r
		}
	}
	panic("query: no registry " + name)
}

// The compiled registries, built from package record's declarations.
var (
	Artifact   = compile(record.ArtifactRegistry)
	Transform  = compile(record.TransformRegistry)
	Run        = compile(record.RunRegistry)
	User       = compile(record.UserRegistry)
	Storage    = compile(record.StorageRegistry)
	Collection = compile(record.CollectionRegistry)
	Space      = compile(record.SpaceRegistry)
	Branch     = compile(record.BranchRegistry)
)

var allRegistries = []*Registry{Artifact, Transform, Run, User, Storage, Collection, Space, Branch}

// trigramIndexed are the registries whose every text column has a
// PostgreSQL trigram index (schema version 4).
var trigramIndexed = map[string]bool{"transform": true}

// compile turns a declaration into the query form: full table names, the
// columns of the row type, and a forward relation for every foreign-key
// column, named after the column without its _id suffix (branch_id →
// branch), ahead of the declared to-many relations.
func compile(d *record.Registry) *Registry {
	r := &Registry{
		Decl: d, Name: d.Name, Title: d.Title, Table: meta.Table(d.Table),
		DisplayField: d.DisplayField, UIDLength: d.UIDLength, Aliases: d.Aliases,
		TrigramIndexed: trigramIndexed[d.Name],
	}
	for _, f := range d.Fields() {
		r.Columns = append(r.Columns, Column{Name: f.Name, SQL: f.Column, Type: f.Type, FK: f.FK, Hidden: f.Hidden})
		if f.FK != "" {
			r.Relations = append(r.Relations, Relation{Name: strings.TrimSuffix(f.Name, "_id"), Target: f.FK, Kind: Forward, Column: f.Column})
		}
	}
	for _, rel := range d.Relations {
		if rel.Through != "" {
			rel.Through = meta.Table(rel.Through)
		}
		r.Relations = append(r.Relations, rel)
	}
	return r
}
