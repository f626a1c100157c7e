package lamin_test

import (
	"bytes"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"syscall"
	"testing"
	"time"

	awss3 "github.com/aws/aws-sdk-go-v2/service/s3"
	"github.com/lamin-go/lamin"
	"github.com/lamin-go/lamin/internal/testenv"
)

// startSaveAndCatchIt starts `lamin save path --key key` and returns once
// its unfinished record exists, with the process still running; ok is
// false when the save finished before it could be caught.
func startSaveAndCatchIt(t *testing.T, e *env, env []string, path, key string) (wait func() cliResult, pid int, ok bool) {
	t.Helper()
	cmd := laminCmd(t, e, env, "save", path, "--key", key, "--no-run", "--quiet")
	var stdout, stderr bytes.Buffer
	cmd.Stdout, cmd.Stderr = &stdout, &stderr
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	done := make(chan error, 1)
	go func() { done <- cmd.Wait() }()
	var waitErr error
	finished := false
	caught := untilDone(20*time.Second, func() bool {
		select {
		case waitErr = <-done:
			finished = true
			return true
		default:
		}
		var n int
		err := lamin.StoreOf(e.in).QueryRow(e.ctx, `SELECT COUNT(*) FROM lamin_artifact_save s JOIN lamindb_artifact a ON a.id = s.artifact_id WHERE a.key = ?`, key).Scan(&n)
		return err == nil && n > 0
	})
	wait = func() cliResult {
		if !finished {
			waitErr = <-done
			finished = true
		}
		return resultOf(t, cmd, waitErr, &stdout, &stderr)
	}
	return wait, cmd.Process.Pid, caught && !finished
}

// TestASaveWhoseRecordIsTakenOverFailsWithExit2 stops a running save until
// its lease lapses, lets `check --repair` take its record, and resumes it:
// the save must fail with exit 2 and say so, never report success.
func TestASaveWhoseRecordIsTakenOverFailsWithExit2(t *testing.T) {
	takeOverStalledSave(t, newEnv(t), 64<<20)
}

// TestTeamASaveWhoseRecordIsTakenOverFailsWithExit2 is the same on
// PostgreSQL + S3, where only the lease decides.
func TestTeamASaveWhoseRecordIsTakenOverFailsWithExit2(t *testing.T) {
	takeOverStalledSave(t, &newTeamEnv(t).env, 24<<20)
}

func takeOverStalledSave(t *testing.T, e *env, size int64) {
	if os.Getenv(cliArgsEnv) != "" {
		t.Skip("runs as the parent of lamin commands")
	}
	src := filepath.Join(e.dir, "big.bin")
	if err := writeRandomFile(src, size, 42); err != nil {
		t.Fatal(err)
	}
	env := []string{"LAMIN_SAVE_LEASE=1s"}
	for attempt := range 5 {
		key := fmt.Sprintf("stalled/%d.bin", attempt)
		if err := stampFile(src, uint64(attempt)+100); err != nil {
			t.Fatal(err)
		}
		wait, pid, ok := startSaveAndCatchIt(t, e, env, src, key)
		if !ok {
			r := wait()
			t.Logf("attempt %d: the save finished (exit %d) before it could be stopped", attempt, r.code)
			continue
		}
		if err := syscall.Kill(pid, syscall.SIGSTOP); err != nil {
			t.Fatal(err)
		}
		time.Sleep(1500 * time.Millisecond) // the lease lapses
		repair := runLamin(t, e, nil, "check", "--repair")
		_ = syscall.Kill(pid, syscall.SIGCONT)
		r := wait()
		if !strings.Contains(repair.stdout, "unstored:") || !strings.Contains(repair.stdout, "repaired:") {
			t.Fatalf("check --repair did not take over the stalled save (exit %d):\n%s%s", repair.code, repair.stdout, repair.stderr)
		}
		if r.code != 2 || r.stdout != "" || !strings.Contains(r.stderr, "removed or taken over") || !strings.Contains(r.stderr, "save again") {
			t.Fatalf("the save whose record was taken exited %d, stdout %q, want exit 2 and a message:\n%s", r.code, r.stdout, r.stderr)
		}
		if strings.Contains(r.stderr, "✓ storing artifact") {
			t.Fatalf("the failed save printed success:\n%s", r.stderr)
		}
		final := runLamin(t, e, nil, "check", "--repair", "--verify-hashes")
		again := runLamin(t, e, nil, "check", "--verify-hashes")
		if again.code != 0 {
			t.Fatalf("after the failed save, check finds (exit %d):\n%s%s\nrepair said:\n%s", again.code, again.stdout, again.stderr, final.stdout)
		}
		return
	}
	t.Skip("every save finished before it could be stopped; the machine is too fast for this file size")
}

