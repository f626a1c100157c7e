package lamin_test

import (
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/lamin-go/lamin"
)

// saveFolder saves a folder of n small files copied into storage.
func (e *env) saveFolder(t *testing.T, name string, n int) *lamin.Artifact {
	t.Helper()
	var dir string
	for i := range n {
		dir = filepath.Dir(e.write(fmt.Sprintf("src/%s/sub-%d/part-%03d.txt", name, i%3, i), fmt.Sprintf("%s part %d\n", name, i)))
	}
	return e.save(filepath.Dir(dir), lamin.ArtifactOptions{Key: name})
}

// markUnfinished puts a saved record back into the state a save killed
// before its end leaves: marked as storing, owned by a process with the
// given pid and host whose lease ends at leaseUntil.
func (e *env) markUnfinished(t *testing.T, a *lamin.Artifact, host string, pid int, leaseUntil time.Time) {
	t.Helper()
	if _, err := lamin.StoreOf(e.in).Exec(e.ctx, `UPDATE lamindb_artifact SET _aux = ? WHERE id = ?`, `{"af":{"0":false}}`, a.ID); err != nil {
		t.Fatal(err)
	}
	if _, err := lamin.StoreOf(e.in).Exec(e.ctx, `INSERT INTO lamin_artifact_save (artifact_id, token, host, pid, started_at, lease_until) VALUES (?, ?, ?, ?, ?, ?)`,
		a.ID, "crashed", host, pid, time.Now().UnixMilli(), leaseUntil.UnixMilli()); err != nil {
		t.Fatal(err)
	}
}

// toTempNames renames every other file of a stored folder to the temporary
// name an interrupted batch write gives it, and returns how many.
func toTempNames(t *testing.T, dir string) int {
	t.Helper()
	n, i := 0, 0
	err := filepath.WalkDir(dir, func(p string, d os.DirEntry, err error) error {
		if err != nil || d.IsDir() {
			return err
		}
		if i++; i%2 == 0 {
			n++
			return os.Rename(p, filepath.Join(filepath.Dir(p), "."+d.Name()+".tmp-123456"))
		}
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
	return n
}

// TestAFolderSaveKilledDuringItsRenamesIsCompletedUnderItsOwnNames builds
// the state of a folder save killed while renaming its files into place
// and checks that repair finishes the renames, file by file against the
// manifest, instead of completing a folder of temporary names.
func TestAFolderSaveKilledDuringItsRenamesIsCompletedUnderItsOwnNames(t *testing.T) {
	e := newEnv(t)
	host, _ := os.Hostname()
	a := e.saveFolder(t, "folder", 30)
	e.markUnfinished(t, a, host, 2147483646, time.Now().Add(time.Hour))
	renamed := toTempNames(t, a.Path())
	// A partial copy of one file, as a kill during staging leaves it.
	if err := os.WriteFile(filepath.Join(a.Path(), "sub-0", ".part-000.txt.tmp-999"), []byte("fol"), 0o644); err != nil {
		t.Fatal(err)
	}
	r := runLamin(t, e, nil, "check", "--repair", "--verify-hashes")
	want := fmt.Sprintf("(repaired: bytes verified, save completed (%d files renamed into place))", renamed)
	if r.code != 0 || !strings.Contains(r.stdout, "unstored: artifact "+a.UID) || !strings.Contains(r.stdout, want) {
		t.Fatalf("check --repair --verify-hashes exited %d, want %q:\n%s%s", r.code, want, r.stdout, r.stderr)
	}
	if msg := verifyStored(e.ctx, e.in, a.UID); msg != "" {
		t.Fatal(msg)
	}
	if again := runLamin(t, e, nil, "check", "--verify-hashes"); again.code != 0 {
		t.Fatalf("a second check finds (exit %d):\n%s%s", again.code, again.stdout, again.stderr)
	}
}

// TestAFolderSaveMissingAFileIsRemovedWithoutLeftovers: when a file of an
// unfinished folder save is neither under its name nor complete under a
// temporary one, repair removes record and bytes and leaves no folder.
func TestAFolderSaveMissingAFileIsRemovedWithoutLeftovers(t *testing.T) {
	e := newEnv(t)
	host, _ := os.Hostname()
	a := e.saveFolder(t, "folder", 12)
	e.markUnfinished(t, a, host, 2147483646, time.Now().Add(time.Hour))
	toTempNames(t, a.Path())
	if err := os.Remove(filepath.Join(a.Path(), "sub-1", "part-001.txt")); err != nil {
		t.Fatal(err)
	}
	r := runLamin(t, e, nil, "check", "--repair", "--verify-hashes")
	if r.code != 0 || !strings.Contains(r.stdout, "(repaired: record of the unfinished save removed)") {
		t.Fatalf("check --repair exited %d:\n%s%s", r.code, r.stdout, r.stderr)
	}
	if left := e.managedFiles(); len(left) > 0 {
		t.Fatalf("files left behind: %v", left)
	}
	entries, err := os.ReadDir(filepath.Join(e.root(), ".lamindb"))
	if err != nil {
		t.Fatal(err)
	}
	for _, de := range entries {
		if de.IsDir() {
			t.Errorf("repair left the folder %s behind", de.Name())
		}
	}
	if again := runLamin(t, e, nil, "check", "--verify-hashes"); again.code != 0 {
		t.Fatalf("a second check finds (exit %d):\n%s%s", again.code, again.stdout, again.stderr)
	}
}

// TestAStoredFolderWithATemporaryNameIsReported: md5-d hashes contents
// only, so a file under a temporary name is seen by comparing names with
// the manifest, with and without --verify-hashes.
func TestAStoredFolderWithATemporaryNameIsReported(t *testing.T) {
	e := newEnv(t)
	a := e.saveFolder(t, "folder", 6)
	p := filepath.Join(a.Path(), "sub-2", "part-002.txt")
	if err := os.Rename(p, filepath.Join(filepath.Dir(p), ".part-002.txt.tmp-1")); err != nil {
		t.Fatal(err)
	}
	for _, args := range [][]string{{"check"}, {"check", "--verify-hashes"}} {
		r := runLamin(t, e, nil, args...)
		if r.code != 1 || !strings.Contains(r.stdout, "missing: artifact "+a.UID+": the folder ") ||
			!strings.Contains(r.stdout, "1 files missing (sub-2/part-002.txt), 1 files not in its manifest (sub-2/.part-002.txt.tmp-1)") {
			t.Fatalf("%s exited %d:\n%s%s", strings.Join(args, " "), r.code, r.stdout, r.stderr)
		}
	}
}

// TestRepairLeavesRunningSavesAlone: an unfinished save whose owner runs
// (this test's process, or another host within its lease) is no problem;
// once its lease lapses, or its process on this host is gone, repair
// takes it.
func TestRepairLeavesRunningSavesAlone(t *testing.T) {
	host, _ := os.Hostname()
	future, past := time.Now().Add(time.Hour), time.Now().Add(-time.Second)
	tests := []struct {
		name     string
		host     string
		pid      int
		lease    time.Time
		repaired bool
	}{
		{"a running process on this host within its lease is left alone", host, os.Getpid(), future, false},
		{"a process on another host within its lease is left alone", "elsewhere.example", 1, future, false},
		{"a process on another host whose lease lapsed is taken over", "elsewhere.example", 1, past, true},
		{"a running process on this host whose lease lapsed is taken over", host, os.Getpid(), past, true},
		{"a process gone from this host is taken over within its lease", host, 2147483646, future, true},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			e := newEnv(t)
			a := e.save(e.write("src/data.csv", "a\n1\n"), lamin.ArtifactOptions{Key: "data.csv"})
			e.markUnfinished(t, a, tt.host, tt.pid, tt.lease)
			r := runLamin(t, e, nil, "check", "--repair")
			if r.code != 0 {
				t.Fatalf("check --repair exited %d:\n%s%s", r.code, r.stdout, r.stderr)
			}
			if got := strings.Contains(r.stdout, "unstored: artifact "+a.UID); got != tt.repaired {
				t.Fatalf("repair touched the save: %v, want %v:\n%s%s", got, tt.repaired, r.stdout, r.stderr)
			}
			n := e.count(`SELECT COUNT(*) FROM lamin_artifact_save WHERE artifact_id = ?`, a.ID)
			if tt.repaired && (n != 0 || !strings.Contains(r.stdout, "save completed")) {
				t.Fatalf("after repair %d owner rows; output:\n%s", n, r.stdout)
			}
			if !tt.repaired && (n != 1 || e.count(`SELECT COUNT(*) FROM lamindb_artifact WHERE id = ?`, a.ID) != 1) {
				t.Fatalf("the running save's record or owner changed")
			}
		})
	}
}

