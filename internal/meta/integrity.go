package meta

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"regexp"
	"sort"
	"strconv"
	"strings"
)

// Integrity is what a check of the database's own structures found.
type Integrity struct {
	// Checked names the check that ran, e.g. "PRAGMA quick_check".
	Checked string
	// Problems are the engine's findings, one per entry; empty when sound.
	Problems []string
	// Indexes names the damaged indexes when every problem lies in an
	// index (rebuilding them repairs the database); nil otherwise.
	Indexes []string
	// NotChecked says what could not be checked and why ("" when nothing
	// was left out).
	NotChecked string
}

// IndexOnly reports whether the damage found is confined to indexes.
func (r Integrity) IndexOnly() bool { return len(r.Problems) > 0 && len(r.Indexes) > 0 }

// CheckIntegrity runs the engine's structural check. On SQLite that is
// PRAGMA quick_check (thorough: integrity_check, which also compares every
// index with its table). On PostgreSQL it runs amcheck's bt_index_check
// on every index of the lamin tables where the extension is installed (thorough: with heapallindexed, which
// also finds rows missing from an index), and otherwise says what was not
// checked.
func CheckIntegrity(ctx context.Context, s *Store, thorough bool) (Integrity, error) {
	if s.Dialect().Name() == "postgres" {
		return checkPostgres(ctx, s, thorough)
	}
	return checkSQLite(ctx, s, thorough)
}

// sqliteIndexProblem matches the messages of integrity_check that name an
// index ("row 3 missing from index x", "wrong # of entries in index x",
// "non-unique entry in index x").
var sqliteIndexProblem = regexp.MustCompile(`(?:from|in) index (\S+)`)

// sqliteTreeProblem matches messages about one b-tree, named by its root
// page ("Tree 12 page 14 cell 0: ...").
var sqliteTreeProblem = regexp.MustCompile(`^(?:\*\*\* in database \w+ \*\*\*\s*)?Tree (\d+) page`)

// sqliteLeakedPage matches "Page 17: never used" and "Page 17 is never
// used": pages a damaged b-tree no longer reaches.
var sqliteLeakedPage = regexp.MustCompile(`^(?:\*\*\* in database \w+ \*\*\*\s*)?Page \d+(?::| is) never used$`)

func checkSQLite(ctx context.Context, s *Store, thorough bool) (Integrity, error) {
	pragma := "quick_check"
	if thorough {
		pragma = "integrity_check"
	}
	r := Integrity{Checked: "PRAGMA " + pragma}
	rows, err := s.Query(ctx, "PRAGMA "+pragma+"(1000)")
	if err != nil {
		r.Problems = []string{err.Error()}
		return r, nil
	}
	for rows.Next() {
		var line string
		if err := rows.Scan(&line); err != nil {
			rows.Close()
			return r, err
		}
		if line != "ok" {
			for _, l := range strings.Split(line, "\n") {
				if l = strings.TrimSpace(l); l != "" && !strings.HasPrefix(l, "*** in database") {
					r.Problems = append(r.Problems, l)
				}
			}
		}
	}
	if err := rows.Close(); err != nil || rows.Err() != nil {
		r.Problems = append(r.Problems, errors.Join(err, rows.Err()).Error())
	}
	if len(r.Problems) == 0 {
		return r, nil
	}
	r.Indexes = sqliteDamagedIndexes(ctx, s, r.Problems)
	return r, nil
}

// sqliteDamagedIndexes attributes every problem to an index, or returns
// nil when one of them lies elsewhere (a table, the free list, or cannot
// be placed). Leaked pages go with the damaged index that lost them.
func sqliteDamagedIndexes(ctx context.Context, s *Store, problems []string) []string {
	roots := map[int64][2]string{}
	rows, err := s.Query(ctx, `SELECT rootpage, type, name FROM sqlite_master WHERE rootpage > 0`)
	if err != nil {
		return nil
	}
	for rows.Next() {
		var root int64
		var typ, name string
		if rows.Scan(&root, &typ, &name) == nil {
			roots[root] = [2]string{typ, name}
		}
	}
	if rows.Close() != nil || rows.Err() != nil {
		return nil
	}
	set := map[string]bool{}
	for _, p := range problems {
		if m := sqliteIndexProblem.FindStringSubmatch(p); m != nil {
			set[m[1]] = true
			continue
		}
		if m := sqliteTreeProblem.FindStringSubmatch(p); m != nil {
			root, _ := strconv.ParseInt(m[1], 10, 64)
			if obj, ok := roots[root]; ok && obj[0] == "index" {
				set[obj[1]] = true
				continue
			}
			return nil
		}
		if sqliteLeakedPage.MatchString(p) {
			continue
		}
		return nil
	}
	if len(set) == 0 {
		return nil
	}
	out := make([]string, 0, len(set))
	for n := range set {
		out = append(out, n)
	}
	sort.Strings(out)
	return out
}

