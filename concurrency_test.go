package lamin_test

import (
	"bytes"
	"context"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"strconv"
	"strings"
	"sync"
	"testing"

	"github.com/lamin-go/lamin"
)

// Environment of the workers of TestConcurrentSavesFromEightProcessesAllSucceed.
const (
	concWorkerEnv = "LAMIN_CONC_WORKER" // the worker's index
	concSavesEnv  = "LAMIN_CONC_SAVES"  // saves per worker
	concDirEnv    = "LAMIN_CONC_DIR"    // holds settings, cache, storage root
)

// concShared is the number of files whose content every worker saves.
const concShared = 20

// TestConcurrentSavesFromEightProcessesAllSucceed runs eight processes that
// save into one SQLite instance at the same time. Each saves its own
// distinct files plus 20 files whose content (and key) is the same in every
// process. No save may fail (in particular not with "database is locked"),
// the shared content must be registered once, and the instance must check
// clean afterwards.
func TestConcurrentSavesFromEightProcessesAllSucceed(t *testing.T) {
	if os.Getenv(concWorkerEnv) != "" {
		t.Skip("runs as the parent of the save workers")
	}
	const workers = 8
	saves := 500
	if testing.Short() {
		saves = 100
	}
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

	type worker struct {
		cmd            *exec.Cmd
		stdout, stderr bytes.Buffer
	}
	ws := make([]*worker, workers)
	for i := range ws {
		w := &worker{cmd: childTest(t, "TestConcurrentSaveWorker",
			concWorkerEnv+"="+strconv.Itoa(i), concSavesEnv+"="+strconv.Itoa(saves), concDirEnv+"="+dir)}
		w.cmd.Stdout, w.cmd.Stderr = &w.stdout, &w.stderr
		ws[i] = w
	}
	for i, w := range ws {
		if err := w.cmd.Start(); err != nil {
			t.Fatalf("start worker %d: %v", i, err)
		}
	}
	for i, w := range ws {
		err := w.cmd.Wait()
		out := w.stdout.String() + w.stderr.String()
		if err != nil || !strings.Contains(out, fmt.Sprintf("saved %d of %d", saves, saves)) {
			t.Errorf("worker %d: %v\n%s", i, err, out)
		}
		if strings.Contains(out, "database is locked") || strings.Contains(out, "SQLITE_BUSY") {
			t.Errorf("worker %d saw a locked database:\n%s", i, out)
		}
	}
	if t.Failed() {
		t.FailNow()
	}
	// How the shared content was recognised: before inserting (the hash
	// lookup) or by the unique index when two processes raced.
	var before, raced int
	for _, w := range ws {
		before += strings.Count(w.stderr.String(), "returning existing artifact with same hash")
		raced += strings.Count(w.stderr.String(), "! returning artifact with same hash")
	}
	t.Logf("shared content found by lookup %d times, by a lost insert race %d times", before, raced)

	tests := []struct {
		name  string
		query string
		want  int
	}{
		{"every distinct file and each shared file once are registered", `SELECT COUNT(*) FROM lamindb_artifact`, workers*(saves-concShared) + concShared},
		{"the shared content is registered once per key", `SELECT COUNT(DISTINCT key) FROM lamindb_artifact WHERE key LIKE 'shared/%'`, concShared},
		{"no shared key has a second version", `SELECT COUNT(*) FROM lamindb_artifact WHERE key LIKE 'shared/%'`, concShared},
		{"every save completed its storing mark", `SELECT COUNT(*) FROM lamindb_artifact WHERE _aux IS NULL OR _aux NOT LIKE '%"0":true%'`, 0},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			var n int
			if err := lamin.StoreOf(in).QueryRow(ctx, tt.query).Scan(&n); err != nil {
				t.Fatal(err)
			}
			if n != tt.want {
				t.Fatalf("%s = %d, want %d", tt.query, n, tt.want)
			}
		})
	}
	t.Run("the instance checks clean with hashes verified", func(t *testing.T) {
		ps, err := in.Check(ctx, lamin.CheckOptions{VerifyHashes: true})
		if err != nil {
			t.Fatal(err)
		}
		if len(ps) > 0 {
			t.Fatalf("check finds %s", describeProblems(ps))
		}
	})
}

// TestConcurrentSaveWorker is one process of the concurrency test: it saves
// the shared files first (so that the processes race on them) and then its
// own distinct files, and prints "saved N of M".
func TestConcurrentSaveWorker(t *testing.T) {
	idx := os.Getenv(concWorkerEnv)
	if idx == "" {
		t.Skip("only runs as a child of TestConcurrentSavesFromEightProcessesAllSucceed")
	}
	saves, err := strconv.Atoi(os.Getenv(concSavesEnv))
	if err != nil {
		t.Fatal(err)
	}
	dir := os.Getenv(concDirEnv)
	ctx := context.Background()
	opts := lamin.Options{SettingsDir: filepath.Join(dir, "settings"), CacheDir: filepath.Join(dir, "cache"),
		Messages: lamin.NewMessages(os.Stderr), Getenv: func(string) string { return "" }}
	in, err := lamin.Open(ctx, filepath.Join(dir, "mydata"), opts)
	if err != nil {
		t.Fatal(err)
	}
	defer in.Close()
	src := filepath.Join(dir, "worker-"+idx)
	if err := os.MkdirAll(src, 0o755); err != nil {
		t.Fatal(err)
	}
	saved := 0
	for j := range saves {
		var name, key, content string
		if j < concShared {
			name, key = fmt.Sprintf("shared-%02d.txt", j), fmt.Sprintf("shared/%02d.txt", j)
			content = fmt.Sprintf("content shared by every worker, file %d\n", j)
		} else {
			name, key = fmt.Sprintf("own-%04d.txt", j), fmt.Sprintf("worker-%s/%04d.txt", idx, j)
			content = fmt.Sprintf("content of worker %s, file %d\n", idx, j)
		}
		p := filepath.Join(src, name)
		if err := os.WriteFile(p, []byte(content), 0o644); err != nil {
			t.Fatal(err)
		}
		a, err := in.NewArtifact(ctx, p, lamin.ArtifactOptions{Key: key, NoRun: true})
		if err == nil {
			err = a.Save(ctx)
		}
		if err != nil {
			t.Errorf("save %d (%s): %v", j, key, err)
			continue
		}
		saved++
	}
	fmt.Printf("saved %d of %d\n", saved, saves)
}

