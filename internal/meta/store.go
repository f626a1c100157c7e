package meta

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"hash/fnv"
	"io/fs"
	"math/rand/v2"
	"path"
	"sort"
	"strconv"
	"strings"
	"time"
)

// Errors every dialect maps its own failures onto.
var (
	// ErrNotFound: no row matched.
	ErrNotFound = errors.New("not found")
	// ErrConflict: a unique constraint was violated.
	ErrConflict = errors.New("conflict")
	// ErrSchemaNewer: the database was written by a newer lamin.
	ErrSchemaNewer = errors.New("schema newer than this binary")
	// ErrSchemaOlder: the database needs `lamin migrate`.
	ErrSchemaOlder = errors.New("schema older than this binary")
)

// Dialect is what differs between SQL engines. Implementations live in
// meta/sqlite and meta/postgres.
type Dialect interface {
	// Name is "sqlite" or "postgres".
	Name() string
	// Migrations holds files named NNNN_name.sql, applied in order.
	Migrations() fs.FS
	// Rebind rewrites '?' placeholders into the engine's style.
	Rebind(query string) string
	// IsUniqueViolation reports whether err is a unique-constraint failure.
	IsUniqueViolation(err error) bool
	// IsBusy reports whether err is a transient lock conflict worth retrying.
	IsBusy(err error) bool
	// TimeArg converts a timestamp into the value bound for a DATETIME column.
	TimeArg(t time.Time) any
	// TableExistsSQL is a query with one '?' (a table name) returning the
	// number of such tables in the current schema.
	TableExistsSQL() string
	// LockSQL takes a transaction-scoped lock named by its one '?' (an
	// integer), or is "" where transactions are already serialized.
	LockSQL() string
	// ILike is the operator for a case-insensitive LIKE ("LIKE" on SQLite,
	// "ILIKE" on PostgreSQL).
	ILike() string
}

// Store is an open metadata database.
type Store struct {
	db      *sql.DB
	dialect Dialect
}

// New wraps an open database handle.
func New(db *sql.DB, d Dialect) *Store { return &Store{db: db, dialect: d} }

// Dialect returns the store's dialect.
func (s *Store) Dialect() Dialect { return s.dialect }

// DB returns the underlying handle, for tools that need raw SQL.
func (s *Store) DB() *sql.DB { return s.db }

// Close closes the database.
func (s *Store) Close() error { return s.db.Close() }

// Querier is implemented by both *Store and *Tx, so row functions run
// inside or outside a transaction.
type Querier interface {
	Exec(ctx context.Context, query string, args ...any) (sql.Result, error)
	Query(ctx context.Context, query string, args ...any) (*sql.Rows, error)
	QueryRow(ctx context.Context, query string, args ...any) *sql.Row
	Dialect() Dialect
}

// Exec runs a statement with '?' placeholders.
func (s *Store) Exec(ctx context.Context, q string, args ...any) (sql.Result, error) {
	return s.db.ExecContext(ctx, s.dialect.Rebind(q), args...)
}

// Query runs a query with '?' placeholders.
func (s *Store) Query(ctx context.Context, q string, args ...any) (*sql.Rows, error) {
	return s.db.QueryContext(ctx, s.dialect.Rebind(q), args...)
}

// QueryRow runs a single-row query with '?' placeholders.
func (s *Store) QueryRow(ctx context.Context, q string, args ...any) *sql.Row {
	return s.db.QueryRowContext(ctx, s.dialect.Rebind(q), args...)
}

// Tx is a transaction; see Store.Tx.
type Tx struct {
	tx      *sql.Tx
	dialect Dialect
}

// Dialect returns the transaction's dialect.
func (t *Tx) Dialect() Dialect { return t.dialect }

// Exec runs a statement inside the transaction.
func (t *Tx) Exec(ctx context.Context, q string, args ...any) (sql.Result, error) {
	return t.tx.ExecContext(ctx, t.dialect.Rebind(q), args...)
}

