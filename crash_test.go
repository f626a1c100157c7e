package lamin_test

import (
	"bufio"
	"bytes"
	"context"
	"encoding/binary"
	"fmt"
	"io"
	"math/rand/v2"
	"os"
	"os/exec"
	"path/filepath"
	"strconv"
	"strings"
	"syscall"
	"testing"
	"time"

	"github.com/lamin-go/lamin"
	"github.com/lamin-go/lamin/internal/hashing"
)

// Environment of the save worker that TestCrashedSavesLeaveARepairableInstance
// starts and kills.
const (
	crashWorkerEnv = "LAMIN_CRASH_WORKER" // set to 1 in the worker
	crashSeedEnv   = "LAMIN_CRASH_SEED"   // fixes the seed of a rerun
	crashRootEnv   = "LAMIN_CRASH_ROOT"
	crashSetEnv    = "LAMIN_CRASH_SETTINGS"
	crashCacheEnv  = "LAMIN_CRASH_CACHE"
	crashPathEnv   = "LAMIN_CRASH_PATH"
	crashKeyEnv    = "LAMIN_CRASH_KEY"
)

// bigSize is the size of the large file the crash test saves.
const bigSize = 100 << 20

// The items a worker saves, chosen by iteration.
const (
	crashCopied = iota
	crashInPlace
	crashBig
	crashFolder
)

var crashKinds = []string{
	crashCopied:  "a small file copied in",
	crashInPlace: "a small file in place",
	crashBig:     "a 100 MiB file copied in",
	crashFolder:  "a folder of 20 files",
}

// childTest returns a command that runs the test function name of this test
// binary in a child process with the extra environment variables env.
func childTest(t *testing.T, name string, env ...string) *exec.Cmd {
	t.Helper()
	self, err := os.Executable()
	if err != nil {
		t.Fatal(err)
	}
	cmd := exec.Command(self, "-test.run=^"+name+"$", "-test.count=1")
	cmd.Env = append(os.Environ(), env...)
	return cmd
}

// TestCrashedSavesLeaveARepairableInstance starts saves in child processes
// and kills them with SIGKILL after a random delay. After every kill,
// `Check(Repair)` must bring the instance back to a state that a full
// hash-verifying check finds clean, and every save that reported success
// must be present with bytes that hash to its record. The seed of the
// delays and of the large file is logged; set LAMIN_CRASH_SEED to rerun
// with it.
func TestCrashedSavesLeaveARepairableInstance(t *testing.T) {
	if os.Getenv(crashWorkerEnv) != "" {
		t.Skip("runs as the parent of the save worker")
	}
	iterations := 200
	if testing.Short() {
		iterations = 40
	}
	seed := uint64(time.Now().UnixNano())
	if s := os.Getenv(crashSeedEnv); s != "" {
		var err error
		if seed, err = strconv.ParseUint(s, 10, 64); err != nil {
			t.Fatalf("%s=%q: %v", crashSeedEnv, s, err)
		}
	}
	t.Logf("seed %d (rerun with %s=%d)", seed, crashSeedEnv, seed)
	rng := rand.New(rand.NewPCG(seed, seed^0x9e3779b97f4a7c15))

	ctx := context.Background()
	dir := t.TempDir()
	opts := lamin.Options{SettingsDir: filepath.Join(dir, "settings"), CacheDir: filepath.Join(dir, "cache"), Getenv: func(string) string { return "" }}
	if _, err := lamin.Login("testuser1", "", opts); err != nil {
		t.Fatal(err)
	}
	in, err := lamin.Init(ctx, filepath.Join(dir, "mydata"), lamin.InitOptions{Options: opts})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { in.Close() })
	root := in.Storage().Root
	src := filepath.Join(dir, "src")
	if err := os.MkdirAll(src, 0o755); err != nil {
		t.Fatal(err)
	}
	big := filepath.Join(src, "big.bin")
	if err := writeRandomFile(big, bigSize, seed); err != nil {
		t.Fatal(err)
	}

	// A failing iteration is reported and the test goes on: the next
	// repair pass starts from whatever this one left, which shows whether
	// the problem is lasting. Too many failures stop the test.
	failures := 0
	fail := func(format string, args ...any) {
		t.Helper()
		t.Errorf(format, args...)
		if failures++; failures >= 5 {
			t.Fatalf("stopping after %d failing iterations", failures)
		}
	}
	type success struct{ uid, kind string }
	var reported []success
	outcomes := map[string]int{}
	repaired := map[string]int{}
	for i := range iterations {
		item := i % len(crashKinds)
		kind := crashKinds[item]
		path, key := prepareCrashItem(t, i, item, src, root, big)
		delay := time.Duration(rng.Int64N(int64(300*time.Millisecond) + 1))
		where := fmt.Sprintf("iteration %d (%s, killed after %v, seed %d)", i, kind, delay, seed)

		uid, killed := runCrashWorker(t, where, delay,
			crashWorkerEnv+"=1", crashRootEnv+"="+root, crashSetEnv+"="+opts.SettingsDir,
			crashCacheEnv+"="+opts.CacheDir, crashPathEnv+"="+path, crashKeyEnv+"="+key)
		switch {
		case killed && uid != "":
			outcomes["killed after reporting success"]++
		case killed:
			outcomes["killed before reporting success"]++
		default:
			outcomes["finished before the kill"]++
		}

		fixed, err := in.Check(ctx, lamin.CheckOptions{Repair: true})
		if err != nil {
			t.Fatalf("%s: check --repair: %v", where, err)
		}
		for _, p := range fixed {
			repaired[p.Kind+": "+p.Repaired]++
		}
		left, err := in.Check(ctx, lamin.CheckOptions{VerifyHashes: true})
		if err != nil {
			t.Fatalf("%s: check --verify-hashes: %v", where, err)
		}
		if len(left) > 0 {
			fail("%s: after repair, check still finds %s\nthe repair pass reported %s", where, describeProblems(left), describeProblems(fixed))
		}
		if uid != "" {
			if msg := checkStored(ctx, in, uid); msg != "" {
				fail("%s: %s", where, msg)
			}
			if item != crashBig {
				reported = append(reported, success{uid, kind})
			}
		}
		// Keep disk use bounded: at most one stored copy of the large file.
		removeBigArtifacts(t, ctx, in, where)
	}
	for _, s := range reported {
		if msg := checkStored(ctx, in, s.uid); msg != "" {
			t.Errorf("at the end (%s): %s", s.kind, msg)
		}
	}
	t.Logf("outcomes: %v", outcomes)
	t.Logf("repairs: %v", repaired)
}

