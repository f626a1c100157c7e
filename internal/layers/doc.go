// Package layers holds the import rules of the module as a table and checks
// the module's import graph against them.
//
// The rules keep the layers of docs/architecture.md true: the faces (the
// command line and the server) reach the stores only through the SDK, the
// domain stays free of the command-line, HTTP and SQL-driver packages, the
// product never imports the examples, and no package imports one from a
// layer above its own. The test in this package reads the graph with
// `go list -json` and fails on the first forbidden edge; a new package gets
// a layer in rules.go before it can be imported.
package layers
