package query

import (
	"fmt"
	"sort"
	"strings"
	"unicode/utf8"
)

// Type is the value type of a column; it decides how filter values are parsed.
type Type int

// Column types.
const (
	// Text is a Char or Text column.
	Text Type = iota
	// Int is an integer column (including integer foreign keys).
	Int
	// Bool is a boolean column.
	Bool
	// Time is a timestamp column.
	Time
	// JSON is a JSON column; only isnull is supported on it.
	JSON
)

// String names the type as used in error messages.
func (t Type) String() string {
	switch t {
	case Text:
		return "text"
	case Int:
		return "int"
	case Bool:
		return "bool"
	case Time:
		return "time"
	case JSON:
		return "json"
	}
	return fmt.Sprintf("Type(%d)", int(t))
}

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
type RelationKind int

// Relation kinds.
const (
	// Forward is a to-one foreign key stored on this registry's table.
	Forward RelationKind = iota
	// Reverse is a to-many relation: a foreign key on the target table points here.
	Reverse
	// ManyToMany is a to-many relation through a link table.
	ManyToMany
)

// Relation is a traversable link from one registry to another.
type Relation struct {
	// Name is the field name used in filter expressions ("run", "input_of_runs").
	Name string
	// Target is the name of the related registry.
	Target string
	// Kind is how the relation is stored.
	Kind RelationKind
	// Column is, for Forward, the foreign-key column on this table; for
	// Reverse, the foreign-key column on the target table.
	Column string
	// Through is the link table of a ManyToMany relation.
	Through string
	// ThroughSource is the link-table column referencing this registry.
	ThroughSource string
	// ThroughTarget is the link-table column referencing the target registry.
	ThroughTarget string
}

// ToMany reports whether one row can relate to several target rows.
func (r Relation) ToMany() bool { return r.Kind != Forward }