// TestRepairGivesTheFilesOfAStoredFolderTheirOwnNames: a stored folder
// whose files carry temporary names (as the repair of earlier versions
// left them) gets them back, with and without a manifest.
func TestRepairGivesTheFilesOfAStoredFolderTheirOwnNames(t *testing.T) {
	for _, withManifest := range []bool{true, false} {
		t.Run(fmt.Sprintf("with manifest %v", withManifest), func(t *testing.T) {
			e := newEnv(t)
			a := e.saveFolder(t, "folder", 9)
			if !withManifest {
				if _, err := lamin.StoreOf(e.in).Exec(e.ctx, `DELETE FROM lamin_artifact_file WHERE artifact_id = ?`, a.ID); err != nil {
					t.Fatal(err)
				}
			}
			n := toTempNames(t, a.Path())
			r := runLamin(t, e, nil, "check")
			if r.code != 1 || !strings.Contains(r.stdout, "artifact "+a.UID+": the folder ") {
				t.Fatalf("check exited %d:\n%s%s", r.code, r.stdout, r.stderr)
			}
			r = runLamin(t, e, nil, "check", "--repair")
			want := fmt.Sprintf("(repaired: %d files renamed to their own names, temporary files removed)", n)
			if r.code != 0 || !strings.Contains(r.stdout, want) {
				t.Fatalf("check --repair exited %d, want %q:\n%s%s", r.code, want, r.stdout, r.stderr)
			}
			if msg := verifyStored(e.ctx, e.in, a.UID); msg != "" {
				t.Fatal(msg)
			}
			if again := runLamin(t, e, nil, "check", "--verify-hashes"); again.code != 0 {
				t.Fatalf("a second check finds (exit %d):\n%s%s", again.code, again.stdout, again.stderr)
			}
		})
	}
}