// TestResavingAfterAKilledSaveCompletesTheStore kills a save of a large
// file while it stores the bytes and saves the same file again: the second
// save adopts the unfinished record, stores the bytes and exits 0 with the
// same uid, and `cache` returns bytes that hash to the record.
func TestResavingAfterAKilledSaveCompletesTheStore(t *testing.T) {
	resaveAfterKill(t, newEnv(t), 64<<20)
}

// TestTeamResavingAfterAKilledSaveCompletesTheStore is the same on
// PostgreSQL + S3.
func TestTeamResavingAfterAKilledSaveCompletesTheStore(t *testing.T) {
	resaveAfterKill(t, &newTeamEnv(t).env, 24<<20)
}

func resaveAfterKill(t *testing.T, e *env, size int64) {
	if os.Getenv(cliArgsEnv) != "" {
		t.Skip("runs as the parent of lamin commands")
	}
	src := filepath.Join(e.dir, "big.bin")
	if err := writeRandomFile(src, size, 7); err != nil {
		t.Fatal(err)
	}
	for attempt := range 5 {
		key := fmt.Sprintf("killed/%d.bin", attempt)
		if err := stampFile(src, uint64(attempt)+200); err != nil {
			t.Fatal(err)
		}
		wait, pid, ok := startSaveAndCatchIt(t, e, nil, src, key)
		if !ok {
			wait()
			continue
		}
		_ = syscall.Kill(pid, syscall.SIGKILL)
		if r := wait(); !r.signaled {
			continue // it finished just before the kill
		}
		var uid string
		if err := lamin.StoreOf(e.in).QueryRow(e.ctx, `SELECT uid FROM lamindb_artifact WHERE key = ?`, key).Scan(&uid); err != nil {
			t.Fatal(err)
		}
		r := runLamin(t, e, nil, "save", src, "--key", key, "--no-run")
		if r.code != 0 || strings.TrimSpace(r.stdout) != uid {
			t.Fatalf("re-save after the kill exited %d with %q, want 0 and %s:\n%s", r.code, r.stdout, uid, r.stderr)
		}
		if !strings.Contains(r.stderr, "completing the unfinished save of artifact "+uid) {
			t.Errorf("the re-save does not say it completed the unfinished save:\n%s", r.stderr)
		}
		c := runLamin(t, e, nil, "cache", uid, "--no-run-input")
		if c.code != 0 {
			t.Fatalf("cache after the re-save exited %d:\n%s", c.code, c.stderr)
		}
		if msg := verifyStored(e.ctx, e.in, uid); msg != "" {
			t.Fatal(msg)
		}
		if again := runLamin(t, e, nil, "check", "--verify-hashes"); again.code != 0 {
			t.Fatalf("check after the re-save (exit %d):\n%s%s", again.code, again.stdout, again.stderr)
		}
		return
	}
	t.Skip("every save finished before it could be killed; the machine is too fast for this file size")
}

// TestResavingContentWhoseBytesAreMissingStoresThemAgain follows the advice
// `check` gives for missing bytes (re-save it), for a file and for a
// folder that lost one file.
func TestResavingContentWhoseBytesAreMissingStoresThemAgain(t *testing.T) {
	e := newEnv(t)
	resaveMissing(t, e, func(key string) {
		if err := os.Remove(filepath.Join(e.root(), filepath.FromSlash(key))); err != nil {
			t.Fatal(err)
		}
	})
}

