// Package stmts records the SQL statements the SDK sends, so a benchmark
// can run exactly those statements in a reference client (the sqlite3
// shell, psql) instead of a hand-written copy that drifts.
package stmts

import (
	"context"
	"database/sql"

	"github.com/lamin-go/lamin/internal/meta"
)

// Recorder is a meta.Querier that passes every statement on and keeps it,
// with its arguments inlined by Inline.
type Recorder struct {
	meta.Querier
	// Inline renders a statement with its arguments as literals for the
	// reference client.
	Inline func(text string, args []any) string
	// Stmts are the statements sent so far, in order.
	Stmts []string
}

func (r *Recorder) keep(q string, args []any) { r.Stmts = append(r.Stmts, r.Inline(q, args)) }

// Exec records and runs a statement.
func (r *Recorder) Exec(ctx context.Context, q string, args ...any) (sql.Result, error) {
	r.keep(q, args)
	return r.Querier.Exec(ctx, q, args...)
}

// Query records and runs a query.
func (r *Recorder) Query(ctx context.Context, q string, args ...any) (*sql.Rows, error) {
	r.keep(q, args)
	return r.Querier.Query(ctx, q, args...)
}

// QueryRow records and runs a one-row query.
func (r *Recorder) QueryRow(ctx context.Context, q string, args ...any) *sql.Row {
	r.keep(q, args)
	return r.Querier.QueryRow(ctx, q, args...)
}