// TestCrashSaveWorker is the child half of the crash test: it saves one
// path and prints "saved UID" once Save has returned nil.
func TestCrashSaveWorker(t *testing.T) {
	if os.Getenv(crashWorkerEnv) == "" {
		t.Skip("only runs as a child of TestCrashedSavesLeaveARepairableInstance")
	}
	ctx := context.Background()
	opts := lamin.Options{SettingsDir: os.Getenv(crashSetEnv), CacheDir: os.Getenv(crashCacheEnv), Getenv: func(string) string { return "" }}
	in, err := lamin.Open(ctx, os.Getenv(crashRootEnv), opts)
	if err != nil {
		t.Fatal(err)
	}
	defer in.Close()
	a, err := in.NewArtifact(ctx, os.Getenv(crashPathEnv), lamin.ArtifactOptions{Key: os.Getenv(crashKeyEnv), NoRun: true})
	if err != nil {
		t.Fatal(err)
	}
	if err := a.Save(ctx); err != nil {
		t.Fatal(err)
	}
	fmt.Printf("saved %s\n", a.UID)
}

// runCrashWorker runs the save worker and kills it after delay unless it
// finished first. It returns the uid the worker reported (or "") and
// whether it was killed. A worker that fails on its own fails the test.
func runCrashWorker(t *testing.T, where string, delay time.Duration, env ...string) (uid string, killed bool) {
	t.Helper()
	cmd := childTest(t, "TestCrashSaveWorker", env...)
	var stdout, stderr bytes.Buffer
	cmd.Stdout, cmd.Stderr = &stdout, &stderr
	if err := cmd.Start(); err != nil {
		t.Fatalf("%s: start worker: %v", where, err)
	}
	done := make(chan error, 1)
	go func() { done <- cmd.Wait() }()
	timer := time.NewTimer(delay)
	var err error
	select {
	case err = <-done:
		timer.Stop()
	case <-timer.C:
		_ = cmd.Process.Kill()
		err = <-done
	}
	if ws, ok := cmd.ProcessState.Sys().(syscall.WaitStatus); ok && ws.Signaled() && ws.Signal() == syscall.SIGKILL {
		killed = true
	} else if err != nil {
		t.Fatalf("%s: the worker failed on its own: %v\nstdout:\n%s\nstderr:\n%s", where, err, &stdout, &stderr)
	}
	sc := bufio.NewScanner(&stdout)
	for sc.Scan() {
		if u, ok := strings.CutPrefix(sc.Text(), "saved "); ok {
			uid = u
		}
	}
	if !killed && uid == "" {
		t.Fatalf("%s: the worker finished without reporting a uid\nstdout:\n%s\nstderr:\n%s", where, &stdout, &stderr)
	}
	return uid, killed
}