// RebuildIndexes rebuilds the named indexes from their tables (REINDEX).
// On SQLite, pages a damaged index no longer reached are then given back
// by VACUUM when the structural check still reports them.
func RebuildIndexes(ctx context.Context, s *Store, names []string) error {
	for _, n := range names {
		_, err := s.Exec(ctx, "REINDEX "+quoteIdent(n))
		if err != nil && s.Dialect().Name() == "sqlite" {
			// REINDEX first frees the old pages, which fails when they are
			// garbled: build the index anew beside them instead.
			if rerr := replaceSQLiteIndex(ctx, s, n); rerr != nil {
				err = fmt.Errorf("%w; building it anew: %v", err, rerr)
			} else {
				err = nil
			}
		}
		if err != nil {
			return fmt.Errorf("rebuild index %s: %w", n, err)
		}
	}
	if s.Dialect().Name() != "sqlite" {
		return nil
	}
	after, err := checkSQLite(ctx, s, false)
	if err != nil || len(after.Problems) == 0 {
		return err
	}
	for _, p := range after.Problems {
		if !sqliteLeakedPage.MatchString(p) {
			return nil
		}
	}
	if _, err := s.Exec(ctx, "VACUUM"); err != nil {
		return fmt.Errorf("give back unused pages: %w", err)
	}
	return nil
}

func quoteIdent(s string) string { return `"` + strings.ReplaceAll(s, `"`, `""`) + `"` }

// checkPostgres runs amcheck on the indexes of the lamin tables.
func checkPostgres(ctx context.Context, s *Store, thorough bool) (Integrity, error) {
	// heapallindexed also checks that every row of the table is in the
	// index (what SQLite's integrity_check does), still under the light
	// lock that lets writers go on.
	fn, args := "bt_index_check", "?::regclass"
	if thorough {
		args = "?::regclass, true"
	}
	r := Integrity{Checked: "amcheck " + fn}
	var have bool
	err := s.QueryRow(ctx, `SELECT EXISTS (SELECT 1 FROM pg_extension WHERE extname = 'amcheck')`).Scan(&have)
	if err != nil {
		return r, err
	}
	if !have {
		r.Checked = ""
		r.NotChecked = "the PostgreSQL indexes were not checked: the amcheck extension is not installed (a superuser can run CREATE EXTENSION amcheck); tables are PostgreSQL's to keep sound"
		return r, nil
	}
	rows, err := s.Query(ctx, `SELECT c.relname FROM pg_index i
		JOIN pg_class c ON c.oid = i.indexrelid
		JOIN pg_class t ON t.oid = i.indrelid
		JOIN pg_am a ON a.oid = c.relam
		WHERE a.amname = 'btree' AND t.relnamespace = current_schema()::regnamespace
		  AND (t.relname LIKE 'lamindb\_%' OR t.relname LIKE 'lamin\_%')
		ORDER BY c.relname`)
	if err != nil {
		return r, err
	}
	var names []string
	for rows.Next() {
		var n string
		if err := rows.Scan(&n); err != nil {
			rows.Close()
			return r, err
		}
		names = append(names, n)
	}
	if err := rows.Close(); err != nil {
		return r, err
	}
	for _, n := range names {
		if _, err := s.Exec(ctx, `SELECT `+fn+`(`+args+`)`, quoteIdent(n)); err != nil {
			if ctx.Err() != nil {
				return r, ctx.Err()
			}
			r.Problems = append(r.Problems, fmt.Sprintf("index %s: %v", n, err))
			r.Indexes = append(r.Indexes, n)
		}
	}
	if len(r.Problems) == 0 {
		r.Indexes = nil
	}
	return r, nil
}

// replaceSQLiteIndex builds a fresh copy of the index name from its table
// under a temporary name, then points the index's schema entry at the new
// pages and drops the temporary entry, all in one transaction. The old,
// unreadable pages are left unreferenced (VACUUM gives them back).
func replaceSQLiteIndex(ctx context.Context, s *Store, name string) error {
	conn, err := s.DB().Conn(ctx)
	if err != nil {
		return err
	}
	defer conn.Close()
	tx, err := conn.BeginTx(ctx, nil)
	if err != nil {
		return err
	}
	defer tx.Rollback()
	var def sql.NullString
	if err := tx.QueryRowContext(ctx, `SELECT sql FROM sqlite_master WHERE type = 'index' AND name = ?`, name).Scan(&def); err != nil {
		return err
	}
	if !def.Valid || !strings.Contains(def.String, name) {
		return fmt.Errorf("index %s has no definition to rebuild it from", name)
	}
	tmp := "lamin_rebuild_" + name
	if _, err := tx.ExecContext(ctx, strings.Replace(def.String, name, tmp, 1)); err != nil {
		return err
	}
	var root, version int64
	if err := tx.QueryRowContext(ctx, `SELECT rootpage FROM sqlite_master WHERE type = 'index' AND name = ?`, tmp).Scan(&root); err != nil {
		return err
	}
	if err := tx.QueryRowContext(ctx, `PRAGMA schema_version`).Scan(&version); err != nil {
		return err
	}
	for _, q := range []string{
		`PRAGMA writable_schema = ON`,
		fmt.Sprintf(`DELETE FROM sqlite_master WHERE type = 'index' AND name = '%s'`, strings.ReplaceAll(tmp, "'", "''")),
		fmt.Sprintf(`UPDATE sqlite_master SET rootpage = %d WHERE type = 'index' AND name = '%s'`, root, strings.ReplaceAll(name, "'", "''")),
		fmt.Sprintf(`PRAGMA schema_version = %d`, version+1),
		`PRAGMA writable_schema = OFF`,
	} {
		if _, err := tx.ExecContext(ctx, q); err != nil {
			return err
		}
	}
	return tx.Commit()
}
