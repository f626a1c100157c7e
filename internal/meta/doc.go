// Package meta owns the metadata store of an instance: the SQL schema of the
// core registries (LaminDB's table and column names), numbered migrations
// embedded per dialect, transactions with retry, the typed rows of each
// registry, and the named operations the domain performs on them (one file
// per noun: artifacts.go, runs.go, transforms.go, users.go, saves.go), so
// that SQL text stays here and in internal/query.
//
// It speaks database/sql and knows nothing about storage bytes, the CLI or
// HTTP. Dialects (meta/sqlite, meta/postgres) supply the driver, the
// migrations and the few SQL differences; metatest is the conformance suite
// every dialect must pass.
package meta