// prepareCrashItem writes the content that iteration i saves and returns
// its path and key. Every iteration saves content never saved before.
func prepareCrashItem(t *testing.T, i, item int, src, root, big string) (path, key string) {
	t.Helper()
	small := func(label string, n int) []byte {
		var b bytes.Buffer
		for b.Len() < n {
			fmt.Fprintf(&b, "%s of iteration %d, line %d\n", label, i, b.Len())
		}
		return b.Bytes()
	}
	var err error
	switch item {
	case crashCopied:
		path, key = filepath.Join(src, fmt.Sprintf("copied-%04d.txt", i)), fmt.Sprintf("copied/%04d.txt", i)
		err = os.WriteFile(path, small("copied file", 4<<10), 0o644)
	case crashInPlace:
		path = filepath.Join(root, "inplace", fmt.Sprintf("%04d.txt", i))
		if err = os.MkdirAll(filepath.Dir(path), 0o755); err == nil {
			err = os.WriteFile(path, small("file in place", 4<<10), 0o644)
		}
	case crashBig:
		path, key = big, fmt.Sprintf("big/%04d.bin", i)
		err = stampFile(big, uint64(i)+1)
	case crashFolder:
		path, key = filepath.Join(src, fmt.Sprintf("folder-%04d", i)), fmt.Sprintf("folders/%04d", i)
		if err = os.MkdirAll(path, 0o755); err != nil {
			break
		}
		for j := range 20 {
			if err = os.WriteFile(filepath.Join(path, fmt.Sprintf("part-%02d.txt", j)), small(fmt.Sprintf("folder part %d", j), 16<<10), 0o644); err != nil {
				break
			}
		}
	default:
		t.Fatalf("no item %d", item)
	}
	if err != nil {
		t.Fatal(err)
	}
	return path, key
}

// writeRandomFile writes size pseudo-random bytes derived from seed to path.
func writeRandomFile(path string, size int64, seed uint64) error {
	var key [32]byte
	binary.LittleEndian.PutUint64(key[:], seed)
	f, err := os.Create(path)
	if err != nil {
		return err
	}
	if _, err := io.CopyN(f, rand.NewChaCha8(key), size); err != nil {
		f.Close()
		return err
	}
	return f.Close()
}

// stampFile overwrites the first 8 bytes of path with n, so that each
// iteration saves new content without rewriting the whole file.
func stampFile(path string, n uint64) error {
	f, err := os.OpenFile(path, os.O_WRONLY, 0)
	if err != nil {
		return err
	}
	var b [8]byte
	binary.LittleEndian.PutUint64(b[:], n)
	if _, err := f.WriteAt(b[:], 0); err != nil {
		f.Close()
		return err
	}
	return f.Close()
}

// checkStored checks that the artifact uid is on the main branch, marked
// stored, and that its bytes hash to its record; it returns what is wrong.
func checkStored(ctx context.Context, in *lamin.Instance, uid string) string {
	a, err := in.GetArtifact(ctx, uid)
	if err != nil {
		return fmt.Sprintf("artifact %s reported saved: %v", uid, err)
	}
	if a.BranchID != 1 || (a.Aux != nil && strings.Contains(*a.Aux, `"0":false`)) {
		return fmt.Sprintf("artifact %s reported saved is on branch %d with _aux %s", uid, a.BranchID, derefString(a.Aux))
	}
	var res hashing.Result
	if a.NFiles != nil {
		res, err = hashing.Dir(ctx, a.Path())
	} else {
		res, err = hashing.File(ctx, a.Path())
	}
	if err != nil {
		return fmt.Sprintf("artifact %s reported saved: %v", uid, err)
	}
	if res.Hash != *a.Hash || res.Size != *a.Size {
		return fmt.Sprintf("artifact %s reported saved: bytes at %s hash to %s (%d bytes), the record says %s (%d bytes)",
			uid, a.Path(), res.Hash, res.Size, *a.Hash, *a.Size)
	}
	return ""
}

