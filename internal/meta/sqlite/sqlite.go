package sqlite

import (
	"context"
	"database/sql"
	"embed"
	"errors"
	"fmt"
	"io/fs"
	"net/url"
	"time"

	"github.com/lamin-go/lamin/internal/meta"
	sqlite "modernc.org/sqlite"
)

//go:embed migrations/*.sql
var migrations embed.FS

// Dialect is the SQLite flavour of meta.Dialect.
type Dialect struct{}

// Name returns "sqlite".
func (Dialect) Name() string { return "sqlite" }

// Migrations returns the embedded SQLite migrations.
func (Dialect) Migrations() fs.FS {
	sub, err := fs.Sub(migrations, "migrations")
	if err != nil {
		panic(err) // the embedded folder is part of the binary
	}
	return sub
}

// Rebind keeps '?' placeholders, which SQLite understands.
func (Dialect) Rebind(q string) string { return q }

// IsUniqueViolation reports SQLITE_CONSTRAINT_UNIQUE and _PRIMARYKEY.
func (Dialect) IsUniqueViolation(err error) bool {
	var e *sqlite.Error
	if !errors.As(err, &e) {
		return false
	}
	return e.Code() == 2067 || e.Code() == 1555
}

// IsBusy reports SQLITE_BUSY and SQLITE_LOCKED (with extended codes).
func (Dialect) IsBusy(err error) bool {
	var e *sqlite.Error
	if !errors.As(err, &e) {
		return false
	}
	c := e.Code() & 0xff
	return c == 5 || c == 6
}

// TimeArg renders timestamps as fixed-width UTC text.
func (Dialect) TimeArg(t time.Time) any { return meta.FormatTime(t) }

// ILike returns LIKE: SQLite's LIKE ignores ASCII case.
func (Dialect) ILike() string { return "LIKE" }

// DSN is the connection string used for a database file.
func DSN(path string) string {
	q := url.Values{}
	q.Add("_pragma", "busy_timeout(15000)")
	q.Add("_pragma", "journal_mode(WAL)")
	q.Add("_pragma", "foreign_keys(1)")
	q.Add("_pragma", "synchronous(NORMAL)")
	// Statement journals (the undo log of one statement inside a
	// transaction) in memory, not in temporary files: a batch insert wrote
	// ~40 journal pages per artifact to disk and threw them away.
	q.Add("_pragma", "temp_store(MEMORY)")
	q.Set("_txlock", "immediate")
	return "file:" + path + "?" + q.Encode()
}

// Open opens (creating if needed) the SQLite database at path. It does not
// migrate; call Migrate or CheckSchema on the returned store.
func Open(ctx context.Context, path string) (*meta.Store, error) {
	db, err := sql.Open("sqlite", DSN(path))
	if err != nil {
		return nil, fmt.Errorf("open %s: %w", path, err)
	}
	if err := db.PingContext(ctx); err != nil {
		db.Close()
		return nil, fmt.Errorf("open %s: %w", path, err)
	}
	return meta.New(db, Dialect{}), nil
}

// TableExistsSQL counts tables named by the one argument.
func (Dialect) TableExistsSQL() string {
	return `SELECT COUNT(*) FROM sqlite_master WHERE type = 'table' AND name = ?`
}

// LockSQL is empty: BEGIN IMMEDIATE already serializes SQLite writers.
func (Dialect) LockSQL() string { return "" }
