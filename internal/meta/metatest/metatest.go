package metatest

import (
	"context"
	"errors"
	"fmt"
	"reflect"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/lamin-go/lamin/internal/meta"
	"github.com/lamin-go/lamin/record"
)

func ptr[T any](v T) *T { return &v }

// Run runs the conformance suite. newStore must return an empty,
// unmigrated store that is private to the test.
func Run(t *testing.T, newStore func(t *testing.T) *meta.Store) {
	ctx := context.Background()
	migrated := func(t *testing.T) *meta.Store {
		s := newStore(t)
		if _, err := s.Migrate(ctx); err != nil {
			t.Fatalf("migrate: %v", err)
		}
		return s
	}

	t.Run("every declared column and link table exists", func(t *testing.T) {
		s := migrated(t)
		for _, d := range record.Registries() {
			var cols []string
			for _, f := range d.Fields() {
				cols = append(cols, f.Column)
			}
			probe(t, s, d.Name, "SELECT "+strings.Join(cols, ", ")+" FROM "+meta.Table(d.Table)+" LIMIT 0")
			for _, rel := range d.Relations {
				switch rel.Kind {
				case record.ManyToMany:
					probe(t, s, d.Name+"."+rel.Name, "SELECT "+rel.ThroughSource+", "+rel.ThroughTarget+" FROM "+meta.Table(rel.Through)+" LIMIT 0")
				case record.Reverse:
					probe(t, s, d.Name+"."+rel.Name, "SELECT "+rel.Column+" FROM "+meta.Table(tableOf(t, rel.Target))+" LIMIT 0")
				}
			}
		}
	})

	t.Run("migrations apply once and are recorded", func(t *testing.T) {
		s := newStore(t)
		applied, err := s.Migrate(ctx)
		if err != nil || len(applied) == 0 {
			t.Fatalf("first migrate applied %v, err %v", applied, err)
		}
		again, err := s.Migrate(ctx)
		if err != nil || len(again) != 0 {
			t.Fatalf("second migrate applied %v, err %v", again, err)
		}
		if err := s.CheckSchema(ctx); err != nil {
			t.Fatalf("check schema: %v", err)
		}
	})

	t.Run("an empty database is older than the binary", func(t *testing.T) {
		s := newStore(t)
		if err := s.CheckSchema(ctx); !errors.Is(err, meta.ErrSchemaOlder) {
			t.Fatalf("got %v, want ErrSchemaOlder", err)
		}
	})

	t.Run("a database from a newer binary is refused", func(t *testing.T) {
		s := migrated(t)
		if _, err := s.Exec(ctx, `INSERT INTO lamin_migrations (version, name, applied_at) VALUES (?, ?, ?)`, 99999, "9999_future.sql", "x"); err != nil {
			t.Fatal(err)
		}
		if err := s.CheckSchema(ctx); !errors.Is(err, meta.ErrSchemaNewer) {
			t.Fatalf("check: got %v, want ErrSchemaNewer", err)
		}
		if _, err := s.Migrate(ctx); !errors.Is(err, meta.ErrSchemaNewer) {
			t.Fatalf("migrate: got %v, want ErrSchemaNewer", err)
		}
	})

	t.Run("seed rows hold the default space and branches", func(t *testing.T) {
		s := migrated(t)
		got := map[int64]string{}
		rows, err := s.Query(ctx, `SELECT id, name, uid FROM lamindb_branch ORDER BY id`)
		if err != nil {
			t.Fatal(err)
		}
		for rows.Next() {
			var id int64
			var name, uid string
			if err := rows.Scan(&id, &name, &uid); err != nil {
				t.Fatal(err)
			}
			got[id] = name + "/" + uid
		}
		rows.Close()
		want := map[int64]string{-1: "trash/tttttttttttt", 0: "archive/aaaaaaaaaaaa", 1: "main/mmmmmmmmmmmm"}
		if fmt.Sprint(got) != fmt.Sprint(want) {
			t.Fatalf("branches %v, want %v", got, want)
		}
		var space string
		if err := s.QueryRow(ctx, `SELECT name FROM lamindb_space WHERE id = 1`).Scan(&space); err != nil || space != "all" {
			t.Fatalf("space 1 = %q, %v", space, err)
		}
	})

	t.Run("records round trip with their timestamps", func(t *testing.T) {
		s := migrated(t)
		f := newFixture(t, s)
		got, err := meta.ArtifactWhere(ctx, s, "WHERE t.id = ?", f.artifact.ID)
		if err != nil {
			t.Fatal(err)
		}
		if got.UID != f.artifact.UID || *got.Key != "a/b.csv" || *got.Size != 6 || !got.IsLatest || got.BranchID != 1 || got.KeyIsVirtual {
			t.Fatalf("artifact read back as %+v", got)
		}
		if !got.CreatedAt.Equal(f.now) {
			t.Fatalf("created_at %v, want %v", got.CreatedAt, f.now)
		}
		r, err := meta.RunWhere(ctx, s, "WHERE t.uid = ?", f.run.UID)
		if err != nil {
			t.Fatal(err)
		}
		if r.FinishedAt != nil || *r.StatusCode != -1 || r.TransformID != f.transform.ID {
			t.Fatalf("run read back as %+v", r)
		}
		done := f.now.Add(1500 * time.Millisecond)
		r.FinishedAt = &done
		r.StatusCode = ptr(int64(0))
		if err := meta.UpdateRun(ctx, s, r); err != nil {
			t.Fatal(err)
		}
		r2, _ := meta.RunWhere(ctx, s, "WHERE t.id = ?", r.ID)
		if r2.FinishedAt == nil || !r2.FinishedAt.Equal(done) || *r2.StatusCode != 0 {
			t.Fatalf("updated run read back as %+v", r2)
		}
	})

	t.Run("database defaults fill timestamps", func(t *testing.T) {
		s := migrated(t)
		if _, err := s.Exec(ctx, `INSERT INTO lamindb_user (uid, handle) VALUES ('abcdefgh', 'dflt')`); err != nil {
			t.Fatal(err)
		}
		u, err := meta.UserWhere(ctx, s, "WHERE t.handle = ?", "dflt")
		if err != nil {
			t.Fatal(err)
		}
		if d := time.Since(u.CreatedAt); d < -time.Minute || d > time.Minute {
			t.Fatalf("default created_at %v is not now", u.CreatedAt)
		}
	})

	t.Run("same content under the same key and storage conflicts", func(t *testing.T) {
		s := migrated(t)
		f := newFixture(t, s)
		dup := *f.artifact
		dup.UID = "BBBBBBBBBBBBBBBB0000"
		if err := meta.InsertArtifact(ctx, s, &dup); !errors.Is(err, meta.ErrConflict) {
			t.Fatalf("got %v, want ErrConflict", err)
		}
		other := dup
		other.Key = ptr("a/c.csv")
		if err := meta.InsertArtifact(ctx, s, &other); err != nil {
			t.Fatalf("same hash under another key: %v", err)
		}
	})

	t.Run("same content without key conflicts", func(t *testing.T) {
		s := migrated(t)
		f := newFixture(t, s)
		a := *f.artifact
		a.Key, a.UID = nil, "CCCCCCCCCCCCCCCC0000"
		if err := meta.InsertArtifact(ctx, s, &a); err != nil {
			t.Fatal(err)
		}
		b := a
		b.UID = "DDDDDDDDDDDDDDDD0000"
		if err := meta.InsertArtifact(ctx, s, &b); !errors.Is(err, meta.ErrConflict) {
			t.Fatalf("got %v, want ErrConflict", err)
		}
	})

	t.Run("foreign keys are enforced", func(t *testing.T) {
		s := migrated(t)
		f := newFixture(t, s)
		a := *f.artifact
		a.UID, a.StorageID, a.Hash = "EEEEEEEEEEEEEEEE0000", 999, ptr("other")
		if err := meta.InsertArtifact(ctx, s, &a); err == nil {
			t.Fatal("artifact with unknown storage was inserted")
		}
	})

	t.Run("deleting a transform deletes its runs", func(t *testing.T) {
		s := migrated(t)
		f := newFixture(t, s)
		f.artifact.RunID = nil
		if err := meta.UpdateArtifact(ctx, s, f.artifact); err != nil {
			t.Fatal(err)
		}
		if err := meta.DeleteTransform(ctx, s, f.transform.ID); err != nil {
			t.Fatal(err)
		}
		if _, err := meta.RunWhere(ctx, s, "WHERE t.id = ?", f.run.ID); !errors.Is(err, meta.ErrNotFound) {
			t.Fatalf("run after transform delete: %v", err)
		}
	})

	t.Run("a run that produced an artifact cannot be deleted", func(t *testing.T) {
		s := migrated(t)
		f := newFixture(t, s)
		if err := meta.DeleteRun(ctx, s, f.run.ID); err == nil {
			t.Fatal("deleted a run that artifacts point to")
		}
	})

	t.Run("run inputs link once", func(t *testing.T) {
		s := migrated(t)
		f := newFixture(t, s)
		for i := 0; i < 2; i++ {
			if err := meta.AddRunInputs(ctx, s, f.run.ID, f.artifact.ID); err != nil {
				t.Fatal(err)
			}
		}
		var n int
		if err := s.QueryRow(ctx, `SELECT COUNT(*) FROM lamindb_artifact_input_of_runs`).Scan(&n); err != nil || n != 1 {
			t.Fatalf("links = %d, %v", n, err)
		}
		if err := meta.AddRecreatingRun(ctx, s, f.artifact.ID, f.run.ID); err != nil {
			t.Fatal(err)
		}
	})

	t.Run("a failed transaction leaves nothing", func(t *testing.T) {
		s := migrated(t)
		boom := errors.New("boom")
		err := s.Tx(ctx, func(tx *meta.Tx) error {
			if err := meta.InsertUser(ctx, tx, &record.User{UID: "zzzzzzzz", Handle: "ghost", CreatedAt: time.Now(), UpdatedAt: time.Now()}); err != nil {
				return err
			}
			return boom
		})
		if !errors.Is(err, boom) {
			t.Fatalf("tx returned %v", err)
		}
		if _, err := meta.UserWhere(ctx, s, "WHERE t.handle = ?", "ghost"); !errors.Is(err, meta.ErrNotFound) {
			t.Fatalf("user after rollback: %v", err)
		}
	})

	t.Run("concurrent transactions all commit", func(t *testing.T) {
		s := migrated(t)
		var wg sync.WaitGroup
		errs := make(chan error, 16)
		for i := 0; i < 16; i++ {
			wg.Add(1)
			go func(i int) {
				defer wg.Done()
				errs <- s.Tx(ctx, func(tx *meta.Tx) error {
					now := time.Now()
					return meta.InsertUser(ctx, tx, &record.User{UID: fmt.Sprintf("u%07d", i), Handle: fmt.Sprintf("user%d", i), CreatedAt: now, UpdatedAt: now})
				})
			}(i)
		}
		wg.Wait()
		close(errs)
		for err := range errs {
			if err != nil {
				t.Fatal(err)
			}
		}
		users, err := meta.Users(ctx, s, "")
		if err != nil || len(users) != 16 {
			t.Fatalf("%d users, %v", len(users), err)
		}
	})

	t.Run("instance identity round trips", func(t *testing.T) {
		s := migrated(t)
		f := newFixture(t, s)
		in := meta.Instance{UID: "54ZGqgkROOFf", Owner: "testuser1", Name: "mydata", StorageID: f.storage.ID}
		if err := meta.SetInstance(ctx, s, in); err != nil {
			t.Fatal(err)
		}
		got, err := meta.GetInstance(ctx, s)
		if err != nil || got != in {
			t.Fatalf("got %+v, %v", got, err)
		}
	})

	t.Run("a snapshot reads what the row-by-row lookups read", func(t *testing.T) {
		s := migrated(t)
		if _, err := meta.ReadSnapshot(ctx, s, "testusr1"); err == nil {
			t.Fatal("a database without an instance row gave a snapshot")
		}
		f := newFixture(t, s)
		f.user.Name = ptr("Test User 1")
		must(t, meta.UpdateUser(ctx, s, f.user))
		in := meta.Instance{UID: "54ZGqgkROOFf", Owner: "testuser1", Name: "mydata", StorageID: f.storage.ID}
		must(t, meta.SetInstance(ctx, s, in))
		snap, err := meta.ReadSnapshot(ctx, s, f.user.UID)
		if err != nil {
			t.Fatal(err)
		}
		st, err := meta.StorageWhere(ctx, s, "WHERE t.id = ?", f.storage.ID)
		must(t, err)
		u, err := meta.UserWhere(ctx, s, "WHERE t.uid = ?", f.user.UID)
		must(t, err)
		if snap.Instance != in || !reflect.DeepEqual(snap.Storage, st) || !reflect.DeepEqual(snap.User, u) {
			t.Fatalf("snapshot %+v %+v %+v, want %+v %+v %+v", snap.Instance, snap.Storage, snap.User, in, st, u)
		}
		if want := meta.LatestVersion(s.Dialect()); snap.SchemaVersion != want {
			t.Fatalf("schema version %d, want %d", snap.SchemaVersion, want)
		}
		if snap, err := meta.ReadSnapshot(ctx, s, "nobody00"); err != nil || snap.User != nil || snap.Storage.ID != f.storage.ID {
			t.Fatalf("unknown user: %+v, %v", snap, err)
		}
	})

	runSaves(t, migrated)
	runOperations(t, migrated)
}

