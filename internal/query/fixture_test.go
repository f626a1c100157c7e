package query

import (
	"context"
	"path/filepath"
	"testing"

	"github.com/lamin-go/lamin/internal/meta"
	"github.com/lamin-go/lamin/internal/meta/postgres"
	"github.com/lamin-go/lamin/internal/meta/sqlite"
	"github.com/lamin-go/lamin/internal/testenv"
)

// dialects are the engines the query tests compile for. Compiling SQL needs
// no server; running it does (see forEachDialect).
var dialects = []meta.Dialect{sqlite.Dialect{}, postgres.Dialect{}}

// fixtureSQL is a small lineage graph modelled on the reference scenario.
//
// Runs: 1→T1 (user 2), 2→T2 (user 1), 3→T3 (user 2), 4→T4 (user 2),
// 5→T5 (user 2), 6→T2 (user 1).
// Inputs: A1→R1, A4→R3, A5→R3, A6→R4, A7→R5, A7→R6, A2→R5.
// Hidden rows: T6 and A9 in the trash, A10 archived, A3 is a run artifact.
var fixtureSQL = []string{
	`INSERT INTO lamindb_user (id, uid, handle, name) VALUES
		(1, 'DzTjkKse', 'testuser1', 'Test User1'),
		(2, 'bKeW4T6E', 'testuser2', NULL)`,
	`INSERT INTO lamindb_storage (id, uid, root, type, created_by_id) VALUES (1, 'Storage00001', '/data/mydata', 'local', 1)`,
	`INSERT INTO lamindb_transform (id, uid, key, description, type, version, created_by_id, _branch_code) VALUES
		(1, 'T0T28btuB0PG0000', 'hit-identification.ipynb', 'GWS CRIPSRa analysis', 'notebook', NULL, 2, 1),
		(2, 'qCJPkOuZAi9q0000', 'chromium_10x_upload.py', NULL, 'script', NULL, 1, 1),
		(3, '3fkyE88RrVHT0000', 'Cell Ranger', NULL, 'pipeline', '7.2.0', 2, 1),
		(4, 'YqmbO6oMXjRj0000', 'postprocess_cellranger.py', NULL, 'script', NULL, 2, 1),
		(5, 'lB3IyPLQSmvt0000', 'integrated-analysis.ipynb', 'Perform single cell analysis, integrate with CRISPRa screen', 'notebook', NULL, 2, 1),
		(6, 'Trsh0ld000000000', 'old.py', NULL, 'script', NULL, 1, -1)`,
	`INSERT INTO lamindb_run (id, uid, name, transform_id, started_at, finished_at, created_by_id, _status_code) VALUES
		(1, 'Run1aaaaaaaaaaaa', NULL, 1, '2024-01-01 10:00:00.000000+00:00', NULL, 2, -1),
		(2, 'Run2aaaaaaaaaaaa', 'upload', 2, '2024-01-02 10:00:00.000000+00:00', '2024-01-02 10:05:00.000000+00:00', 1, 0),
		(3, 'Run3aaaaaaaaaaaa', NULL, 3, '2024-01-03 10:00:00.000000+00:00', NULL, 2, -1),
		(4, 'Run4aaaaaaaaaaaa', NULL, 4, '2024-01-04 10:00:00.000000+00:00', NULL, 2, -1),
		(5, 'Run5aaaaaaaaaaaa', NULL, 5, '2024-01-05 10:00:00.000000+00:00', NULL, 2, -1),
		(6, 'Run6aaaaaaaaaaaa', NULL, 2, '2024-01-06 10:00:00.000000+00:00', NULL, 1, -1)`,
	`INSERT INTO lamindb_artifact (id, uid, key, description, storage_id, suffix, kind, otype, size, n_observations, run_id,
		_key_is_virtual, _overwrite_versions, created_by_id, _branch_code) VALUES
		(1, 'Art1aaaaaaaaaaaa0000', 'schmidt22-crispra-gws-IFNG.csv', 'Raw data of schmidt22 crispra GWS', 1, '.csv', NULL, NULL, NULL, NULL, NULL, FALSE, FALSE, 1, 1),
		(2, 'Art2aaaaaaaaaaaa0000', NULL, 'hits from schmidt22 crispra GWS', 1, '.parquet', 'dataset', 'DataFrame', 17075, 123, 1, TRUE, FALSE, 2, 1),
		(3, 'Art3aaaaaaaaaaaa0000', NULL, 'requirements.txt', 1, '.txt', '__lamindb_run__', NULL, 40, NULL, NULL, TRUE, FALSE, 1, 1),
		(4, 'Art4aaaaaaaaaaaa0000', 'fastq/perturbseq_R1_001.fastq.gz', NULL, 1, '.fastq.gz', NULL, NULL, 6, NULL, 2, FALSE, FALSE, 1, 1),
		(5, 'Art5aaaaaaaaaaaa0000', 'fastq/perturbseq_R2_001.fastq.gz', NULL, 1, '.fastq.gz', NULL, NULL, 6, NULL, 2, FALSE, FALSE, 1, 1),
		(6, 'Art6aaaaaaaaaaaa0000', 'perturbseq/filtered_feature_bc_matrix/barcodes.tsv.gz', NULL, 1, '.tsv.gz', NULL, NULL, 6, NULL, 3, FALSE, FALSE, 2, 1),
		(7, 'Art7aaaaaaaaaaaa0000', 'schmidt22_perturbseq.h5ad', 'perturbseq counts', 1, '.h5ad', NULL, 'AnnData', 20659936, NULL, 4, FALSE, FALSE, 2, 1),
		(8, 'Art8aaaaaaaaaaaa0000', 'figures/umap_fig1_score-wgs-hits.png', NULL, 1, '.png', NULL, NULL, 119000, NULL, 5, TRUE, FALSE, 2, 1),
		(9, 'Art9aaaaaaaaaaaa0000', 'fastq/trashed.fastq.gz', NULL, 1, '.fastq.gz', NULL, NULL, 6, NULL, 2, FALSE, FALSE, 1, -1),
		(10, 'ArtAaaaaaaaaaaaa0000', 'old/archived.csv', NULL, 1, '.csv', NULL, NULL, 10, NULL, NULL, FALSE, FALSE, 1, 0)`,
	`INSERT INTO lamindb_artifact_input_of_runs (artifact_id, run_id) VALUES (1, 1), (4, 3), (5, 3), (6, 4), (7, 5), (7, 6), (2, 5)`,
	`INSERT INTO lamindb_artifact__previous_runs (artifact_id, run_id) VALUES (4, 6)`,
	`INSERT INTO lamindb_collection (id, uid, key, run_id, created_by_id) VALUES (1, 'Col1aaaaaaaaaaaa0000', 'perturbseq-collection', 4, 2)`,
	`INSERT INTO lamindb_collectionartifact (collection_id, artifact_id, created_by_id) VALUES (1, 6, 2), (1, 7, 2)`,
}

