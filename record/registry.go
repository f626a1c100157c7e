package record

import (
	"fmt"
	"reflect"
	"strings"
	"sync"
	"time"
)

// A registry is declared once, here: its row type (whose fields, in order,
// are the registry's columns and LaminDB's to_dataframe order) and a
// Registry value (names, relations, the operations it supports). The query
// compiler, the metadata store's row binding, record encoding, the CLI's
// registry lists and the server's pages all derive from these declarations;
// docs/adding-a-registry.md is the recipe for adding one.
//
// A row field is a column unless its json tag is "-". The json name is the
// field's public name; the Go type gives the value type (string: Text,
// int64: Int, bool: Bool, time.Time: Time; a pointer makes the column
// nullable). The lamin tag adds what the Go type cannot say, as
// comma-separated options:
//
//	sql=NAME   the column's name in the table when it differs from the
//	           public name (branch_id is stored as _branch_code)
//	fk=REG     the column references registry REG; it also becomes a
//	           to-one relation named after the field without "_id"
//	hidden     the column is selected but not part of to_dataframe (id,
//	           which is the frame's index, and updated_at)
//	json       the text holds a JSON document (_aux)

// FieldType is the value type of a column; it decides how filter values
// are parsed and how values are shown.
type FieldType int

// Field types.
const (
	// Text is a Char or Text column.
	Text FieldType = iota
	// Int is an integer column (including integer foreign keys).
	Int
	// Bool is a boolean column.
	Bool
	// Time is a timestamp column.
	Time
	// JSON is a text column holding a JSON document.
	JSON
)

// String names the type as used in error messages.
func (t FieldType) String() string {
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
	return fmt.Sprintf("FieldType(%d)", int(t))
}

// Field is one column of a registry, as its row type declares it.
type Field struct {
	// Name is the public field name ("branch_id", "created_by_id").
	Name string
	// Column is the column's name in the table ("_branch_code").
	Column string
	// Type is the value type.
	Type FieldType
	// Nullable reports whether the column may hold NULL (a pointer field).
	Nullable bool
	// FK is the registry the column references, or "".
	FK string
	// Hidden marks a column left out of to_dataframe.
	Hidden bool
	// Index is the field's index in the row struct.
	Index int
}

// RelationKind says how a relation is stored.
type RelationKind int

// Relation kinds.
const (
	// Forward is a to-one foreign key stored on this registry's table.
	Forward RelationKind = iota
	// Reverse is a to-many relation: a foreign key on the target table
	// points here.
	Reverse
	// ManyToMany is a to-many relation through a link table.
	ManyToMany
)

// Relation is a traversable link from one registry to another, named as
// LaminDB names it in filters ("run", "input_of_runs").
type Relation struct {
	// Name is the field name used in filter expressions.
	Name string
	// Target is the name of the related registry.
	Target string
	// Kind is how the relation is stored.
	Kind RelationKind
	// Column is, for Forward, the foreign-key column on this table; for
	// Reverse, the foreign-key column on the target table.
	Column string
	// Through is the link table of a ManyToMany relation, named like
	// Registry.Table without the schema's prefix ("artifact_input_of_runs").
	Through string
	// ThroughSource is the link-table column referencing this registry.
	ThroughSource string
	// ThroughTarget is the link-table column referencing the target.
	ThroughTarget string
}

// ToMany reports whether one row can relate to several target rows.
func (r Relation) ToMany() bool { return r.Kind != Forward }

// Ops are the operations a registry supports beyond filter, search and
// get, which every registry has.
type Ops uint

// Operations.
const (
	// Listed registries are offered wherever a command or page takes a
	// registry: the CLI's registry arguments and completion, the server's
	// listings. The others (space, branch) are reached by traversal only.
	Listed Ops = 1 << iota
	// Described registries have describe output, a record page and a
	// lineage graph.
	Described
	// Trashable registries move to the trash on delete and come back with
	// restore.
	Trashable
)

