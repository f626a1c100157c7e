// Package exampletest sets up what the example programs' tests share: a
// logged-in user and a fresh local instance holding one CSV artifact,
// through the public SDK only (the examples show what a program outside
// the module can do, and so do their tests).
package exampletest

import (
	"context"
	"os"
	"path/filepath"
	"testing"

	"github.com/lamin-go/lamin"
)

// Instance is a fresh local instance in a temporary folder, with settings
// and cache folders of its own and no environment.
type Instance struct {
	*lamin.Instance
	// Dir is the temporary folder holding the instance and its settings.
	Dir string
	// Options are the SDK options that reach this instance's settings.
	Options lamin.Options
}

// New logs testuser1 in and initializes an instance at Dir/mydata; it is
// closed when t ends.
func New(t testing.TB) *Instance {
	t.Helper()
	dir := t.TempDir()
	opts := lamin.Options{SettingsDir: filepath.Join(dir, "settings"), CacheDir: filepath.Join(dir, "cache"),
		Getenv: func(string) string { return "" }}
	if _, err := lamin.Login("testuser1", "", opts); err != nil {
		t.Fatal(err)
	}
	in, err := lamin.Init(context.Background(), filepath.Join(dir, "mydata"), lamin.InitOptions{Options: opts})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { in.Close() })
	return &Instance{Instance: in, Dir: dir, Options: opts}
}

// SaveCSV writes content to Dir/name and saves it as an artifact under key.
func (e *Instance) SaveCSV(t testing.TB, name, key, content string) *lamin.Artifact {
	t.Helper()
	ctx := context.Background()
	src := filepath.Join(e.Dir, name)
	if err := os.WriteFile(src, []byte(content), 0o644); err != nil {
		t.Fatal(err)
	}
	a, err := e.NewArtifact(ctx, src, lamin.ArtifactOptions{Key: key})
	if err != nil {
		t.Fatal(err)
	}
	if err := a.Save(ctx); err != nil {
		t.Fatal(err)
	}
	return a
}