// fixtureSequencesSQL moves PostgreSQL's identity sequences past the explicit
// ids of fixtureSQL, so rows inserted later without an id do not collide.
// (SQLite's rowid needs no such step.)
var fixtureSequencesSQL = []string{
	`SELECT setval(pg_get_serial_sequence('lamindb_user', 'id'), (SELECT max(id) FROM lamindb_user))`,
	`SELECT setval(pg_get_serial_sequence('lamindb_storage', 'id'), (SELECT max(id) FROM lamindb_storage))`,
	`SELECT setval(pg_get_serial_sequence('lamindb_transform', 'id'), (SELECT max(id) FROM lamindb_transform))`,
	`SELECT setval(pg_get_serial_sequence('lamindb_run', 'id'), (SELECT max(id) FROM lamindb_run))`,
	`SELECT setval(pg_get_serial_sequence('lamindb_artifact', 'id'), (SELECT max(id) FROM lamindb_artifact))`,
	`SELECT setval(pg_get_serial_sequence('lamindb_collection', 'id'), (SELECT max(id) FROM lamindb_collection))`,
}

// openFixture returns a migrated SQLite store in t.TempDir() holding fixtureSQL.
func openFixture(t testing.TB) *meta.Store {
	t.Helper()
	st, err := sqlite.Open(context.Background(), filepath.Join(t.TempDir(), "lamin.db"))
	if err != nil {
		t.Fatal(err)
	}
	return loadFixture(t, st)
}

// openPostgresFixture returns a migrated store on a fresh PostgreSQL database
// holding fixtureSQL; it skips t when LAMIN_TEST_POSTGRES is unset.
func openPostgresFixture(t testing.TB) *meta.Store {
	t.Helper()
	st, err := postgres.Open(context.Background(), testenv.Postgres(t))
	if err != nil {
		t.Fatal(err)
	}
	return loadFixture(t, st)
}

// loadFixture migrates st, inserts fixtureSQL and closes st when t ends.
func loadFixture(t testing.TB, st *meta.Store) *meta.Store {
	t.Helper()
	ctx := context.Background()
	t.Cleanup(func() { st.Close() })
	if _, err := st.Migrate(ctx); err != nil {
		t.Fatal(err)
	}
	stmts := fixtureSQL
	if st.Dialect().Name() == "postgres" {
		stmts = append(append([]string{}, fixtureSQL...), fixtureSequencesSQL...)
	}
	for _, s := range stmts {
		if _, err := st.Exec(ctx, s); err != nil {
			t.Fatalf("fixture on %s: %v\n%s", st.Dialect().Name(), err, s)
		}
	}
	return st
}

// forEachDialect runs fn as the subtest "on SQLite" with a fresh SQLite
// fixture and as "on PostgreSQL" with a fresh PostgreSQL one (skipped unless
// LAMIN_TEST_POSTGRES names a server). Both hold the same rows, so table
// tests state one expectation for both engines.
func forEachDialect(t *testing.T, fn func(t *testing.T, st *meta.Store)) {
	t.Helper()
	t.Run("on SQLite", func(t *testing.T) { fn(t, openFixture(t)) })
	t.Run("on PostgreSQL", func(t *testing.T) { fn(t, openPostgresFixture(t)) })
}

// onPostgres reports whether st is a PostgreSQL store.
func onPostgres(st *meta.Store) bool { return st.Dialect().Name() == "postgres" }

// queryIDs runs q and returns the ids in result order.
func queryIDs(t testing.TB, st *meta.Store, q *Query) []int64 {
	t.Helper()
	ids, err := runIDs(st, q)
	if err != nil {
		text, args, _ := q.SQL(st.Dialect(), "t.id")
		t.Fatalf("%v\n%s %v", err, text, args)
	}
	return ids
}

// runIDs is queryIDs returning the error instead of failing.
func runIDs(st *meta.Store, q *Query) ([]int64, error) {
	text, args, err := q.SQL(st.Dialect(), "t.id")
	if err != nil {
		return nil, err
	}
	rows, err := st.Query(context.Background(), text, args...)
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	ids := []int64{}
	for rows.Next() {
		var id int64
		if err := rows.Scan(&id); err != nil {
			return nil, err
		}
		ids = append(ids, id)
	}
	return ids, rows.Err()
}

// mustParse parses exprs on reg or fails the test.
func mustParse(t testing.TB, reg *Registry, exprs ...string) []Condition {
	t.Helper()
	cs, err := ParseFilters(reg, exprs)
	if err != nil {
		t.Fatal(err)
	}
	return cs
}
