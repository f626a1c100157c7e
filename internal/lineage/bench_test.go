package lineage

import (
	"context"
	"fmt"
	"os"
	"path/filepath"
	"sync"
	"testing"
	"time"

	"github.com/lamin-go/lamin/internal/meta"
	"github.com/lamin-go/lamin/internal/meta/sqlite"
	"github.com/lamin-go/lamin/internal/testenv"
)

// BenchmarkLineageChain1000 assembles the graph of the artifact at the end
// of a chain of 1,000 runs, each reading the previous run's output.
func BenchmarkLineageChain1000(b *testing.B) {
	f := newFixture(b)
	last := f.chain(1000)
	benchmarkBuild(b, f.store, last.UID, 2*1000+1)
}

// BenchmarkLineageLargeInstance assembles the graph of one artifact in an
// instance of 100,000 runs and 1,000,000 input/output edges: 1,000
// projects of 100 runs, each run reading the 5 outputs of the run before it
// (the first reads 5 raw files) and writing 5. The queried artifact is the
// last output of a project in the middle, so its graph holds that
// project's 100 runs; the time should not depend on the other 999.
func BenchmarkLineageLargeInstance(b *testing.B) {
	if testing.Short() {
		b.Skip("builds an instance of 100,000 runs; skipped in -short mode")
	}
	large.once.Do(func() {
		if large.err = large.build(); large.err == nil {
			b.Logf("instance of %d runs and %d edges, built in %s", largeProjects*largeRunsPer, large.edges, large.took.Round(time.Millisecond))
		}
	})
	if large.err != nil {
		b.Fatal(large.err)
	}
	benchmarkBuild(b, large.store, large.target, largeRunsPer*(largeWidth+1)+largeWidth)
}

func benchmarkBuild(b *testing.B, store *meta.Store, uid string, wantNodes int) {
	b.Helper()
	ctx := context.Background()
	c := NewCounter(store)
	b.ResetTimer()
	for i := 0; i < b.N; i++ {
		g, err := Build(ctx, c, uid, Options{})
		if err != nil {
			b.Fatal(err)
		}
		if len(g.Nodes) != wantNodes {
			b.Fatalf("%d nodes, want %d", len(g.Nodes), wantNodes)
		}
	}
	b.ReportMetric(float64(c.Statements())/float64(b.N), "stmts/op")
}

// The large instance's shape: projects × runs per project, each run with
// width inputs and width outputs.
const largeProjects, largeRunsPer, largeWidth = 1000, 100, 5

// largeInstance is built once per test binary, as the benchmark function
// runs more than once; TestMain removes its folder.
type largeInstance struct {
	once   sync.Once
	dir    string
	store  *meta.Store
	target string
	edges  int64
	took   time.Duration
	err    error
}

var large largeInstance

func TestMain(m *testing.M) {
	code := testenv.Run(m)
	if large.store != nil {
		large.store.Close()
	}
	if large.dir != "" {
		os.RemoveAll(large.dir)
	}
	os.Exit(code)
}

func (l *largeInstance) build() error {
	start := time.Now()
	ctx := context.Background()
	var err error
	if l.dir, err = os.MkdirTemp("", "lamin-lineage-bench-"); err != nil {
		return err
	}
	if l.store, err = sqlite.Open(ctx, filepath.Join(l.dir, "lamin.db")); err != nil {
		return err
	}
	if _, err := l.store.Migrate(ctx); err != nil {
		return err
	}
	if err := bulkInstance(ctx, l.store, largeProjects, largeRunsPer, largeWidth); err != nil {
		return err
	}
	l.took = time.Since(start)
	if err := l.store.QueryRow(ctx, `SELECT (SELECT COUNT(*) FROM lamindb_artifact WHERE run_id IS NOT NULL) +
		(SELECT COUNT(*) FROM lamindb_artifact_input_of_runs)`).Scan(&l.edges); err != nil {
		return err
	}
	lastRun := int64(largeProjects/2*largeRunsPer + largeRunsPer) // last run of project 500 (ids from 1)
	return l.store.QueryRow(ctx, `SELECT uid FROM lamindb_artifact WHERE run_id = ? ORDER BY id DESC LIMIT 1`, lastRun).Scan(&l.target)
}