// removeBigArtifacts deletes every stored copy of the large file.
func removeBigArtifacts(t *testing.T, ctx context.Context, in *lamin.Instance, where string) {
	t.Helper()
	rows, err := in.Store().Query(ctx, `SELECT uid FROM lamindb_artifact WHERE size = ?`, bigSize)
	if err != nil {
		t.Fatal(err)
	}
	var uids []string
	for rows.Next() {
		var u string
		if err := rows.Scan(&u); err != nil {
			t.Fatal(err)
		}
		uids = append(uids, u)
	}
	if err := rows.Err(); err != nil {
		t.Fatal(err)
	}
	rows.Close()
	for _, u := range uids {
		a, err := in.GetArtifact(ctx, u)
		if err == nil {
			err = in.DeletePermanently(ctx, a, lamin.DeleteOptions{Force: true})
		}
		if err != nil {
			t.Fatalf("%s: removing the large artifact %s: %v", where, u, err)
		}
	}
}

func describeProblems(ps []lamin.Problem) string {
	if len(ps) == 0 {
		return "no problems"
	}
	var b strings.Builder
	fmt.Fprintf(&b, "%d problems:", len(ps))
	for _, p := range ps {
		fmt.Fprintf(&b, "\n  %s: %s", p.Kind, p.Message)
		if p.Repaired != "" {
			fmt.Fprintf(&b, " (repaired: %s)", p.Repaired)
		}
	}
	return b.String()
}

func derefString(s *string) string {
	if s == nil {
		return "<nil>"
	}
	return *s
}

// TestCrashStatesAreRepairedWithoutLeftovers rebuilds, deterministically,
// the states a save killed between its steps leaves behind (the record
// marked as storing, the bytes complete, partial or absent, a temporary
// file of the interrupted write) and checks that one repair pass brings
// the instance back to a clean check.
func TestCrashStatesAreRepairedWithoutLeftovers(t *testing.T) {
	tests := []struct {
		name         string
		folder       bool
		removeStored bool   // the stored file (or one file of the folder) never arrived
		tempFile     bool   // a temporary file of the interrupted write is left
		want         string // what the repair pass says it did
	}{
		{"a file save killed after its bytes arrived is completed", false, false, false, "bytes verified, save completed"},
		{"a file save killed while writing its temporary file is rolled back", false, true, true, "record of the unfinished save removed"},
		{"a folder save killed after all its files arrived is completed", true, false, false, "bytes verified, save completed"},
		{"a folder save killed between two files is rolled back", true, true, false, "record of the unfinished save removed"},
		{"a folder save killed while writing one file's temporary file is rolled back with the temporary file", true, true, true, "record of the unfinished save removed"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			e := newEnv(t)
			path := e.write("data.csv", "a\n1\n")
			if tt.folder {
				for j := range 3 {
					path = filepath.Dir(e.write(fmt.Sprintf("folder/part-%d.csv", j), fmt.Sprintf("a\n%d\n", j)))
				}
			}
			a := e.save(path, lamin.ArtifactOptions{Key: filepath.Base(path)})
			if _, err := e.in.Store().Exec(e.ctx, `UPDATE lamindb_artifact SET _aux = ? WHERE id = ?`, `{"af":{"0":false}}`, a.ID); err != nil {
				t.Fatal(err)
			}
			victim := a.Path()
			if tt.folder {
				victim = filepath.Join(a.Path(), "part-1.csv")
			}
			if tt.removeStored {
				if err := os.Remove(victim); err != nil {
					t.Fatal(err)
				}
			}
			if tt.tempFile {
				tmp := filepath.Join(filepath.Dir(victim), "."+filepath.Base(victim)+".tmp-12345")
				if err := os.WriteFile(tmp, []byte("a\n"), 0o644); err != nil {
					t.Fatal(err)
				}
			}
			fixed, err := e.in.Check(e.ctx, lamin.CheckOptions{Repair: true})
			if err != nil {
				t.Fatal(err)
			}
			found := false
			for _, p := range fixed {
				found = found || (p.Kind == lamin.ProblemUnstored && p.UID == a.UID && p.Repaired == tt.want)
			}
			if !found {
				t.Errorf("the repair pass reported %s; want %s repaired: %s", describeProblems(fixed), a.UID, tt.want)
			}
			left, err := e.in.Check(e.ctx, lamin.CheckOptions{VerifyHashes: true})
			if err != nil {
				t.Fatal(err)
			}
			if len(left) > 0 {
				t.Errorf("after repair, check still finds %s", describeProblems(left))
			}
		})
	}
}