// Registry declares one registry.
type Registry struct {
	// Name is the lower-case singular name ("artifact").
	Name string
	// Title is LaminDB's class name ("Artifact").
	Title string
	// Table is the table's name without the schema's "lamindb_" prefix.
	Table string
	// DisplayField is LaminDB's name field ("key", "handle", "root"), or "".
	DisplayField string
	// UIDLength is the length of the uid column.
	UIDLength int
	// Row is the row type's zero value; its fields are the columns.
	Row any
	// Relations are the to-many relations; the to-one ones come from the
	// fk options of the row's fields.
	Relations []Relation
	// Aliases maps a first path segment of a filter onto its replacement
	// ("transform" → "run__transform" on Artifact).
	Aliases map[string]string
	// Ops are the operations beyond filter, search and get.
	Ops Ops
}

// Has reports whether the registry supports every operation in ops.
func (r *Registry) Has(ops Ops) bool { return r.Ops&ops == ops }

// Fields returns the registry's columns in declaration order.
func (r *Registry) Fields() []Field { return FieldsOf(reflect.TypeOf(r.Row)) }

var branchAliases = map[string]string{"visibility": "branch_id", "_branch_code": "branch_id"}

// The registries. Their order is the CLI's order.
var (
	ArtifactRegistry = &Registry{
		Name: "artifact", Title: "Artifact", Table: "artifact", DisplayField: "key", UIDLength: 20,
		Row: Artifact{}, Ops: Listed | Described | Trashable,
		Relations: []Relation{
			{Name: "input_of_runs", Target: "run", Kind: ManyToMany, Through: "artifact_input_of_runs", ThroughSource: "artifact_id", ThroughTarget: "run_id"},
			{Name: "_subsequent_runs", Target: "run", Kind: ManyToMany, Through: "artifact__previous_runs", ThroughSource: "artifact_id", ThroughTarget: "run_id"},
			{Name: "collections", Target: "collection", Kind: ManyToMany, Through: "collectionartifact", ThroughSource: "artifact_id", ThroughTarget: "collection_id"},
			{Name: "_report_of", Target: "run", Kind: Reverse, Column: "report_id"},
			{Name: "_environment_of", Target: "run", Kind: Reverse, Column: "environment_id"},
		},
		Aliases: withBranchAliases(map[string]string{"transform": "run__transform"}),
	}
	TransformRegistry = &Registry{
		Name: "transform", Title: "Transform", Table: "transform", DisplayField: "key", UIDLength: 16,
		Row: Transform{}, Ops: Listed | Described | Trashable,
		Relations: []Relation{
			{Name: "runs", Target: "run", Kind: Reverse, Column: "transform_id"},
			{Name: "predecessors", Target: "transform", Kind: ManyToMany, Through: "transform_predecessors", ThroughSource: "from_transform_id", ThroughTarget: "to_transform_id"},
			{Name: "successors", Target: "transform", Kind: ManyToMany, Through: "transform_predecessors", ThroughSource: "to_transform_id", ThroughTarget: "from_transform_id"},
		},
		Aliases: branchAliases,
	}
	RunRegistry = &Registry{
		Name: "run", Title: "Run", Table: "run", UIDLength: 20,
		Row: Run{}, Ops: Listed | Described | Trashable,
		Relations: []Relation{
			{Name: "input_artifacts", Target: "artifact", Kind: ManyToMany, Through: "artifact_input_of_runs", ThroughSource: "run_id", ThroughTarget: "artifact_id"},
			{Name: "output_artifacts", Target: "artifact", Kind: Reverse, Column: "run_id"},
			{Name: "_recreated_artifacts", Target: "artifact", Kind: ManyToMany, Through: "artifact__previous_runs", ThroughSource: "run_id", ThroughTarget: "artifact_id"},
			{Name: "input_collections", Target: "collection", Kind: ManyToMany, Through: "collection_input_of_runs", ThroughSource: "run_id", ThroughTarget: "collection_id"},
			{Name: "output_collections", Target: "collection", Kind: Reverse, Column: "run_id"},
			{Name: "_recreated_collections", Target: "collection", Kind: ManyToMany, Through: "collection__previous_runs", ThroughSource: "run_id", ThroughTarget: "collection_id"},
			{Name: "initiated_runs", Target: "run", Kind: Reverse, Column: "initiated_by_run_id"},
		},
	}
	UserRegistry = &Registry{
		Name: "user", Title: "User", Table: "user", DisplayField: "handle", UIDLength: 8,
		Row: User{}, Ops: Listed,
	}
	StorageRegistry = &Registry{
		Name: "storage", Title: "Storage", Table: "storage", DisplayField: "root", UIDLength: 12,
		Row: Storage{}, Ops: Listed,
		Relations: []Relation{
			{Name: "artifacts", Target: "artifact", Kind: Reverse, Column: "storage_id"},
		},
	}
	CollectionRegistry = &Registry{
		Name: "collection", Title: "Collection", Table: "collection", DisplayField: "key", UIDLength: 20,
		Row: Collection{}, Ops: Listed,
		Relations: []Relation{
			{Name: "artifacts", Target: "artifact", Kind: ManyToMany, Through: "collectionartifact", ThroughSource: "collection_id", ThroughTarget: "artifact_id"},
			{Name: "input_of_runs", Target: "run", Kind: ManyToMany, Through: "collection_input_of_runs", ThroughSource: "collection_id", ThroughTarget: "run_id"},
			{Name: "_subsequent_runs", Target: "run", Kind: ManyToMany, Through: "collection__previous_runs", ThroughSource: "collection_id", ThroughTarget: "run_id"},
		},
		Aliases: withBranchAliases(map[string]string{"transform": "run__transform"}),
	}
	SpaceRegistry = &Registry{
		Name: "space", Title: "Space", Table: "space", DisplayField: "name", UIDLength: 12,
		Row: Space{},
	}
	BranchRegistry = &Registry{
		Name: "branch", Title: "Branch", Table: "branch", DisplayField: "name", UIDLength: 12,
		Row: Branch{},
	}
)

