package lamin

import (
	"context"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"strings"

	"github.com/lamin-go/lamin/internal/meta"
	"github.com/lamin-go/lamin/internal/settings"
)

// checkDatabaseFile refuses a SQLite database file that cannot hold an
// instance before it is opened: SQLite would take a 0-byte file for a new,
// empty database, and the schema check would then suggest `lamin migrate`,
// which cannot bring back what was lost.
func checkDatabaseFile(si settings.Instance) error {
	if si.DB != "" {
		return nil
	}
	p := filepath.Join(si.Root, markerDir, "lamin.db")
	st, err := os.Stat(p)
	if err != nil {
		return notFoundf("instance %s: no database at %s; re-create it with `lamin init --storage %s`", si.Slug(), p, si.Root)
	}
	if st.Size() == 0 {
		return conflictf("instance %s: the database file %s is empty (0 bytes): it was truncated or damaged; restore it from a backup (lamin.db.backup-* beside it) or re-create the instance with `lamin init --storage %s`", si.Slug(), p, si.Root)
	}
	return nil
}

// schemaProblem explains why an instance's database cannot be used: a
// schema newer or older than this binary, no lamin schema at all, or a
// file SQLite cannot read (store is nil when it could not be opened).
func schemaProblem(ctx context.Context, store *meta.Store, si settings.Instance, err error) error {
	where := "the database"
	if si.DB == "" {
		where = "the database file " + filepath.Join(si.Root, markerDir, "lamin.db")
	}
	if store != nil && (errors.Is(err, meta.ErrSchemaNewer) || errors.Is(err, meta.ErrSchemaOlder)) {
		if v, verr := store.SchemaVersion(ctx); verr == nil && v == 0 {
			return conflictf("instance %s: %s holds no lamin schema (no lamin_migrations table): it is not a lamin database or was damaged; restore it from a backup or re-create the instance with `lamin init`", si.Slug(), where)
		}
		return &userError{msg: fmt.Sprintf("instance %s: %v", si.Slug(), err), cat: ErrConflict}
	}
	return conflictf("instance %s: %s cannot be read (%v): it is damaged or not a lamin database; restore it from a backup (lamin.db.backup-* beside it) or re-create the instance with `lamin init`", si.Slug(), where, unwrapAll(err))
}

// damagedSQLite reports whether err is SQLite saying a file is not a
// database or is malformed (as opposed to, say, a permission problem).
func damagedSQLite(err error) bool {
	msg := err.Error()
	return strings.Contains(msg, "file is not a database") || strings.Contains(msg, "database disk image is malformed")
}
