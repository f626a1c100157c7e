package lamin_test

import (
	"errors"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/lamin-go/lamin"
)

func TestAnUnknownStorageSchemeIsOneLineNamingTheSupportedOnes(t *testing.T) {
	e := newEnv(t)
	initDir := filepath.Join(e.dir, "work")
	if err := os.MkdirAll(initDir, 0o755); err != nil {
		t.Fatal(err)
	}
	t.Chdir(initDir)
	_, initErr := lamin.Init(e.ctx, "gs://bucket/data", lamin.InitOptions{Options: e.opts})
	_, saveErr := e.in.NewArtifact(e.ctx, "gs://bucket/data/x.csv", lamin.ArtifactOptions{})
	_, connectErr := lamin.Connect(e.ctx, "gs://bucket/data", e.opts)
	for name, err := range map[string]error{"init": initErr, "save": saveErr, "connect": connectErr} {
		if !errors.Is(err, lamin.ErrInvalid) {
			t.Errorf("%s gs://: %v, want ErrInvalid", name, err)
			continue
		}
		msg := err.Error()
		if !strings.Contains(msg, "gs://") || !strings.Contains(msg, "s3://") || strings.Contains(msg, "\n") {
			t.Errorf("%s gs://: %q, want one line naming gs:// and the supported s3://", name, msg)
		}
	}
	if entries, _ := os.ReadDir(initDir); len(entries) != 0 {
		t.Errorf("init gs:// left %d entries in the working folder, want none", len(entries))
	}
}

func TestAFileURLNamesALocalFolder(t *testing.T) {
	e := newEnv(t)
	root := filepath.Join(e.dir, "byurl")
	in, err := lamin.Init(e.ctx, "file://"+root, lamin.InitOptions{Options: e.opts})
	if err != nil {
		t.Fatal(err)
	}
	defer in.Close()
	if got := in.Storage().Root; got != root {
		t.Errorf("storage root = %q, want %q", got, root)
	}
	p := filepath.Join(root, "x.csv")
	if err := os.WriteFile(p, []byte("a,b\n1,2\n"), 0o644); err != nil {
		t.Fatal(err)
	}
	a, err := in.NewArtifact(e.ctx, "file://"+p, lamin.ArtifactOptions{})
	if err != nil {
		t.Fatal(err)
	}
	if err := a.Save(e.ctx); err != nil {
		t.Fatal(err)
	}
	if a.Key == nil || *a.Key != "x.csv" {
		t.Errorf("key = %v, want x.csv registered in place", a.Key)
	}
}
