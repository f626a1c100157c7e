// Package records is the machine shape of lamin's listings: records as
// ordered name/value fields, their text for tables, and their JSON and
// JSONL encoding. The command line (`--format json|jsonl`) and the HTTP API
// of `lamin serve` both write rows through it, so the two print the same
// objects for the same rows.
//
// It formats only; it never queries an instance.
package records
