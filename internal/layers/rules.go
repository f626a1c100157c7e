package layers

// Module is the module path; package paths in the tables below are relative
// to it ("" is the module root, the SDK).
const Module = "github.com/lamin-go/lamin"

// Layers lists the module's packages from the top (what users run) to the
// bottom (leaves). A package may import packages of its own layer or of
// layers below it, never above. A path ending in "/..." covers the folder
// and everything under it. Packages only tests import (testenv, the
// conformance suites) and the benchmarks are not product code and are not
// listed; examples are checked by the Examples rule instead.
var Layers = []Layer{
	{"command", []string{"cmd/lamin"}},
	{"faces", []string{"internal/cli", "internal/server"}},
	{"face helpers", []string{"internal/records", "internal/schmidt22"}},
	{"SDK and domain", []string{""}},
	{"domain mechanics", []string{"internal/lineage", "internal/query", "internal/capture",
		"internal/notebook", "internal/dataformat", "internal/h5ad", "internal/settings"}},
	{"stores", []string{"internal/meta", "internal/meta/sqlite", "internal/meta/postgres",
		"internal/blob", "internal/blob/local", "internal/blob/s3", "internal/blob/backend"}},
	{"leaves", []string{"record", "internal/hdf5", "internal/parquet", "internal/hashing", "internal/uid", "internal/termtext"}},
}

// Forbidden lists edges that are wrong even where the layers allow them.
var Forbidden = []Rule{
	{From: "internal/cli", To: "internal/meta/...", Why: "faces reach metadata through the SDK"},
	{From: "internal/server", To: "internal/meta/...", Why: "faces reach metadata through the SDK"},
	{From: "internal/cli", To: "internal/blob/...", Why: "faces reach bytes through the SDK"},
	{From: "internal/server", To: "internal/blob/...", Why: "faces reach bytes through the SDK"},
	{From: "internal/cli", To: sqlDrivers, Why: "faces never speak SQL"},
	{From: "internal/server", To: sqlDrivers, Why: "faces never speak SQL"},
	{From: "", To: "github.com/spf13/cobra", Why: "the domain knows no command line"},
	{From: "", To: "net/http", Why: "the domain knows no HTTP; the server maps SDK calls"},
	{From: "", To: sqlDrivers, Why: "the domain reaches SQL only through internal/meta"},
	{From: "internal/records", To: "internal/meta/...", Why: "records encode SDK values"},
}

// sqlDrivers names the SQL driver packages; only the dialects in
// internal/meta/sqlite and internal/meta/postgres (and tests) import them.
const sqlDrivers = "sql drivers"

// SQLDrivers are the import paths a rule naming sqlDrivers covers.
var SQLDrivers = []string{"modernc.org/sqlite", "github.com/jackc/pgx/...", "github.com/lib/pq", "github.com/mattn/go-sqlite3"}

// Examples: packages under examples/ import only the public SDK (the module
// root and record/) and the examples' own helpers, and nothing outside
// examples/ imports them.
const Examples = "examples/..."

// Public lists what examples may import from the module.
var Public = []string{"", "record", "examples/..."}

// Layer is one level of the picture.
type Layer struct {
	Name     string
	Packages []string
}

// Rule forbids imports from From (a package or "folder/...") of To (a
// package, "folder/...", or sqlDrivers).
type Rule struct {
	From, To, Why string
}
