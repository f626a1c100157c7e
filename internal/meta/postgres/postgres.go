package postgres

import (
	"embed"
	"errors"
	"io/fs"
	"strconv"
	"strings"
	"time"

	"github.com/jackc/pgx/v5/pgconn"
	"github.com/lamin-go/lamin/internal/meta"
)

//go:embed migrations/*.sql
var migrations embed.FS

// Dialect is the PostgreSQL flavour of meta.Dialect.
type Dialect struct{}

var _ meta.Dialect = Dialect{}

// Name returns "postgres".
func (Dialect) Name() string { return "postgres" }

// Migrations returns the embedded PostgreSQL migrations.
func (Dialect) Migrations() fs.FS {
	sub, err := fs.Sub(migrations, "migrations")
	if err != nil {
		panic(err) // the embedded folder is part of the binary
	}
	return sub
}

// Rebind rewrites '?' placeholders into $1, $2, … in order of appearance.
// A '?' inside a string literal, a quoted identifier or a comment is left
// alone.
func (Dialect) Rebind(q string) string {
	if strings.IndexByte(q, '?') < 0 {
		return q
	}
	var b strings.Builder
	b.Grow(len(q) + 16)
	n := 0
	for i := 0; i < len(q); {
		if end := skipQuoted(q, i); end > i {
			b.WriteString(q[i:end])
			i = end
			continue
		}
		if q[i] == '?' {
			n++
			b.WriteByte('$')
			b.WriteString(strconv.Itoa(n))
		} else {
			b.WriteByte(q[i])
		}
		i++
	}
	return b.String()
}

// skipQuoted returns the end of the string literal, quoted identifier or
// comment starting at q[i], or i when none starts there. Unterminated ones
// run to the end of q.
func skipQuoted(q string, i int) int {
	switch {
	case q[i] == '\'':
		// E'…' strings also escape with a backslash.
		backslash := i > 0 && (q[i-1] == 'E' || q[i-1] == 'e') && (i == 1 || !isIdentByte(q[i-2]))
		return skipDelimited(q, i, '\'', backslash)
	case q[i] == '"':
		return skipDelimited(q, i, '"', false)
	case strings.HasPrefix(q[i:], "--"):
		if nl := strings.IndexByte(q[i:], '\n'); nl >= 0 {
			return i + nl + 1
		}
		return len(q)
	case strings.HasPrefix(q[i:], "/*"):
		// Block comments nest in PostgreSQL.
		depth := 0
		for j := i; j < len(q)-1; j++ {
			switch q[j : j+2] {
			case "/*":
				depth++
				j++
			case "*/":
				depth--
				j++
				if depth == 0 {
					return j + 1
				}
			}
		}
		return len(q)
	}
	return i
}

// skipDelimited returns the index just past the closing quote of the quoted
// text opening at q[i]; a doubled quote stands for itself.
func skipDelimited(q string, i int, quote byte, backslash bool) int {
	for j := i + 1; j < len(q); j++ {
		switch {
		case backslash && q[j] == '\\':
			j++
		case q[j] == quote:
			if j+1 < len(q) && q[j+1] == quote {
				j++
				continue
			}
			return j + 1
		}
	}
	return len(q)
}

func isIdentByte(c byte) bool {
	return c == '_' || c == '$' || c >= '0' && c <= '9' || c >= 'a' && c <= 'z' || c >= 'A' && c <= 'Z' || c >= 0x80
}

// SQLSTATE codes the dialect recognises.
const (
	codeUniqueViolation      = "23505"
	codeSerializationFailure = "40001"
	codeDeadlockDetected     = "40P01"
)

func sqlState(err error) string {
	var e *pgconn.PgError
	if errors.As(err, &e) {
		return e.Code
	}
	return ""
}

// IsUniqueViolation reports SQLSTATE 23505 (unique_violation).
func (Dialect) IsUniqueViolation(err error) bool { return sqlState(err) == codeUniqueViolation }

// IsBusy reports SQLSTATE 40001 (serialization_failure) and 40P01
// (deadlock_detected): the transaction was rolled back and may be retried.
func (Dialect) IsBusy(err error) bool {
	c := sqlState(err)
	return c == codeSerializationFailure || c == codeDeadlockDetected
}

// TimeArg binds timestamps as time.Time in UTC for timestamptz columns.
func (Dialect) TimeArg(t time.Time) any { return t.UTC() }

// ILike returns ILIKE.
func (Dialect) ILike() string { return "ILIKE" }

// TableExistsSQL counts tables of the current schema named by the one argument.
func (Dialect) TableExistsSQL() string {
	return `SELECT COUNT(*) FROM pg_catalog.pg_tables WHERE schemaname = current_schema() AND tablename = ?`
}

// LockSQL takes a transaction-scoped advisory lock named by the one
// argument, so concurrent migrations or version bumps queue.
func (Dialect) LockSQL() string { return `SELECT pg_advisory_xact_lock(?)` }