// Query runs a query inside the transaction.
func (t *Tx) Query(ctx context.Context, q string, args ...any) (*sql.Rows, error) {
	return t.tx.QueryContext(ctx, t.dialect.Rebind(q), args...)
}

// QueryRow runs a single-row query inside the transaction.
func (t *Tx) QueryRow(ctx context.Context, q string, args ...any) *sql.Row {
	return t.tx.QueryRowContext(ctx, t.dialect.Rebind(q), args...)
}

// Tx runs fn in a transaction, committing when it returns nil. Transient lock
// conflicts (SQLITE_BUSY, serialization failures) retry the whole function
// with jittered backoff, so fn must be safe to run more than once.
func (s *Store) Tx(ctx context.Context, fn func(tx *Tx) error) error {
	backoff := 5 * time.Millisecond
	for attempt := 0; ; attempt++ {
		err := s.tryTx(ctx, fn)
		if err == nil || !s.dialect.IsBusy(err) || attempt >= 50 {
			return err
		}
		d := backoff + time.Duration(rand.Int64N(int64(backoff)))
		select {
		case <-ctx.Done():
			return ctx.Err()
		case <-time.After(d):
		}
		if backoff < 500*time.Millisecond {
			backoff *= 2
		}
	}
}

func (s *Store) tryTx(ctx context.Context, fn func(tx *Tx) error) (err error) {
	sqlTx, err := s.db.BeginTx(ctx, nil)
	if err != nil {
		return err
	}
	defer func() {
		if err != nil {
			_ = sqlTx.Rollback()
		}
	}()
	if err = fn(&Tx{tx: sqlTx, dialect: s.dialect}); err != nil {
		return err
	}
	return sqlTx.Commit()
}

// Migration is one numbered schema step.
type Migration struct {
	Version int
	Name    string
	SQL     string
}

// Migrations lists the dialect's migrations in order.
func Migrations(d Dialect) ([]Migration, error) {
	entries, err := fs.ReadDir(d.Migrations(), ".")
	if err != nil {
		return nil, err
	}
	var out []Migration
	for _, e := range entries {
		name := e.Name()
		if e.IsDir() || path.Ext(name) != ".sql" {
			continue
		}
		num, _, ok := strings.Cut(name, "_")
		v, err := strconv.Atoi(num)
		if !ok || err != nil {
			return nil, fmt.Errorf("migration %s: name must start with a number and '_'", name)
		}
		b, err := fs.ReadFile(d.Migrations(), name)
		if err != nil {
			return nil, err
		}
		out = append(out, Migration{Version: v, Name: name, SQL: string(b)})
	}
	sort.Slice(out, func(i, j int) bool { return out[i].Version < out[j].Version })
	return out, nil
}

// LatestVersion is the newest migration this binary knows.
func LatestVersion(d Dialect) int {
	ms, err := Migrations(d)
	if err != nil || len(ms) == 0 {
		return 0
	}
	return ms[len(ms)-1].Version
}

const migrationsTable = `CREATE TABLE IF NOT EXISTS lamin_migrations (version INTEGER PRIMARY KEY, name VARCHAR(255) NOT NULL, applied_at VARCHAR(40) NOT NULL)`

// SchemaVersion is the newest migration applied to the database (0 for an
// empty one). It only reads, so it works for users who may not create tables.
func (s *Store) SchemaVersion(ctx context.Context) (int, error) {
	return schemaVersion(ctx, s)
}

func schemaVersion(ctx context.Context, q Querier) (int, error) {
	var n int
	if err := q.QueryRow(ctx, q.Dialect().TableExistsSQL(), "lamin_migrations").Scan(&n); err != nil {
		return 0, fmt.Errorf("read schema version: %w", err)
	}
	if n == 0 {
		return 0, nil
	}
	var v sql.NullInt64
	if err := q.QueryRow(ctx, `SELECT MAX(version) FROM lamin_migrations`).Scan(&v); err != nil {
		return 0, fmt.Errorf("read schema version: %w", err)
	}
	return int(v.Int64), nil
}

