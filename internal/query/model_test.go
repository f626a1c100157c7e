package query

import (
	"context"
	"strings"
	"testing"

	"github.com/google/go-cmp/cmp"
	"github.com/lamin-go/lamin/internal/meta"
)

func TestFrameColumnsFollowToDataframeOrder(t *testing.T) {
	tests := []struct {
		name string
		reg  *Registry
		want string
	}{
		{"artifact as in the reference", Artifact, "uid, key, description, suffix, kind, otype, size, hash, n_files, n_observations, _hash_type, " +
			"_key_is_virtual, _overwrite_versions, space_id, storage_id, schema_id, version, is_latest, is_locked, run_id, created_at, " +
			"created_by_id, _aux, _real_key, branch_id"},
		{"transform as in the reference", Transform, "uid, key, description, type, source_code, hash, reference, reference_type, space_id, " +
			"_template_id, version, is_latest, is_locked, created_at, created_by_id, _aux, branch_id"},
		{"run as in the reference", Run, "uid, name, started_at, finished_at, reference, reference_type, _is_consecutive, _status_code, " +
			"space_id, transform_id, report_id, _logfile_id, environment_id, initiated_by_run_id, is_locked, created_at, created_by_id, _aux, branch_id"},
		{"storage as in the reference", Storage, "uid, root, description, type, region, instance_uid, space_id, is_locked, run_id, " +
			"created_at, created_by_id, _aux, branch_id"},
		{"user", User, "uid, handle, name, created_at, updated_at"},
		{"collection by the ordering rule", Collection, "uid, key, description, hash, reference, reference_type, space_id, meta_artifact_id, " +
			"version, is_latest, is_locked, run_id, created_at, created_by_id, _aux, branch_id"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			var got []string
			for _, c := range tt.reg.FrameColumns() {
				got = append(got, c.Name)
			}
			if diff := cmp.Diff(strings.Split(tt.want, ", "), got); diff != "" {
				t.Errorf("columns (-want +got):\n%s", diff)
			}
		})
	}
}

func TestLookupRegistryAcceptsSingularAndPluralNames(t *testing.T) {
	tests := []struct {
		name string
		in   string
		want *Registry
	}{
		{"a singular name", "artifact", Artifact},
		{"a plural name", "artifacts", Artifact},
		{"a class name", "Transform", Transform},
		{"an upper-case plural", "RUNS", Run},
		{"users", "users", User},
		{"storages", "storage", Storage},
		{"collections", "collections", Collection},
		{"branches are found for traversal", "branches", Branch},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got, err := LookupRegistry(tt.in)
			if err != nil || got != tt.want {
				t.Errorf("LookupRegistry(%q) = %v, %v", tt.in, got, err)
			}
		})
	}
	t.Run("an unknown name lists the registries", func(t *testing.T) {
		_, err := LookupRegistry("x")
		want := "unknown registry 'x'; use one of artifact, transform, run, user, storage, collection"
		if err == nil || err.Error() != want {
			t.Errorf("error = %v, want %q", err, want)
		}
	})
}

func TestSelectListNamesColumnsAsExposed(t *testing.T) {
	got := Storage.SelectList("t")
	if !strings.HasPrefix(got, "t.id, t.uid, t.root,") || !strings.Contains(got, "t._branch_code AS branch_id") {
		t.Errorf("SelectList = %s", got)
	}
}

// TestModelMatchesTheSchema checks every column and relation of the model
// against the migrated schema of each dialect.
func TestModelMatchesTheSchema(t *testing.T) {
	forEachDialect(t, func(t *testing.T, st *meta.Store) {
		for _, reg := range allRegistries {
			t.Run(reg.Name+" columns and relations exist", func(t *testing.T) {
				cols := tableColumns(t, st, reg.Table)
				for _, c := range reg.Columns {
					if !cols[c.SQL] {
						t.Errorf("%s has no column %s", reg.Table, c.SQL)
					}
				}
				if len(cols) != len(reg.Columns) {
					t.Errorf("%s has %d columns, the model %d", reg.Table, len(cols), len(reg.Columns))
				}
				for _, rel := range reg.Relations {
					target := registryByName(rel.Target)
					switch rel.Kind {
					case Forward:
						if !cols[rel.Column] {
							t.Errorf("%s: no column %s", rel.Name, rel.Column)
						}
					case Reverse:
						if !tableColumns(t, st, target.Table)[rel.Column] {
							t.Errorf("%s: %s has no column %s", rel.Name, target.Table, rel.Column)
						}
					case ManyToMany:
						link := tableColumns(t, st, rel.Through)
						if !link[rel.ThroughSource] || !link[rel.ThroughTarget] {
							t.Errorf("%s: %s lacks %s or %s", rel.Name, rel.Through, rel.ThroughSource, rel.ThroughTarget)
						}
					}
				}
			})
		}
	})
}

// tableColumns returns the column names of table in st's schema.
func tableColumns(t *testing.T, st *meta.Store, table string) map[string]bool {
	t.Helper()
	q := "SELECT name FROM pragma_table_info(?)"
	if onPostgres(st) {
		q = "SELECT column_name FROM information_schema.columns WHERE table_schema = current_schema() AND table_name = ?"
	}
	rows, err := st.Query(context.Background(), q, table)
	if err != nil {
		t.Fatal(err)
	}
	defer rows.Close()
	out := map[string]bool{}
	for rows.Next() {
		var n string
		if err := rows.Scan(&n); err != nil {
			t.Fatal(err)
		}
		out[n] = true
	}
	if err := rows.Err(); err != nil {
		t.Fatal(err)
	}
	if len(out) == 0 {
		t.Fatalf("no table %s", table)
	}
	return out
}
