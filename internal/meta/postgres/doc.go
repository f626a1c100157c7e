// Package postgres is the server metadata dialect: PostgreSQL through pgx's
// database/sql driver, for instances shared by many concurrent writers.
//
// It owns the PostgreSQL migrations (the same schema as meta/sqlite, with
// native timestamptz, boolean and jsonb columns and pg_trgm indexes for
// search) and the connection handling; it holds no domain logic.
package postgres
