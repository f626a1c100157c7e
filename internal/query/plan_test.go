package query

import (
	"context"
	"fmt"
	"github.com/lamin-go/lamin/internal/meta"
	"strings"
	"testing"
)

// TestIndexedFiltersUseIndexes checks SQLite's plan for the filters the CLI
// runs most: a key prefix (folder listing) and a user handle. The plan
// format is SQLite's; TestIndexedFiltersUseIndexesOnPostgres checks the
// same filters on PostgreSQL.
func TestIndexedFiltersUseIndexes(t *testing.T) {
	st := openFixture(t)
	tests := []struct {
		name  string
		reg   *Registry
		expr  string
		index string
	}{
		{"key prefix on artifacts", Artifact, "key__startswith=fastq/", "lamindb_artifact_key_idx"},
		{"creator handle on artifacts", Artifact, "created_by__handle=x", "lamindb_artifact_created_by_idx"},
		{"creator handle on transforms", Transform, "created_by__handle=x", "lamindb_transform_created_by_idx"},
		{"transform uid prefix on artifacts", Artifact, "transform=qCJPkOuZ", "lamindb_artifact_run_idx"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			text, args, err := New(tt.reg).Filter(mustParse(t, tt.reg, tt.expr)...).SQL(st.Dialect(), "t.id, t.uid")
			if err != nil {
				t.Fatal(err)
			}
			rows, err := st.Query(context.Background(), "EXPLAIN QUERY PLAN "+text, args...)
			if err != nil {
				t.Fatal(err)
			}
			defer rows.Close()
			var plan []string
			for rows.Next() {
				var id, parent, unused int
				var detail string
				if err := rows.Scan(&id, &parent, &unused, &detail); err != nil {
					t.Fatal(err)
				}
				plan = append(plan, detail)
			}
			if err := rows.Err(); err != nil {
				t.Fatal(err)
			}
			all := strings.Join(plan, "\n")
			for _, line := range plan {
				if l := strings.TrimSpace(line); l == "SCAN t" || strings.HasPrefix(l, "SCAN t ") {
					t.Errorf("plan scans the table:\n%s\n%s", all, text)
				}
			}
			if !strings.Contains(all, "USING INDEX") && !strings.Contains(all, "USING COVERING INDEX") {
				t.Errorf("plan uses no index:\n%s", all)
			}
			if !strings.Contains(all, "SEARCH t USING INDEX "+tt.index+" ") {
				t.Errorf("plan does not search t with %s:\n%s", tt.index, all)
			}
		})
	}
}

// growSQL adds rows to the PostgreSQL fixture until its planner prefers an
// index over a scan for a selective filter, as on a real instance: 100
// users, 2,000 transforms with one run each, 5,000 artifacts, all in main.
var growSQL = []string{
	`INSERT INTO lamindb_user (id, uid, handle)
		SELECT 1000 + g, 'U' || lpad(g::text, 7, '0'), 'bulk' || g FROM generate_series(1, 100) g`,
	`INSERT INTO lamindb_transform (id, uid, key, type, created_by_id)
		SELECT 1000 + g, 'Bulk' || lpad(g::text, 12, '0'), 'bulk/' || g || '.py', 'script', 1001 + g % 100
		FROM generate_series(1, 2000) g`,
	`INSERT INTO lamindb_run (id, uid, transform_id, started_at, created_by_id)
		SELECT 1000 + g, 'BulkRun' || lpad(g::text, 13, '0'), 1000 + g, '2024-02-01', 1001 + g % 100
		FROM generate_series(1, 2000) g`,
	`INSERT INTO lamindb_artifact (id, uid, key, storage_id, suffix, run_id, _key_is_virtual, _overwrite_versions, created_by_id)
		SELECT 1000 + g, 'BulkArt' || lpad(g::text, 13, '0'), 'bulk/' || (g % 500) || '/' || g || '.csv', 1, '.csv',
			1001 + g % 2000, FALSE, FALSE, 1001 + g % 100
		FROM generate_series(1, 5000) g`,
	`ANALYZE`,
}

// TestIndexedFiltersUseIndexesOnPostgres checks PostgreSQL's plan for the
// filters of TestIndexedFiltersUseIndexes on a grown, analysed fixture: the
// queried table must be read through an index, not scanned.
func TestIndexedFiltersUseIndexesOnPostgres(t *testing.T) {
	st := openPostgresFixture(t)
	ctx := context.Background()
	for _, s := range growSQL {
		if _, err := st.Exec(ctx, s); err != nil {
			t.Fatalf("%v\n%s", err, s)
		}
	}
	tests := []struct {
		name    string
		reg     *Registry
		expr    string
		index   string // "" when any index will do
		pgIssue string
	}{
		{"key prefix on artifacts", Artifact, "key__startswith=bulk/7/", "", ""},
		{"creator handle on artifacts", Artifact, "created_by__handle=bulk7", "lamindb_artifact_created_by_idx", ""},
		{"creator handle on transforms", Transform, "created_by__handle=bulk7", "lamindb_transform_created_by_idx", ""},
		{"transform uid prefix on artifacts", Artifact, "transform=qCJPkOuZ", "lamindb_artifact_run_idx", ""},
		// Search: the fixture is too small for the planner to prefer the
		// trigram indexes (10,000 transforms are not), so this checks that
		// they serve every column's match under the hints the SDK runs the
		// search with (SearchHints).
		{"search candidates on transforms", Transform, "", "BitmapOr", ""},
	}
	canScan := func(name string) bool { return !strings.Contains(name, "search") }
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			q := candidates(st.Dialect(), tt.reg, "bulk/77.py", SearchOptions{})
			if tt.expr != "" {
				q = New(tt.reg).Filter(mustParse(t, tt.reg, tt.expr)...)
			}
			text, args, err := q.SQL(st.Dialect(), "t.id, t.uid")
			if err != nil {
				t.Fatal(err)
			}
			var plan []string
			err = st.Tx(ctx, func(tx *meta.Tx) error {
				if !canScan(tt.name) {
					for _, set := range SearchHints {
						if _, err := tx.Exec(ctx, set); err != nil {
							return err
						}
					}
				}
				rows, err := tx.Query(ctx, "EXPLAIN "+text, args...)
				if err != nil {
					return err
				}
				defer rows.Close()
				for rows.Next() {
					var line string
					if err := rows.Scan(&line); err != nil {
						return err
					}
					plan = append(plan, line)
				}
				return rows.Err()
			})
			if err != nil {
				t.Fatal(err)
			}
			all := strings.Join(plan, "\n")
			switch {
			case strings.Contains(all, "Seq Scan on "+tt.reg.Table+" t"):
				err = fmt.Errorf("%w %s:\n%s\n%s", errSeqScan, tt.reg.Table, all, text)
			case !strings.Contains(all, "Index"):
				err = fmt.Errorf("plan uses no index:\n%s", all)
			case !strings.Contains(all, tt.index):
				err = fmt.Errorf("plan does not use %s:\n%s", tt.index, all)
			}
			checkUnlessKnown(t, st, tt.pgIssue, err)
		})
	}
}
