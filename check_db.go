package lamin

import (
	"context"
	"fmt"
	"path/filepath"
	"strings"

	"github.com/lamin-go/lamin/internal/meta"
)

// ProblemDatabase is a Problem kind: the metadata database's own
// structures (pages, indexes) are damaged.
const ProblemDatabase = "database"

// maxDatabaseProblems caps how many findings of the engine are listed one
// by one; the rest are summed up in one line.
const maxDatabaseProblems = 10

// checkDatabase runs the database engine's structural check (a quick one,
// a thorough one with VerifyHashes) and, with Repair, rebuilds indexes
// when only they are damaged. It runs before everything else, so the rest
// of Check reads through sound indexes.
func (in *Instance) checkDatabase(ctx context.Context, o CheckOptions) ([]Problem, error) {
	res, err := meta.CheckIntegrity(ctx, in.store, o.VerifyHashes)
	if err != nil {
		return nil, fmt.Errorf("check the metadata database: %w", err)
	}
	if res.NotChecked != "" {
		in.msg.Warn("%s", res.NotChecked)
	}
	if len(res.Problems) == 0 {
		return nil, nil
	}
	where := in.databaseName()
	fix := fmt.Sprintf("the metadata database %s is damaged beyond its indexes: stop writing to it and restore it from a backup (`lamin migrate` keeps lamin.db.backup-* copies), or salvage it with `sqlite3 lamin.db .recover`", where)
	if in.isPostgres() {
		fix = "ask the database administrator to check the server (see PostgreSQL's amcheck and REINDEX documentation)"
	}
	if res.IndexOnly() {
		fix = fmt.Sprintf("only indexes are damaged (%s): run `lamin check --repair` to rebuild them", strings.Join(res.Indexes, ", "))
	}
	repaired := ""
	if o.Repair && res.IndexOnly() {
		if err := meta.RebuildIndexes(ctx, in.store, res.Indexes); err != nil {
			fix = fmt.Sprintf("rebuilding the damaged indexes failed (%v): restore the database from a backup", err)
		} else if after, err := meta.CheckIntegrity(ctx, in.store, o.VerifyHashes); err == nil && len(after.Problems) == 0 {
			repaired = "indexes rebuilt: " + strings.Join(res.Indexes, ", ")
		}
	}
	var out []Problem
	for i, p := range res.Problems {
		if i == maxDatabaseProblems {
			out = append(out, Problem{Kind: ProblemDatabase, Path: where, Repaired: repaired,
				Message: fmt.Sprintf("%s found %d more problems; %s", res.Checked, len(res.Problems)-i, fix)})
			break
		}
		out = append(out, Problem{Kind: ProblemDatabase, Path: where, Repaired: repaired,
			Message: fmt.Sprintf("%s: %s; %s", res.Checked, shown(p), fix)})
	}
	return out, nil
}

// databaseName is where the metadata lives, for messages: the SQLite file,
// or "PostgreSQL" for a server database (whose URL may hold a password).
func (in *Instance) databaseName() string {
	if in.isPostgres() {
		return "PostgreSQL"
	}
	return filepath.Join(in.storage.Root, markerDir, "lamin.db")
}

func (in *Instance) isPostgres() bool { return in.store.Dialect().Name() == "postgres" }