// bulkInstance fills an empty instance with projects × runsPer runs in a
// few INSERT … SELECT statements over generated sequences, in one
// transaction. Run n (from 1) belongs to project (n-1)/runsPer and writes
// artifacts (n-1)·width+1 … n·width; the raw inputs of project p follow
// all outputs.
func bulkInstance(ctx context.Context, store *meta.Store, projects, runsPer, width int) error {
	runs := projects * runsPer
	now := meta.FormatTime(time.Date(2025, 10, 7, 12, 0, 0, 0, time.UTC))
	seq := func(name string, from, to int) string {
		return fmt.Sprintf(`%s(n) AS (SELECT %d UNION ALL SELECT n + 1 FROM %s WHERE n < %d)`, name, from, name, to)
	}
	kinds := fmt.Sprintf(`w(k) AS (SELECT n FROM (WITH RECURSIVE %s SELECT n FROM ws) x)`, seq("ws", 0, width-1))
	rawBase := runs * width
	stmts := []string{
		`INSERT INTO lamindb_user (id, uid, handle) VALUES (1, 'usr00001', 'testuser1')`,
		`INSERT INTO lamindb_storage (id, uid, root, type, created_by_id) VALUES (1, 'stor00000001', '/data/mydata', 'local', 1)`,
		fmt.Sprintf(`WITH RECURSIVE %s INSERT INTO lamindb_transform (id, uid, key, type, created_by_id, created_at, updated_at)
			SELECT n, printf('T%%011d0000', n), printf('step_%%d.py', n), 'script', 1, '%s', '%s' FROM t`,
			seq("t", 1, runsPer), now, now),
		fmt.Sprintf(`WITH RECURSIVE %s INSERT INTO lamindb_run (id, uid, transform_id, started_at, finished_at, _status_code, created_by_id, created_at)
			SELECT n, printf('R%%015d', n), 1 + (n - 1) %% %d, '%s', '%s', 0, 1, '%s' FROM r`,
			seq("r", 1, runs), runsPer, now, now, now),
		fmt.Sprintf(`WITH RECURSIVE %s, %s INSERT INTO lamindb_artifact (id, uid, description, storage_id, suffix, hash, _hash_type, run_id,
			_key_is_virtual, _overwrite_versions, created_by_id, created_at, updated_at)
			SELECT (n - 1) * %[3]d + k + 1, printf('A%%015d0000', (n - 1) * %[3]d + k + 1), 'output', 1, '.csv',
				printf('h%%021d', (n - 1) * %[3]d + k + 1), 'md5', n, 1, 0, 1, '%[4]s', '%[4]s' FROM r, w`,
			seq("r", 1, runs), kinds, width, now),
		fmt.Sprintf(`WITH RECURSIVE %s, %s INSERT INTO lamindb_artifact (id, uid, description, storage_id, suffix, hash, _hash_type,
			_key_is_virtual, _overwrite_versions, created_by_id, created_at, updated_at)
			SELECT %[3]d + n * %[4]d + k + 1, printf('A%%015d0000', %[3]d + n * %[4]d + k + 1), 'raw', 1, '.csv',
				printf('h%%021d', %[3]d + n * %[4]d + k + 1), 'md5', 1, 0, 1, '%[5]s', '%[5]s' FROM p, w`,
			seq("p", 0, projects-1), kinds, rawBase, width, now),
		fmt.Sprintf(`WITH RECURSIVE %s, %s INSERT INTO lamindb_artifact_input_of_runs (artifact_id, run_id)
			SELECT CASE WHEN (n - 1) %% %[3]d = 0 THEN %[4]d + ((n - 1) / %[3]d) * %[5]d + k + 1 ELSE (n - 2) * %[5]d + k + 1 END, n
			FROM r, w`, seq("r", 1, runs), kinds, runsPer, rawBase, width),
	}
	return store.Tx(ctx, func(tx *meta.Tx) error {
		for _, s := range stmts {
			if _, err := tx.Exec(ctx, s); err != nil {
				return fmt.Errorf("%w\n%s", err, s)
			}
		}
		return nil
	})
}