type fixture struct {
	now       time.Time
	user      *record.User
	storage   *record.Storage
	transform *record.Transform
	run       *record.Run
	artifact  *record.Artifact
}

func newFixture(t *testing.T, s *meta.Store) *fixture {
	t.Helper()
	ctx := context.Background()
	now := time.Now().UTC().Truncate(time.Microsecond)
	f := &fixture{now: now}
	f.user = &record.User{UID: "testusr1", Handle: "testuser1", CreatedAt: now, UpdatedAt: now}
	must(t, meta.InsertUser(ctx, s, f.user))
	f.storage = &record.Storage{UID: "wxZQVDeBmaaz", Root: "/data/mydata", Type: "local", InstanceUID: ptr("54ZGqgkROOFf"),
		SpaceID: 1, BranchID: 1, CreatedByID: f.user.ID, CreatedAt: now, UpdatedAt: now}
	must(t, meta.InsertStorage(ctx, s, f.storage))
	f.transform = &record.Transform{UID: "qCJPkOuZAi9q0000", Key: ptr("step.py"), Type: "script", IsLatest: true,
		SpaceID: 1, BranchID: 1, CreatedByID: f.user.ID, CreatedAt: now, UpdatedAt: now}
	must(t, meta.InsertTransform(ctx, s, f.transform))
	f.run = &record.Run{UID: "vJVToxWYnU0ywBmh", TransformID: f.transform.ID, StartedAt: now, StatusCode: ptr(int64(-1)),
		SpaceID: 1, BranchID: 1, CreatedByID: f.user.ID, CreatedAt: now}
	must(t, meta.InsertRun(ctx, s, f.run))
	f.artifact = &record.Artifact{UID: "AAAAAAAAAAAAAAAA0000", Key: ptr("a/b.csv"), Suffix: ".csv", Size: ptr(int64(6)),
		Hash: ptr("sZRqySSS0jR8YjW00mERhA"), HashType: ptr("md5"), StorageID: f.storage.ID, RunID: &f.run.ID,
		IsLatest: true, SpaceID: 1, BranchID: 1, CreatedByID: f.user.ID, CreatedAt: now, UpdatedAt: now}
	must(t, meta.InsertArtifact(ctx, s, f.artifact))
	return f
}

// probe runs a statement that reads no rows and fails the test, naming
// what, when the database refuses it.
func probe(t *testing.T, s *meta.Store, what, text string) {
	t.Helper()
	rows, err := s.Query(context.Background(), text)
	if err != nil {
		t.Errorf("the declaration of %s does not match the schema: %v", what, err)
		return
	}
	rows.Close()
}

// tableOf is the declared table of the registry named name.
func tableOf(t *testing.T, name string) string {
	for _, d := range record.Registries() {
		if d.Name == name {
			return d.Table
		}
	}
	t.Fatalf("no registry %q is declared", name)
	return ""
}

func must(t *testing.T, err error) {
	t.Helper()
	if err != nil {
		t.Fatal(err)
	}
}
