package lineage

import (
	"context"
	"database/sql"
	"sync/atomic"

	"github.com/lamin-go/lamin/internal/meta"
)

// Counter is a meta.Querier that counts the statements sent through it,
// so tests and benchmarks can check that assembling a graph costs a fixed
// number of round trips however large the graph is.
type Counter struct {
	meta.Querier
	n atomic.Int64
}

// NewCounter wraps q.
func NewCounter(q meta.Querier) *Counter { return &Counter{Querier: q} }

// Statements is the number of statements run so far.
func (c *Counter) Statements() int64 { return c.n.Load() }

// Exec counts and runs a statement.
func (c *Counter) Exec(ctx context.Context, query string, args ...any) (sql.Result, error) {
	c.n.Add(1)
	return c.Querier.Exec(ctx, query, args...)
}

// Query counts and runs a query.
func (c *Counter) Query(ctx context.Context, query string, args ...any) (*sql.Rows, error) {
	c.n.Add(1)
	return c.Querier.Query(ctx, query, args...)
}

// QueryRow counts and runs a single-row query.
func (c *Counter) QueryRow(ctx context.Context, query string, args ...any) *sql.Row {
	c.n.Add(1)
	return c.Querier.QueryRow(ctx, query, args...)
}
