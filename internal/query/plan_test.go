package query

import (
	"context"
	"strings"
	"testing"
)

// TestIndexedFiltersUseIndexes checks SQLite's plan for the filters the CLI
// runs most: a key prefix (folder listing) and a user handle.
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