// Registry describes one LaminDB registry for querying. Registries returned by
// this package are shared and must not be modified.
type Registry struct {
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

// Registries returns the six user-facing registries in a stable order.
func Registries() []*Registry {
	return []*Registry{Artifact, Transform, Run, User, Storage, Collection}
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
	return nil, fmt.Errorf("unknown registry '%s'; use one of artifact, transform, run, user, storage, collection", name)
}

func registryByName(name string) *Registry {
	for _, r := range allRegistries {
		if r.Name == name {
			return r
		}
	}
	panic("query: no registry " + name)
}

// Column helpers for the tables below.
func txt(name string) Column  { return Column{Name: name, SQL: name, Type: Text} }
func num(name string) Column  { return Column{Name: name, SQL: name, Type: Int} }
func flag(name string) Column { return Column{Name: name, SQL: name, Type: Bool} }
func ts(name string) Column   { return Column{Name: name, SQL: name, Type: Time} }
func js(name string) Column   { return Column{Name: name, SQL: name, Type: JSON} }
func fk(name, target string) Column {
	return Column{Name: name, SQL: name, Type: Int, FK: target}
}
func hidden(c Column) Column { c.Hidden = true; return c }

var (
	idCol     = hidden(num("id"))
	branchCol = Column{Name: "branch_id", SQL: "_branch_code", Type: Int, FK: "branch"}
)

// Artifact is the lamindb_artifact registry.
var Artifact = &Registry{
	Name: "artifact", Title: "Artifact", Table: "lamindb_artifact", DisplayField: "key", UIDLength: 20,
	Columns: []Column{
		idCol, txt("uid"), txt("key"), txt("description"), txt("suffix"), txt("kind"), txt("otype"),
		num("size"), txt("hash"), num("n_files"), num("n_observations"), txt("_hash_type"),
		flag("_key_is_virtual"), flag("_overwrite_versions"), fk("space_id", "space"),
		fk("storage_id", "storage"), num("schema_id"), txt("version"), flag("is_latest"),
		flag("is_locked"), fk("run_id", "run"), ts("created_at"), fk("created_by_id", "user"),
		js("_aux"), txt("_real_key"), branchCol, hidden(ts("updated_at")),
	},
	Relations: []Relation{
		{Name: "input_of_runs", Target: "run", Kind: ManyToMany, Through: "lamindb_artifact_input_of_runs", ThroughSource: "artifact_id", ThroughTarget: "run_id"},
		{Name: "_subsequent_runs", Target: "run", Kind: ManyToMany, Through: "lamindb_artifact__previous_runs", ThroughSource: "artifact_id", ThroughTarget: "run_id"},
		{Name: "collections", Target: "collection", Kind: ManyToMany, Through: "lamindb_collectionartifact", ThroughSource: "artifact_id", ThroughTarget: "collection_id"},
		{Name: "_report_of", Target: "run", Kind: Reverse, Column: "report_id"},
		{Name: "_environment_of", Target: "run", Kind: Reverse, Column: "environment_id"},
	},
	Aliases: map[string]string{"transform": "run__transform", "visibility": "branch_id", "_branch_code": "branch_id"},
}

// Transform is the lamindb_transform registry.
var Transform = &Registry{
	Name: "transform", Title: "Transform", Table: "lamindb_transform", DisplayField: "key", UIDLength: 16,
	Columns: []Column{
		idCol, txt("uid"), txt("key"), txt("description"), txt("type"), txt("source_code"), txt("hash"),
		txt("reference"), txt("reference_type"), fk("space_id", "space"), fk("_template_id", "transform"),
		txt("version"), flag("is_latest"), flag("is_locked"), ts("created_at"),
		fk("created_by_id", "user"), js("_aux"), branchCol, hidden(ts("updated_at")),
	},
	Relations: []Relation{
		{Name: "runs", Target: "run", Kind: Reverse, Column: "transform_id"},
		{Name: "predecessors", Target: "transform", Kind: ManyToMany, Through: "lamindb_transform_predecessors", ThroughSource: "from_transform_id", ThroughTarget: "to_transform_id"},
		{Name: "successors", Target: "transform", Kind: ManyToMany, Through: "lamindb_transform_predecessors", ThroughSource: "to_transform_id", ThroughTarget: "from_transform_id"},
	},
	Aliases:        map[string]string{"visibility": "branch_id", "_branch_code": "branch_id"},
	TrigramIndexed: true,
}

// Run is the lamindb_run registry.
var Run = &Registry{
	Name: "run", Title: "Run", Table: "lamindb_run", UIDLength: 20,
	Columns: []Column{
		idCol, txt("uid"), txt("name"), ts("started_at"), ts("finished_at"), txt("reference"),
		txt("reference_type"), flag("_is_consecutive"), num("_status_code"), fk("space_id", "space"),
		fk("transform_id", "transform"), fk("report_id", "artifact"), fk("_logfile_id", "artifact"),
		fk("environment_id", "artifact"), fk("initiated_by_run_id", "run"), flag("is_locked"),
		ts("created_at"), fk("created_by_id", "user"), js("_aux"), branchCol,
	},
	Relations: []Relation{
		{Name: "input_artifacts", Target: "artifact", Kind: ManyToMany, Through: "lamindb_artifact_input_of_runs", ThroughSource: "run_id", ThroughTarget: "artifact_id"},
		{Name: "output_artifacts", Target: "artifact", Kind: Reverse, Column: "run_id"},
		{Name: "_recreated_artifacts", Target: "artifact", Kind: ManyToMany, Through: "lamindb_artifact__previous_runs", ThroughSource: "run_id", ThroughTarget: "artifact_id"},
		{Name: "input_collections", Target: "collection", Kind: ManyToMany, Through: "lamindb_collection_input_of_runs", ThroughSource: "run_id", ThroughTarget: "collection_id"},
		{Name: "output_collections", Target: "collection", Kind: Reverse, Column: "run_id"},
		{Name: "_recreated_collections", Target: "collection", Kind: ManyToMany, Through: "lamindb_collection__previous_runs", ThroughSource: "run_id", ThroughTarget: "collection_id"},
		{Name: "initiated_runs", Target: "run", Kind: Reverse, Column: "initiated_by_run_id"},
	},
}

// User is the lamindb_user registry.
var User = &Registry{
	Name: "user", Title: "User", Table: "lamindb_user", DisplayField: "handle", UIDLength: 8,
	Columns: []Column{idCol, txt("uid"), txt("handle"), txt("name"), ts("created_at"), ts("updated_at")},
}

// Storage is the lamindb_storage registry.
var Storage = &Registry{
	Name: "storage", Title: "Storage", Table: "lamindb_storage", DisplayField: "root", UIDLength: 12,
	Columns: []Column{
		idCol, txt("uid"), txt("root"), txt("description"), txt("type"), txt("region"), txt("instance_uid"),
		fk("space_id", "space"), flag("is_locked"), fk("run_id", "run"), ts("created_at"),
		fk("created_by_id", "user"), js("_aux"), branchCol, hidden(ts("updated_at")),
	},
	Relations: []Relation{
		{Name: "artifacts", Target: "artifact", Kind: Reverse, Column: "storage_id"},
	},
}

// Collection is the lamindb_collection registry.
var Collection = &Registry{
	Name: "collection", Title: "Collection", Table: "lamindb_collection", DisplayField: "key", UIDLength: 20,
	Columns: []Column{
		idCol, txt("uid"), txt("key"), txt("description"), txt("hash"), txt("reference"), txt("reference_type"),
		fk("space_id", "space"), fk("meta_artifact_id", "artifact"), txt("version"), flag("is_latest"),
		flag("is_locked"), fk("run_id", "run"), ts("created_at"), fk("created_by_id", "user"), js("_aux"),
		branchCol, hidden(ts("updated_at")),
	},
	Relations: []Relation{
		{Name: "artifacts", Target: "artifact", Kind: ManyToMany, Through: "lamindb_collectionartifact", ThroughSource: "collection_id", ThroughTarget: "artifact_id"},
		{Name: "input_of_runs", Target: "run", Kind: ManyToMany, Through: "lamindb_collection_input_of_runs", ThroughSource: "collection_id", ThroughTarget: "run_id"},
		{Name: "_subsequent_runs", Target: "run", Kind: ManyToMany, Through: "lamindb_collection__previous_runs", ThroughSource: "collection_id", ThroughTarget: "run_id"},
	},
	Aliases: map[string]string{"transform": "run__transform", "visibility": "branch_id", "_branch_code": "branch_id"},
}

// Space is the lamindb_space registry (a traversal target).
var Space = &Registry{
	Name: "space", Title: "Space", Table: "lamindb_space", DisplayField: "name", UIDLength: 12,
	Columns: []Column{idCol, txt("uid"), txt("name"), txt("description"), ts("created_at"), fk("created_by_id", "user")},
}

// Branch is the lamindb_branch registry (a traversal target).
var Branch = &Registry{
	Name: "branch", Title: "Branch", Table: "lamindb_branch", DisplayField: "name", UIDLength: 12,
	Columns: []Column{
		idCol, txt("uid"), txt("name"), txt("description"), fk("space_id", "space"), ts("created_at"),
		fk("created_by_id", "user"),
	},
}

var allRegistries = []*Registry{Artifact, Transform, Run, User, Storage, Collection, Space, Branch}

func init() {
	// Every foreign-key column also becomes a forward relation named after
	// the column without its _id suffix (branch_id → branch).
	for _, r := range allRegistries {
		var fwd []Relation
		for _, c := range r.Columns {
			if c.FK == "" {
				continue
			}
			fwd = append(fwd, Relation{
				Name:   strings.TrimSuffix(c.Name, "_id"),
				Target: c.FK,
				Kind:   Forward,
				Column: c.SQL,
			})
		}
		r.Relations = append(fwd, r.Relations...)
	}
}