// Registries returns every declared registry, the listed ones first in
// the CLI's order.
func Registries() []*Registry {
	return []*Registry{
		ArtifactRegistry, TransformRegistry, RunRegistry, UserRegistry, StorageRegistry,
		CollectionRegistry, SpaceRegistry, BranchRegistry,
	}
}

// Names returns the names of the registries that support every operation
// in ops, in the CLI's order.
func Names(ops Ops) []string {
	var out []string
	for _, r := range Registries() {
		if r.Has(ops) {
			out = append(out, r.Name)
		}
	}
	return out
}

func withBranchAliases(m map[string]string) map[string]string {
	for k, v := range branchAliases {
		m[k] = v
	}
	return m
}

var fieldsCache sync.Map // reflect.Type → []Field

// FieldsOf returns the columns a row struct type declares, in field order.
// It panics on a field whose type or tag it cannot map, which is a
// declaration error caught by the package's tests.
func FieldsOf(t reflect.Type) []Field {
	if f, ok := fieldsCache.Load(t); ok {
		return f.([]Field)
	}
	var out []Field
	for i := 0; i < t.NumField(); i++ {
		sf := t.Field(i)
		name, _, _ := strings.Cut(sf.Tag.Get("json"), ",")
		if name == "-" || !sf.IsExported() {
			continue
		}
		f := Field{Name: name, Column: name, Index: i}
		typ := sf.Type
		if typ.Kind() == reflect.Pointer {
			f.Nullable, typ = true, typ.Elem()
		}
		switch {
		case typ == reflect.TypeOf(time.Time{}):
			f.Type = Time
		case typ.Kind() == reflect.String:
			f.Type = Text
		case typ.Kind() == reflect.Int64:
			f.Type = Int
		case typ.Kind() == reflect.Bool:
			f.Type = Bool
		default:
			panic(fmt.Sprintf("record: %s.%s: no column type for %s", t.Name(), sf.Name, sf.Type))
		}
		if tag, ok := sf.Tag.Lookup("lamin"); ok {
			for _, opt := range strings.Split(tag, ",") {
				key, val, _ := strings.Cut(opt, "=")
				switch key {
				case "sql":
					f.Column = val
				case "fk":
					f.FK = val
				case "hidden":
					f.Hidden = true
				case "json":
					f.Type = JSON
				default:
					panic(fmt.Sprintf("record: %s.%s: unknown lamin tag option %q", t.Name(), sf.Name, opt))
				}
			}
		}
		out = append(out, f)
	}
	fieldsCache.Store(t, out)
	return out
}
