package lineage

import (
	"context"
	"fmt"
	"path/filepath"
	"testing"
	"time"

	"github.com/lamin-go/lamin/internal/meta"
	"github.com/lamin-go/lamin/internal/meta/postgres"
	"github.com/lamin-go/lamin/internal/meta/sqlite"
	"github.com/lamin-go/lamin/internal/testenv"
	"github.com/lamin-go/lamin/record"
)

// fixture is a fresh SQLite instance schema with one user and one storage,
// where tests insert runs, artifacts and links directly.
type fixture struct {
	tb      testing.TB
	ctx     context.Context
	store   *meta.Store
	user    *record.User
	storage *record.Storage
	clock   time.Time
	n       int
}

func newFixture(tb testing.TB) *fixture {
	tb.Helper()
	store, err := sqlite.Open(context.Background(), filepath.Join(tb.TempDir(), "lamin.db"))
	if err != nil {
		tb.Fatal(err)
	}
	return newFixtureOn(tb, store)
}

// eachDialect runs fn on a fresh SQLite instance and, when
// LAMIN_TEST_POSTGRES names a server, on a fresh PostgreSQL database: the
// traversal SQL is the same text on both.
func eachDialect(t *testing.T, fn func(t *testing.T, f *fixture)) {
	t.Run("on SQLite", func(t *testing.T) { fn(t, newFixture(t)) })
	t.Run("on PostgreSQL", func(t *testing.T) {
		store, err := postgres.Open(context.Background(), testenv.Postgres(t))
		if err != nil {
			t.Fatal(err)
		}
		fn(t, newFixtureOn(t, store))
	})
}

func newFixtureOn(tb testing.TB, store *meta.Store) *fixture {
	tb.Helper()
	ctx := context.Background()
	tb.Cleanup(func() { store.Close() })
	if _, err := store.Migrate(ctx); err != nil {
		tb.Fatal(err)
	}
	f := &fixture{tb: tb, ctx: ctx, store: store, clock: time.Date(2025, 10, 7, 12, 0, 0, 0, time.UTC)}
	name := "Test User"
	f.user = &record.User{UID: "usr00001", Handle: "testuser1", Name: &name, CreatedAt: f.clock, UpdatedAt: f.clock}
	f.must(meta.InsertUser(ctx, store, f.user))
	f.storage = &record.Storage{UID: "stor00000001", Root: "/data/mydata", Type: "local", SpaceID: 1, BranchID: 1,
		CreatedByID: f.user.ID, CreatedAt: f.clock, UpdatedAt: f.clock}
	f.must(meta.InsertStorage(ctx, store, f.storage))
	return f
}

func (f *fixture) must(err error) {
	f.tb.Helper()
	if err != nil {
		f.tb.Fatal(err)
	}
}

// tick returns a strictly increasing timestamp, so node order is creation order.
func (f *fixture) tick() time.Time {
	f.n++
	return f.clock.Add(time.Duration(f.n) * time.Second)
}

func (f *fixture) transform(key, typ string) *record.Transform {
	f.tb.Helper()
	now := f.tick()
	t := &record.Transform{UID: fmt.Sprintf("T%011d0000", f.n), Key: &key, Type: typ, IsLatest: true, SpaceID: 1, BranchID: 1,
		CreatedByID: f.user.ID, CreatedAt: now, UpdatedAt: now}
	f.must(meta.InsertTransform(f.ctx, f.store, t))
	return t
}

// version adds the next version of t's family.
func (f *fixture) version(t *record.Transform) *record.Transform {
	f.tb.Helper()
	now := f.tick()
	v := *t
	v.ID = 0
	v.UID = t.UID[:12] + fmt.Sprintf("%04d", 1)
	v.CreatedAt, v.UpdatedAt = now, now
	f.must(meta.InsertTransform(f.ctx, f.store, &v))
	return &v
}

func (f *fixture) run(t *record.Transform, inputs ...*record.Artifact) *record.Run {
	f.tb.Helper()
	now := f.tick()
	code := int64(0)
	end := now.Add(500 * time.Millisecond)
	r := &record.Run{UID: fmt.Sprintf("R%015d", f.n), TransformID: t.ID, StartedAt: now, FinishedAt: &end, StatusCode: &code,
		SpaceID: 1, BranchID: 1, CreatedByID: f.user.ID, CreatedAt: now}
	f.must(meta.InsertRun(f.ctx, f.store, r))
	for _, a := range inputs {
		f.input(a, r)
	}
	return r
}

func (f *fixture) input(a *record.Artifact, r *record.Run) {
	f.tb.Helper()
	f.must(meta.AddRunInputs(f.ctx, f.store, r.ID, a.ID))
}

