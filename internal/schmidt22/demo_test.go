package schmidt22

import (
	"errors"
	"os"
	"path/filepath"
	"runtime"
	"testing"
)

func TestTheDemoFolderIsReplacedOnlyWhenItHoldsADemo(t *testing.T) {
	write := func(t *testing.T, path, text string) {
		t.Helper()
		if err := os.MkdirAll(filepath.Dir(path), 0o755); err != nil {
			t.Fatal(err)
		}
		if err := os.WriteFile(path, []byte(text), 0o644); err != nil {
			t.Fatal(err)
		}
	}
	marker := func(slug string) string {
		return "abc123\ncreation info:\ninstance_slug=" + slug + "\ninstance_id=x\ninstance_uid=y\n"
	}
	t.Run("a missing or empty folder is used as it is", func(t *testing.T) {
		dir := t.TempDir()
		for _, d := range []string{filepath.Join(dir, "new"), dir} {
			if replaced, err := clearDemoFolder(d); err != nil || replaced {
				t.Errorf("%s: replaced %v, err %v", d, replaced, err)
			}
		}
	})
	t.Run("an earlier demo instance is removed", func(t *testing.T) {
		dir := t.TempDir()
		write(t, filepath.Join(dir, ".lamindb", "storage_uid.txt"), marker("testuser1/"+DemoName))
		write(t, filepath.Join(dir, "fastq", "r1.fastq.gz"), "reads")
		if replaced, err := clearDemoFolder(dir); err != nil || !replaced {
			t.Fatalf("replaced %v, err %v", replaced, err)
		}
		if _, err := os.Stat(dir); !os.IsNotExist(err) {
			t.Errorf("the earlier demo folder is still there: %v", err)
		}
	})
	t.Run("another instance or other files are refused and kept", func(t *testing.T) {
		for _, files := range []map[string]string{
			{".lamindb/storage_uid.txt": marker("testuser1/mydata"), "raw.csv": "gene\n"},
			{"notes.txt": "mine"},
		} {
			dir := t.TempDir()
			for rel, text := range files {
				write(t, filepath.Join(dir, rel), text)
			}
			_, err := clearDemoFolder(dir)
			var inUse *FolderInUseError
			if !errors.As(err, &inUse) || inUse.Dir != dir {
				t.Fatalf("err %v, want a FolderInUseError for %s", err, dir)
			}
			for rel := range files {
				if _, err := os.Stat(filepath.Join(dir, rel)); err != nil {
					t.Errorf("%s was touched: %v", rel, err)
				}
			}
		}
	})
}

func TestTheScriptsRunForRealOnlyWithPythonAndLamin(t *testing.T) {
	if runtime.GOOS == "windows" {
		t.Skip("executables are shell scripts here")
	}
	bin := t.TempDir()
	exe := func(name string) string {
		p := filepath.Join(bin, name)
		if err := os.WriteFile(p, []byte("#!/bin/sh\n"), 0o755); err != nil {
			t.Fatal(err)
		}
		return p
	}
	t.Setenv("PATH", bin)
	if _, why := FindInterpreters("/somewhere/lamin"); why != "python3 is not installed" {
		t.Errorf("without python3: %q", why)
	}
	py := exe("python3")
	if _, why := FindInterpreters("/somewhere/cli.test"); why != "no lamin executable for the scripts to call" {
		t.Errorf("without lamin: %q", why)
	}
	r, why := FindInterpreters("/somewhere/lamin")
	if why != "" || r.Python != py || r.Lamin != "/somewhere/lamin" || len(r.Jupyter.Argv) != 0 {
		t.Errorf("with python3, running as lamin: %+v %q", r, why)
	}
	lamin := exe("lamin")
	exe("jupyter")
	r, why = FindInterpreters("/somewhere/cli.test")
	if why != "" || r.Lamin != lamin || len(r.Jupyter.Argv) == 0 {
		t.Errorf("with python3, lamin and jupyter on PATH: %+v %q", r, why)
	}
}
