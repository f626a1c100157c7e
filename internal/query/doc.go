// Package query compiles LaminDB's filter language (field__traversal__lookup=value)
// into parameterised SQL over the core registries, and implements LaminDB's
// registry search and lookup helpers.
//
// The registry model (table names, column order, relations) lives in model.go;
// ParseFilter turns one command-line expression into a Condition; Query
// combines conditions with LaminDB's default scope into SQL with '?'
// placeholders. Values never appear in SQL text: only identifiers from the
// model do. Search ranks candidates like LaminDB and falls back to pg_trgm-style
// trigram similarity when nothing matches.
package query