// artifact adds an artifact made by run (nil: registered outside a run).
func (f *fixture) artifact(description string, run *record.Run) *record.Artifact {
	f.tb.Helper()
	now := f.tick()
	hash := fmt.Sprintf("hash%018d", f.n)
	ht := "md5"
	size := int64(6)
	a := &record.Artifact{UID: fmt.Sprintf("A%015d0000", f.n), Description: &description, Suffix: ".csv", Size: &size,
		Hash: &hash, HashType: &ht, KeyIsVirtual: true, SpaceID: 1, StorageID: f.storage.ID, IsLatest: true,
		CreatedByID: f.user.ID, CreatedAt: now, UpdatedAt: now, BranchID: 1}
	if run != nil {
		a.RunID = &run.ID
	}
	f.must(meta.InsertArtifact(f.ctx, f.store, a))
	return a
}

// collection adds a collection made by run and links it as an input of readers.
func (f *fixture) collection(key string, run *record.Run, readers ...*record.Run) (id int64, uid string) {
	f.tb.Helper()
	now := f.store.Dialect().TimeArg(f.tick())
	uid = fmt.Sprintf("C%015d0000", f.n)
	var runID any
	if run != nil {
		runID = run.ID
	}
	f.must(f.store.QueryRow(f.ctx, `INSERT INTO lamindb_collection (uid, key, run_id, created_by_id, created_at, updated_at)
		VALUES (?, ?, ?, ?, ?, ?) RETURNING id`, uid, key, runID, f.user.ID, now, now).Scan(&id))
	for _, r := range readers {
		_, err := f.store.Exec(f.ctx, `INSERT INTO lamindb_collection_input_of_runs (collection_id, run_id) VALUES (?, ?)`, id, r.ID)
		f.must(err)
	}
	return id, uid
}

func (f *fixture) trash(a *record.Artifact) {
	f.tb.Helper()
	_, err := f.store.Exec(f.ctx, `UPDATE lamindb_artifact SET _branch_code = -1 WHERE id = ?`, a.ID)
	f.must(err)
}

func (f *fixture) build(uid string, o Options) *Graph {
	f.tb.Helper()
	g, err := Build(f.ctx, f.store, uid, o)
	if err != nil {
		f.tb.Fatalf("lineage of %s: %v", uid, err)
	}
	return g
}

// schmidt is the reference project's shape: raw data → hit calling;
// upload → Cell Ranger → post-processing; both → integrated analysis →
// figures; a review notebook reads one figure.
type schmidt struct {
	raw, hits, fastq1, fastq2, m1, m2, m3, h5ad, umap, matrixplot *record.Artifact
	hitRun, upload, cellranger, post, integrated, review          *record.Run
}

func (f *fixture) schmidt() *schmidt {
	s := &schmidt{}
	s.raw = f.artifact("Raw data of schmidt22 crispra GWS", nil)
	s.hitRun = f.run(f.transform("hit-identification.ipynb", "notebook"), s.raw)
	s.hits = f.artifact("hits from schmidt22 crispra GWS", s.hitRun)
	s.upload = f.run(f.transform("chromium_10x_upload.py", "script"))
	s.fastq1 = f.artifact("fastq/perturbseq_R1_001.fastq.gz", s.upload)
	s.fastq2 = f.artifact("fastq/perturbseq_R2_001.fastq.gz", s.upload)
	s.cellranger = f.run(f.transform("Cell Ranger", "pipeline"), s.fastq1, s.fastq2)
	s.m1 = f.artifact("barcodes.tsv.gz", s.cellranger)
	s.m2 = f.artifact("matrix.mtx.gz", s.cellranger)
	s.m3 = f.artifact("features.tsv.gz", s.cellranger)
	s.post = f.run(f.transform("postprocess_cellranger.py", "script"), s.m1, s.m2, s.m3)
	s.h5ad = f.artifact("perturbseq counts", s.post)
	s.integrated = f.run(f.transform("integrated-analysis.ipynb", "notebook"), s.h5ad, s.hits)
	s.umap = f.artifact("umap figure", s.integrated)
	s.matrixplot = f.artifact("matrixplot figure", s.integrated)
	s.review = f.run(f.transform("schmidt22.ipynb", "notebook"), s.matrixplot)
	return s
}

// chain adds n runs, each reading the previous run's output, and returns
// the last output.
func (f *fixture) chain(n int) *record.Artifact {
	t := f.transform("step.py", "script")
	a := f.artifact("start", nil)
	for i := 0; i < n; i++ {
		a = f.artifact(fmt.Sprintf("step %d", i), f.run(t, a))
	}
	return a
}