// TestTeamResavingContentWhoseBytesAreMissingStoresThemAgain is the same
// on PostgreSQL + S3, with the objects deleted from the bucket.
func TestTeamResavingContentWhoseBytesAreMissingStoresThemAgain(t *testing.T) {
	te := newTeamEnv(t)
	resaveMissing(t, &te.env, func(key string) {
		k := "data/" + key
		if _, err := testenv.Client(os.Getenv(testenv.S3Env)).DeleteObject(te.ctx, &awss3.DeleteObjectInput{Bucket: &te.bucket, Key: &k}); err != nil {
			t.Fatal(err)
		}
	})
}

func resaveMissing(t *testing.T, e *env, remove func(key string)) {
	if os.Getenv(cliArgsEnv) != "" {
		t.Skip("runs as the parent of lamin commands")
	}
	file := e.write("src/table.csv", "a\n1\n2\n")
	var folder string
	for i := range 5 {
		folder = filepath.Dir(e.write(fmt.Sprintf("src/folder/part-%d.txt", i), fmt.Sprintf("part %d\n", i)))
	}
	fa := e.save(file, lamin.ArtifactOptions{Key: "table.csv"})
	da := e.save(folder, lamin.ArtifactOptions{Key: "folder"})
	remove(".lamindb/" + fa.UID + ".csv")
	remove(".lamindb/" + da.UID[:16] + "/part-3.txt")
	r := runLamin(t, e, nil, "check", "--repair")
	if r.code != 1 || !strings.Contains(r.stdout, "missing: artifact "+fa.UID) || !strings.Contains(r.stdout, "missing: artifact "+da.UID) ||
		!strings.Contains(r.stderr, "re-save it") {
		t.Fatalf("check --repair with missing bytes exited %d:\n%s%s", r.code, r.stdout, r.stderr)
	}
	for _, c := range []struct{ path, key, uid string }{{file, "table.csv", fa.UID}, {folder, "folder", da.UID}} {
		r := runLamin(t, e, nil, "save", c.path, "--key", c.key, "--no-run")
		if r.code != 0 || strings.TrimSpace(r.stdout) != c.uid || !strings.Contains(r.stderr, "are missing from storage: storing them again") {
			t.Fatalf("re-saving %s exited %d with %q, want 0 and %s:\n%s", c.key, r.code, r.stdout, c.uid, r.stderr)
		}
		if msg := verifyStored(e.ctx, e.in, c.uid); msg != "" {
			t.Fatal(msg)
		}
	}
	if r := runLamin(t, e, nil, "check", "--verify-hashes"); r.code != 0 {
		t.Fatalf("check after re-saving (exit %d):\n%s%s", r.code, r.stdout, r.stderr)
	}
}

// TestSavingTheContentOfATrashedArtifactRestoresIt checks that the record
// leaves the trash, not only that the message says so.
func TestSavingTheContentOfATrashedArtifactRestoresIt(t *testing.T) {
	e := newEnv(t)
	p := e.write("src/data.csv", "a\n1\n")
	a := e.save(p, lamin.ArtifactOptions{Key: "data.csv"})
	if r := runLamin(t, e, nil, "delete", "artifact", a.UID); r.code != 0 {
		t.Fatalf("delete exited %d:\n%s", r.code, r.stderr)
	}
	if got, err := e.in.GetArtifact(e.ctx, a.UID); err != nil || got.BranchID != -1 {
		t.Fatalf("after delete: %v, branch %d, want the trash (-1)", err, got.BranchID)
	}
	r := runLamin(t, e, nil, "save", p, "--key", "data.csv", "--no-run")
	if r.code != 0 || strings.TrimSpace(r.stdout) != a.UID || !strings.Contains(r.stderr, "restored artifact with same hash from trash") {
		t.Fatalf("re-save of trashed content exited %d with %q:\n%s", r.code, r.stdout, r.stderr)
	}
	got, err := e.in.GetArtifact(e.ctx, a.UID)
	if err != nil || got.BranchID != 1 {
		t.Fatalf("after the re-save the record is on branch %d (%v), want 1", got.BranchID, err)
	}
	if r := runLamin(t, e, nil, "filter", "artifact", "uid="+a.UID, "--format", "csv", "--columns", "uid"); !strings.Contains(r.stdout, a.UID) {
		t.Fatalf("filter does not list the restored artifact:\n%s%s", r.stdout, r.stderr)
	}
}