// Lock takes the transaction-scoped lock key inside tx (a no-op where the
// dialect serializes writers anyway).
func Lock(ctx context.Context, tx *Tx, key int64) error {
	if q := tx.dialect.LockSQL(); q != "" {
		if _, err := tx.Exec(ctx, q, key); err != nil {
			return fmt.Errorf("take lock %d: %w", key, err)
		}
	}
	return nil
}

// LockKey names a lock by a string (e.g. a storage and an artifact key).
func LockKey(name string) int64 {
	h := fnv.New64a()
	h.Write([]byte(name))
	return int64(h.Sum64() >> 1)
}

// lockMigrations is the lock key that serializes migrations.
const lockMigrations int64 = 0x6c616d696e01 // "lamin" + 1

// CheckSchema returns ErrSchemaNewer or ErrSchemaOlder when the database
// does not match this binary's migrations.
func (s *Store) CheckSchema(ctx context.Context) error {
	v, err := s.SchemaVersion(ctx)
	if err != nil {
		return err
	}
	latest := LatestVersion(s.dialect)
	switch {
	case v > latest:
		return fmt.Errorf("database schema version %d, this lamin knows up to %d: %w; upgrade lamin", v, latest, ErrSchemaNewer)
	case v < latest:
		return fmt.Errorf("database schema version %d, this lamin needs %d: %w; run `lamin migrate`", v, latest, ErrSchemaOlder)
	}
	return nil
}

// Migrate applies every pending migration, all in one transaction, and
// returns the versions applied.
func (s *Store) Migrate(ctx context.Context) ([]int, error) {
	return s.MigrateTo(ctx, LatestVersion(s.dialect))
}

// MigrateTo applies pending migrations up to and including version target,
// all in one transaction under a lock, so concurrent migrations queue.
func (s *Store) MigrateTo(ctx context.Context, target int) ([]int, error) {
	ms, err := Migrations(s.dialect)
	if err != nil {
		return nil, err
	}
	latest := LatestVersion(s.dialect)
	var applied []int
	err = s.Tx(ctx, func(tx *Tx) error {
		applied = applied[:0]
		if err := Lock(ctx, tx, lockMigrations); err != nil {
			return err
		}
		if _, err := tx.Exec(ctx, migrationsTable); err != nil {
			return fmt.Errorf("create migrations table: %w", err)
		}
		current, err := schemaVersion(ctx, tx)
		if err != nil {
			return err
		}
		if current > latest {
			return fmt.Errorf("database schema version %d: %w; upgrade lamin", current, ErrSchemaNewer)
		}
		for _, m := range ms {
			if m.Version <= current || m.Version > target {
				continue
			}
			if _, err := tx.tx.ExecContext(ctx, m.SQL); err != nil {
				return fmt.Errorf("migration %s: %w", m.Name, err)
			}
			if _, err := tx.Exec(ctx, `INSERT INTO lamin_migrations (version, name, applied_at) VALUES (?, ?, ?)`,
				m.Version, m.Name, FormatTime(time.Now())); err != nil {
				return fmt.Errorf("record migration %s: %w", m.Name, err)
			}
			applied = append(applied, m.Version)
		}
		return nil
	})
	return applied, err
}

// BackupTo writes a consistent copy of a SQLite database to path (VACUUM
// INTO), e.g. before a migration. Other dialects are backed up by their
// own tools.
func (s *Store) BackupTo(ctx context.Context, path string) error {
	if s.dialect.Name() != "sqlite" {
		return fmt.Errorf("back up %s: only SQLite databases are copied by lamin", s.dialect.Name())
	}
	_, err := s.Exec(ctx, `VACUUM INTO '`+strings.ReplaceAll(path, "'", "''")+`'`)
	return err
}

// TimeLayout is how timestamps are written as text: fixed microseconds so that
// text order is time order.
const TimeLayout = "2006-01-02 15:04:05.000000-07:00"

// FormatTime renders t in UTC with TimeLayout.
func FormatTime(t time.Time) string { return t.UTC().Format(TimeLayout) }
