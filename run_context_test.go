package lamin_test

import (
	"path/filepath"
	"strings"
	"testing"

	"github.com/lamin-go/lamin"
)

// childOptions are the SDK options of a program started with env (NAME=VALUE
// pairs), sharing the parent's settings and cache folders.
func childOptions(parent lamin.Options, env []string) lamin.Options {
	vars := map[string]string{}
	for _, kv := range env {
		k, v, _ := strings.Cut(kv, "=")
		vars[k] = v
	}
	o := parent
	o.Getenv = func(k string) string { return vars[k] }
	return o
}

// attachAsChild opens the instance as a program started by run would and
// checks that it lands on the run's instance and run.
func attachAsChild(t *testing.T, e *env, run *lamin.Run) {
	t.Helper()
	child, err := lamin.Open(e.ctx, "", childOptions(e.opts, run.Environ()))
	if err != nil {
		t.Fatalf("child open: %v", err)
	}
	defer child.Close()
	if child.UID() != e.in.UID() {
		t.Fatalf("child opened %s, want the run's instance %s", child.Slug(), e.in.Slug())
	}
	got, err := child.CurrentRun(e.ctx)
	if err != nil || got == nil || got.UID != run.UID {
		t.Fatalf("child run %v (%v), want %s", got, err, run.UID)
	}
}

func TestAProgramStartedByARunAttachesToTheRunsInstanceNotTheCurrentOne(t *testing.T) {
	e := newEnv(t)
	run := e.track(lamin.TrackOptions{TransformSpec: lamin.TransformSpec{Key: "step"}})
	// Another instance becomes current meanwhile.
	other, err := lamin.Init(e.ctx, filepath.Join(e.dir, "other"), lamin.InitOptions{Options: e.opts})
	if err != nil {
		t.Fatal(err)
	}
	other.Close()
	env := run.Environ()
	if !strings.Contains(strings.Join(env, "\n"), lamin.InstanceEnv+"="+e.in.Slug()) {
		t.Fatalf("run environment %q does not name the instance", env)
	}
	attachAsChild(t, e, run)
}

func TestATeamRunsChildrenAttachAndTheBucketConnects(t *testing.T) {
	e := newTeamEnv(t)
	run := e.track(lamin.TrackOptions{TransformSpec: lamin.TransformSpec{Key: "step"}})
	attachAsChild(t, &e.env, run)
	in, err := lamin.Connect(e.ctx, "s3://"+e.bucket+"/data", e.opts)
	if err != nil {
		t.Fatalf("connect by bucket: %v", err)
	}
	defer in.Close()
	if in.UID() != e.in.UID() || !strings.Contains(e.msgs.String(), "connected lamindb: testuser1/data") {
		t.Fatalf("connected %s (%s)", in.Slug(), e.msgs)
	}
}

func TestDiscardTakesBackARunWhoseCommandNeverStarted(t *testing.T) {
	e := newEnv(t)
	envFile := e.write("requirements.txt", "numpy==2.0\n")
	run := e.track(lamin.TrackOptions{TransformSpec: lamin.TransformSpec{Key: "never"}, EnvFile: envFile})
	if err := run.Discard(e.ctx); err != nil {
		t.Fatal(err)
	}
	for what, q := range map[string]string{
		"runs": `SELECT COUNT(*) FROM lamindb_run`, "transforms": `SELECT COUNT(*) FROM lamindb_transform`,
		"artifacts": `SELECT COUNT(*) FROM lamindb_artifact`,
	} {
		if n := e.count(q); n != 0 {
			t.Errorf("%d %s left", n, what)
		}
	}
	if files := e.managedFiles(); len(files) != 0 {
		t.Errorf("files left: %v", files)
	}

	// A transform that existed before stays, with its earlier run.
	first := e.track(lamin.TrackOptions{TransformSpec: lamin.TransformSpec{Key: "kept"}})
	if err := first.Finish(e.ctx, nil); err != nil {
		t.Fatal(err)
	}
	again := e.track(lamin.TrackOptions{TransformSpec: lamin.TransformSpec{Key: "kept"}})
	if err := again.Discard(e.ctx); err != nil {
		t.Fatal(err)
	}
	if n := e.count(`SELECT COUNT(*) FROM lamindb_transform WHERE key = 'kept'`); n != 1 {
		t.Errorf("%d transforms 'kept'", n)
	}
	if n := e.count(`SELECT COUNT(*) FROM lamindb_run`); n != 1 {
		t.Errorf("%d runs, want the first one", n)
	}
}
