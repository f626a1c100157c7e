package lamin_test

import (
	"fmt"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"sync"
	"testing"
	"time"
)

// raceSavesEnv sets how many large files each of the four savers of the
// repair race saves (default 3; bench/crash.sh raises it).
const raceSavesEnv = "LAMIN_RACE_SAVES"

// TestRepairInALoopNeverBreaksRunningSaves runs `lamin check --repair` in
// a loop while four processes save large files: no save exits 0 without
// its record and bytes, every save succeeds completely or fails non-zero,
// and repair never reports a running save as a problem.
func TestRepairInALoopNeverBreaksRunningSaves(t *testing.T) {
	raceRepairAndSaves(t, newEnv(t), 32<<20)
}

// TestTeamRepairInALoopNeverBreaksRunningSaves is the same race on
// PostgreSQL + S3.
func TestTeamRepairInALoopNeverBreaksRunningSaves(t *testing.T) {
	raceRepairAndSaves(t, &newTeamEnv(t).env, 12<<20)
}

func raceRepairAndSaves(t *testing.T, e *env, size int64) {
	if os.Getenv(cliArgsEnv) != "" {
		t.Skip("runs as the parent of lamin commands")
	}
	const workers = 4
	saves := 3
	if s := os.Getenv(raceSavesEnv); s != "" {
		n, err := strconv.Atoi(s)
		if err != nil || n < 1 {
			t.Fatalf("%s=%q: want a positive number", raceSavesEnv, s)
		}
		saves = n
	}
	// A lease shorter than a save makes the savers renew it while they
	// copy; repair must still leave them alone.
	env := []string{"LAMIN_SAVE_LEASE=1500ms"}
	srcs := make([]string, workers)
	for w := range srcs {
		srcs[w] = filepath.Join(e.dir, fmt.Sprintf("big-%d.bin", w))
		if err := writeRandomFile(srcs[w], size, uint64(w)+1); err != nil {
			t.Fatal(err)
		}
	}

	type outcome struct {
		key string
		res cliResult
	}
	var mu sync.Mutex
	var outcomes []outcome
	var wg sync.WaitGroup
	for w := range workers {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for j := range saves {
				if err := stampFile(srcs[w], uint64(w*1000+j)+7); err != nil {
					t.Error(err)
					return
				}
				key := fmt.Sprintf("race/%d-%d.bin", w, j)
				r := runLamin(t, e, env, "save", srcs[w], "--key", key, "--no-run", "--quiet")
				mu.Lock()
				outcomes = append(outcomes, outcome{key, r})
				mu.Unlock()
			}
		}()
	}
	done := make(chan struct{})
	go func() { wg.Wait(); close(done) }()

	checks, repairs := 0, 0
loop:
	for {
		select {
		case <-done:
			break loop
		default:
		}
		r := runLamin(t, e, env, "check", "--repair")
		checks++
		if r.code != 0 {
			t.Errorf("check --repair during the saves exited %d:\n%s%s", r.code, r.stdout, r.stderr)
		}
		for _, line := range strings.Split(strings.TrimSpace(r.stdout), "\n") {
			if line == "" {
				continue
			}
			repairs++
			if strings.HasPrefix(line, "unstored:") {
				// Nothing was killed: every unfinished save belongs to a
				// running process, and repair must leave it alone.
				t.Errorf("check --repair touched a running save: %s", line)
			} else {
				t.Logf("check --repair during the saves: %s", line)
			}
		}
	}

	succeeded, failed := 0, 0
	for _, o := range outcomes {
		switch {
		case o.res.code == 0:
			succeeded++
			uid := strings.TrimSpace(o.res.stdout)
			if msg := verifyStored(e.ctx, e.in, uid); msg != "" {
				t.Errorf("save of %s exited 0: %s\nstderr:\n%s", o.key, msg, o.res.stderr)
			}
		case o.res.code == 2 && strings.Contains(o.res.stderr, "save again"):
			failed++
			t.Logf("save of %s failed as it should when its record is taken: %s", o.key, strings.TrimSpace(o.res.stderr))
		default:
			t.Errorf("save of %s exited %d (signaled %v), want 0, or 2 with a message saying what to do:\n%s", o.key, o.res.code, o.res.signaled, o.res.stderr)
		}
		if o.res.code != 0 && strings.Contains(o.res.stderr, "✓ storing artifact") {
			t.Errorf("save of %s failed after printing success:\n%s", o.key, o.res.stderr)
		}
	}
	if succeeded == 0 {
		t.Errorf("no save succeeded")
	}
	final := runLamin(t, e, nil, "check", "--repair", "--verify-hashes")
	if final.code != 0 {
		t.Errorf("check --repair --verify-hashes after the saves exited %d:\n%s%s", final.code, final.stdout, final.stderr)
	}
	again := runLamin(t, e, nil, "check", "--verify-hashes")
	if again.code != 0 || !strings.Contains(again.stderr, "is consistent") {
		t.Errorf("a second check --verify-hashes exited %d:\n%s%s", again.code, again.stdout, again.stderr)
	}
	t.Logf("%d saves succeeded, %d failed with exit 2; %d repair passes ran during them, reporting %d problems; %s",
		succeeded, failed, checks, repairs, time.Now().Format(time.RFC3339))
}
