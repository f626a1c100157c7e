// Package sqlite is the embedded metadata dialect: a pure-Go SQLite
// (modernc.org/sqlite) in WAL mode with a busy timeout, foreign keys on, and
// BEGIN IMMEDIATE transactions so concurrent writers queue instead of failing.
//
// It owns the SQLite migrations; it holds no domain logic.
package sqlite