// TestConcurrentNewVersionsOfOneKeyGetDistinctVersions has writers race to
// save different content under one key: every save succeeds, the versions
// are distinct and exactly one is the latest.
func TestConcurrentNewVersionsOfOneKeyGetDistinctVersions(t *testing.T) {
	raceNewVersions(t, newEnv(t))
}

// TestTeamConcurrentNewVersionsOfOneKeyGetDistinctVersions races the same
// writers on PostgreSQL + S3, where READ COMMITTED alone would let two
// writers both start a version family.
func TestTeamConcurrentNewVersionsOfOneKeyGetDistinctVersions(t *testing.T) {
	raceNewVersions(t, &newTeamEnv(t).env)
}

func raceNewVersions(t *testing.T, e *env) {
	const writers = 8
	paths := make([]string, writers)
	for w := range paths {
		paths[w] = e.write(fmt.Sprintf("w%d/table.csv", w), fmt.Sprintf("a\n%d\n", w))
	}
	race(t, e, writers, func(w int, in *lamin.Instance) error {
		a, err := in.NewArtifact(e.ctx, paths[w], lamin.ArtifactOptions{Key: "results/table.csv"})
		if err == nil {
			err = a.Save(e.ctx)
		}
		return err
	})
	if n := e.count(`SELECT COUNT(DISTINCT uid) FROM lamindb_artifact WHERE key = 'results/table.csv'`); n != writers {
		t.Fatalf("%d versions, want %d", n, writers)
	}
	if n := e.count(`SELECT COUNT(DISTINCT substr(uid, 1, 16)) FROM lamindb_artifact WHERE key = 'results/table.csv'`); n != 1 {
		t.Fatalf("%d version families, want 1", n)
	}
	if n := e.count(`SELECT COUNT(*) FROM lamindb_artifact WHERE key = 'results/table.csv' AND is_latest`); n != 1 {
		t.Fatalf("%d latest versions, want 1", n)
	}
}

// TestConcurrentTransformVersionsOfOneKeyGetDistinctVersions has writers
// race to register one script key: with different sources each becomes a
// version of one family; with the same source they share one transform.
func TestConcurrentTransformVersionsOfOneKeyGetDistinctVersions(t *testing.T) {
	raceTransforms(t, newEnv(t))
}

// TestTeamConcurrentTransformVersionsOfOneKeyGetDistinctVersions is the
// same race on PostgreSQL.
func TestTeamConcurrentTransformVersionsOfOneKeyGetDistinctVersions(t *testing.T) {
	raceTransforms(t, &newTeamEnv(t).env)
}

func raceTransforms(t *testing.T, e *env) {
	const writers = 8
	resolve := func(key string, source func(w int) string) {
		race(t, e, writers, func(w int, in *lamin.Instance) error {
			_, _, err := in.ResolveTransform(e.ctx, lamin.TransformSpec{Key: key, Type: "script", Source: source(w)})
			return err
		})
	}
	resolve("differ.py", func(w int) string { return fmt.Sprintf("print(%d)\n", w) })
	if n := e.count(`SELECT COUNT(DISTINCT uid) FROM lamindb_transform WHERE key = 'differ.py'`); n != writers {
		t.Fatalf("%d versions, want %d", n, writers)
	}
	if n := e.count(`SELECT COUNT(DISTINCT substr(uid, 1, 12)) FROM lamindb_transform WHERE key = 'differ.py'`); n != 1 {
		t.Fatalf("%d version families, want 1", n)
	}
	if n := e.count(`SELECT COUNT(*) FROM lamindb_transform WHERE key = 'differ.py' AND is_latest`); n != 1 {
		t.Fatalf("%d latest versions, want 1", n)
	}
	resolve("same.py", func(int) string { return "print('same')\n" })
	if n := e.count(`SELECT COUNT(*) FROM lamindb_transform WHERE key = 'same.py'`); n != 1 {
		t.Fatalf("%d transforms for one source, want 1", n)
	}
}

// race runs fn for writers goroutines at once, each on its own open
// instance, and fails the test on any error.
func race(t *testing.T, e *env, writers int, fn func(w int, in *lamin.Instance) error) {
	t.Helper()
	var wg sync.WaitGroup
	errs := make(chan error, writers)
	for w := 0; w < writers; w++ {
		wg.Add(1)
		go func() {
			defer wg.Done()
			in, err := lamin.Open(e.ctx, "", e.opts)
			if err != nil {
				errs <- err
				return
			}
			defer in.Close()
			errs <- fn(w, in)
		}()
	}
	wg.Wait()
	close(errs)
	for err := range errs {
		if err != nil {
			t.Fatal(err)
		}
	}
}
