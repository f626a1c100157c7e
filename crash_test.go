package lamin_test

import (
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
	"testing"
	"time"

	"github.com/lamin-go/lamin"
)

// Environment of the crash test.
const (
	crashSeedEnv  = "LAMIN_CRASH_SEED"  // fixes the seed of a rerun
	crashKillsEnv = "LAMIN_CRASH_KILLS" // how many saves to kill (long form: 200)
	crashBigEnv   = "LAMIN_CRASH_BIG"   // 1: large files of 30-200 MB (default: 4-16 MB)
)

// The items the crash test saves, chosen in turn.
const (
	crashFolder = iota
	crashBig
	crashCopied
	crashInPlace
)

var crashKinds = []string{
	crashFolder:  "a folder of 500 files copied in",
	crashBig:     "a large file copied in",
	crashCopied:  "a small file copied in",
	crashInPlace: "a small file in place",
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

// TestCrashedSavesLeaveARepairableInstance kills `lamin save` with SIGKILL
// at random moments while it saves folders of 500 files and large files
// (see crashConfig), re-saves the same content after some kills, and
// repairs the instance after every iteration.
func TestCrashedSavesLeaveARepairableInstance(t *testing.T) {
	runCrashTest(t, newEnv(t), 16)
}

// TestTeamCrashedSavesLeaveARepairableInstance is the same on PostgreSQL +
// S3 (a few kills in the suite; bench/crash.sh runs the long form).
func TestTeamCrashedSavesLeaveARepairableInstance(t *testing.T) {
	runCrashTest(t, &newTeamEnv(t).env, 5)
}

// runCrashTest kills saves until kills saves were killed (LAMIN_CRASH_KILLS
// overrides it). After every kill, half the time, the same content is
// saved again at once, which must complete the store and exit 0. Every
// iteration ends with check --repair, after which a hash-verifying check
// must find nothing, and every save that exited 0 must still have its
// record and every file under its own name with the recorded bytes. The
// seed of the delays and contents is logged; LAMIN_CRASH_SEED reruns it.
func runCrashTest(t *testing.T, e *env, kills int) {
	if os.Getenv(cliArgsEnv) != "" {
		t.Skip("runs as the parent of lamin commands")
	}
	if s := os.Getenv(crashKillsEnv); s != "" {
		n, err := strconv.Atoi(s)
		if err != nil || n < 1 {
			t.Fatalf("%s=%q: want a positive number", crashKillsEnv, s)
		}
		kills = n
	}
	minBig, maxBig := int64(4<<20), int64(16<<20)
	if os.Getenv(crashBigEnv) == "1" {
		minBig, maxBig = 30<<20, 200<<20
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
	ctx, in := e.ctx, e.in
	s3 := isS3Root(in)
	src := filepath.Join(e.dir, "crash-src")
	if err := os.MkdirAll(src, 0o755); err != nil {
		t.Fatal(err)
	}
	started := time.Now()

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
	// The longest save of each kind seen so far bounds the kill delays.
	longest := map[int]time.Duration{}
	guess := map[int]time.Duration{crashFolder: 500 * time.Millisecond, crashBig: 500 * time.Millisecond,
		crashCopied: 300 * time.Millisecond, crashInPlace: 300 * time.Millisecond}
	killed, completed, resaves := 0, 0, 0
	for i := 0; killed < kills; i++ {
		if i > 20*kills {
			t.Fatalf("only %d of %d saves were killed in %d iterations", killed, kills, i)
		}
		item := []int{crashFolder, crashBig, crashFolder, crashBig, crashCopied, crashInPlace}[i%6]
		if s3 && item == crashInPlace {
			item = crashCopied
		}
		kind := crashKinds[item]
		path, key := prepareCrashItem(t, rng, i, item, src, in.Storage().Root, minBig, maxBig)
		// Most kills land while the bytes are stored (the later part of a
		// save), some during start-up and hashing.
		bound := longest[item] * 11 / 10
		if bound == 0 {
			// No save of this kind has finished yet: guess, and guess
			// longer after every kill until one finishes.
			bound = guess[item]
			guess[item] *= 2
		}
		bound = max(bound, 300*time.Millisecond)
		delay := time.Duration(rng.Int64N(int64(bound) + 1))
		if rng.IntN(4) > 0 {
			delay = bound*3/10 + time.Duration(rng.Int64N(int64(bound*8/10)+1))
		}
		where := fmt.Sprintf("iteration %d (%s, killed after %v, seed %d)", i, kind, delay, seed)

		args := []string{"save", path, "--no-run", "--quiet"}
		if key != "" {
			args = append(args, "--key", key)
		}
		begin := time.Now()
		r := runKilled(t, e, delay, args...)
		switch {
		case r.signaled:
			killed++
			outcomes["killed"]++
			if killed%25 == 0 {
				t.Logf("%d kills after %s", killed, time.Since(started).Round(time.Second))
			}
		case r.code == 0:
			outcomes["finished before the kill"]++
			longest[item] = max(longest[item], time.Since(begin))
		default:
			fail("%s: the save failed on its own (exit %d):\n%s", where, r.code, r.stderr)
		}
		uid := ""
		if r.code == 0 && !r.signaled {
			uid = strings.TrimSpace(r.stdout)
		}
		if r.signaled && rng.IntN(2) == 0 {
			// The same content again, at once: it must complete the store.
			again := runLamin(t, e, nil, args...)
			resaves++
			if again.code != 0 {
				fail("%s: re-saving the same content after the kill exited %d:\n%s", where, again.code, again.stderr)
			} else {
				uid = strings.TrimSpace(again.stdout)
				outcomes["re-saved after the kill"]++
			}
		}
		if uid != "" {
			completed++
		}

		if r.signaled {
			waitForDeadSessions(t, ctx, in, where)
		}
		fixed, err := in.Check(ctx, lamin.CheckOptions{Repair: true})
		if err != nil {
			t.Fatalf("%s: check --repair: %v", where, err)
		}
		for _, p := range fixed {
			repaired[p.Kind+": "+p.Repaired]++
		}
		// Re-hashing every stored folder after every iteration would make
		// the long form quadratic: it compares names and sizes in between
		// and hashes every 25th iteration (and at the end); each completed
		// save's own bytes are verified right after it below.
		verify := kills <= 20 || i%25 == 0
		left, err := in.Check(ctx, lamin.CheckOptions{VerifyHashes: verify})
		if err != nil {
			t.Fatalf("%s: check (verify hashes %v): %v", where, verify, err)
		}
		if len(left) > 0 {
			fail("%s: after repair, check still finds %s\nthe repair pass reported %s", where, describeProblems(left), describeProblems(fixed))
		}
		if uid != "" {
			if msg := verifyStored(ctx, in, uid); msg != "" {
				fail("%s: %s", where, msg)
			}
			if item != crashBig {
				reported = append(reported, success{uid, kind})
			}
		}
		// Keep disk use bounded: at most one stored large file at a time.
		removeBigArtifacts(t, ctx, in, where)
	}
	final := runLamin(t, e, nil, "check", "--repair", "--verify-hashes")
	if final.code != 0 {
		t.Errorf("the final check --repair --verify-hashes exited %d:\n%s%s", final.code, final.stdout, final.stderr)
	}
	again := runLamin(t, e, nil, "check", "--verify-hashes")
	if again.code != 0 || !strings.Contains(again.stderr, "is consistent") {
		t.Errorf("a second check --verify-hashes exited %d:\n%s%s", again.code, again.stdout, again.stderr)
	}
	lost := 0
	for _, s := range reported {
		if msg := verifyStored(ctx, in, s.uid); msg != "" {
			lost++
			t.Errorf("at the end (%s): %s", s.kind, msg)
		}
	}
	t.Logf("outcomes: %v", outcomes)
	t.Logf("repairs: %v", repaired)
	t.Logf("crash summary: backend %s, kills %d, saves completed %d (%d re-saves after a kill), lost %d, large files %d-%d MB, time %s",
		lamin.StoreOf(in).Dialect().Name(), killed, completed, resaves, lost, minBig>>20, maxBig>>20, time.Since(started).Round(time.Second))
}

// waitForDeadSessions waits, on PostgreSQL, until the server has finished
// what a killed client had sent: a statement in flight when the process died
// (its COMMIT, say) still runs to its end on the server, so a repair pass
// started at once may not see a record that commits a moment later and is
// then, correctly, left for the next pass. Waiting makes each iteration's
// "one repair pass leaves nothing" hold; the product's answer to the late
// record is the next `check --repair`, which the test's final pass runs.
func waitForDeadSessions(t *testing.T, ctx context.Context, in *lamin.Instance, where string) {
	t.Helper()
	store := lamin.StoreOf(in)
	if store.Dialect().Name() != "postgres" {
		return
	}
	deadline := time.Now().Add(30 * time.Second)
	for {
		var busy int
		err := store.QueryRow(ctx, `SELECT COUNT(*) FROM pg_stat_activity
			WHERE datname = current_database() AND pid <> pg_backend_pid()
			AND backend_type = 'client backend' AND state <> 'idle'`).Scan(&busy)
		if err != nil {
			t.Fatalf("%s: read pg_stat_activity: %v", where, err)
		}
		if busy == 0 {
			return
		}
		if time.Now().After(deadline) {
			t.Fatalf("%s: %d sessions of killed clients still busy after 30s", where, busy)
		}
		time.Sleep(20 * time.Millisecond)
	}
}

// runKilled runs `lamin args...` and kills it with SIGKILL after delay
// unless it finished first.
func runKilled(t *testing.T, e *env, delay time.Duration, args ...string) cliResult {
	t.Helper()
	cmd := laminCmd(t, e, nil, args...)
	var stdout, stderr bytes.Buffer
	cmd.Stdout, cmd.Stderr = &stdout, &stderr
	if err := cmd.Start(); err != nil {
		t.Fatalf("start lamin: %v", err)
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
	return resultOf(t, cmd, err, &stdout, &stderr)
}

// prepareCrashItem writes the content that iteration i saves and returns
// its path and key (no key for files in place). Every iteration saves
// content never saved before.
func prepareCrashItem(t *testing.T, rng *rand.Rand, i, item int, src, root string, minBig, maxBig int64) (path, key string) {
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
		path, key = filepath.Join(src, "big.bin"), fmt.Sprintf("big/%04d.bin", i)
		size := minBig + rng.Int64N(maxBig-minBig+1)
		err = writeRandomFile(path, size, rng.Uint64())
	case crashFolder:
		path, key = filepath.Join(src, fmt.Sprintf("folder-%04d", i)), fmt.Sprintf("folders/%04d", i)
		for j := range 500 {
			p := filepath.Join(path, fmt.Sprintf("d%d", j%7), fmt.Sprintf("part-%03d.txt", j))
			if err = os.MkdirAll(filepath.Dir(p), 0o755); err != nil {
				break
			}
			if err = os.WriteFile(p, small(fmt.Sprintf("folder part %d", j), 1<<10+j*8), 0o644); err != nil {
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

// removeBigArtifacts deletes every stored copy of the large files.
func removeBigArtifacts(t *testing.T, ctx context.Context, in *lamin.Instance, where string) {
	t.Helper()
	rows, err := lamin.StoreOf(in).Query(ctx, `SELECT uid FROM lamindb_artifact WHERE key LIKE 'big/%'`)
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
			if _, err := lamin.StoreOf(e.in).Exec(e.ctx, `UPDATE lamindb_artifact SET _aux = ? WHERE id = ?`, `{"af":{"0":false}}`, a.ID); err != nil {
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
