package lamin_test

import (
	"errors"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/lamin-go/lamin"
)

// TestAnOlderInstanceOpensAfterMigrate takes an instance back to the first
// migration set (as an older lamin left it), checks that it is refused,
// then migrates it: data intact, a backup file left.
func TestAnOlderInstanceOpensAfterMigrate(t *testing.T) {
	e := newEnv(t)
	a := e.save(e.write("x.csv", "a\n1\n"), lamin.ArtifactOptions{Key: "x.csv"})
	for _, q := range []string{`DROP INDEX lamindb_run_status_started_idx`, `DROP TABLE lamin_artifact_save`, `DROP TABLE lamin_artifact_file`, `DELETE FROM lamin_migrations WHERE version > 1`} {
		if _, err := lamin.StoreOf(e.in).Exec(e.ctx, q); err != nil {
			t.Fatal(err)
		}
	}
	e.in.Close()
	if _, err := lamin.Open(e.ctx, "", e.opts); !errors.Is(err, lamin.ErrConflict) || !strings.Contains(err.Error(), "run `lamin migrate`") {
		t.Fatalf("opening an older instance: %v", err)
	}
	in, err := lamin.OpenForMigration(e.ctx, "", e.opts)
	if err != nil {
		t.Fatal(err)
	}
	applied, backup, err := in.Migrate(e.ctx)
	in.Close()
	if err != nil || len(applied) == 0 || applied[0] != 2 {
		t.Fatalf("migrate applied %v: %v", applied, err)
	}
	if st, err := os.Stat(backup); err != nil || st.Size() == 0 || filepath.Dir(backup) != filepath.Join(e.root(), ".lamindb") {
		t.Fatalf("backup %s: %v", backup, err)
	}
	in, err = lamin.Open(e.ctx, "", e.opts)
	if err != nil {
		t.Fatal(err)
	}
	defer in.Close()
	got, err := in.GetArtifact(e.ctx, a.UID)
	if err != nil || *got.Hash != *a.Hash {
		t.Fatalf("artifact after migrate: %v", err)
	}
	// Migration 5: folders saved now record their files.
	dir := filepath.Dir(e.write("folder/sub/x.txt", "x\n"))
	f, err := in.NewArtifact(e.ctx, filepath.Dir(dir), lamin.ArtifactOptions{Key: "folder"})
	if err == nil {
		err = f.Save(e.ctx)
	}
	var n int
	if err == nil {
		err = lamin.StoreOf(in).QueryRow(e.ctx, `SELECT COUNT(*) FROM lamin_artifact_file WHERE artifact_id = ? AND path = 'sub/x.txt'`, f.ID).Scan(&n)
	}
	if err != nil || n != 1 {
		t.Fatalf("manifest of a folder saved after migrate: %d rows, %v", n, err)
	}
}

// TestANewerInstanceIsRefused checks that a database written by a newer
// lamin is not opened, so it is never damaged.
func TestANewerInstanceIsRefused(t *testing.T) {
	e := newEnv(t)
	if _, err := lamin.StoreOf(e.in).Exec(e.ctx, `INSERT INTO lamin_migrations (version, name, applied_at) VALUES (999, '0999_future.sql', 'x')`); err != nil {
		t.Fatal(err)
	}
	_, err := lamin.Open(e.ctx, "", e.opts)
	if err == nil || !strings.Contains(err.Error(), "upgrade lamin") {
		t.Fatalf("got %v", err)
	}
	if _, _, err := func() ([]int, string, error) {
		in, err := lamin.OpenForMigration(e.ctx, "", e.opts)
		if err != nil {
			return nil, "", err
		}
		defer in.Close()
		return in.Migrate(e.ctx)
	}(); err == nil {
		t.Fatal("migrating a newer instance succeeded")
	}
}
