package lamin_test

import (
	"errors"
	"io"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"syscall"
	"testing"

	"github.com/lamin-go/lamin"
)

// TestSavingAFolderWithAnUnreadableFileFails checks that a folder holding a
// file lamin cannot read is refused with a one-line error and leaves no
// record. Root reads every file, so as root the check runs in a copy of the
// test binary started as the unprivileged user nobody.
func TestSavingAFolderWithAnUnreadableFileFails(t *testing.T) {
	asNobody(t, "LAMIN_UNREADABLE_DIR", "TestUnreadableChild", runUnreadableCase)
}

// asNobody runs check(t, dir) on a fresh world-writable folder as a user
// without privileges: directly when the test is not root, otherwise in a
// copy of the test binary started as nobody (uid 65534) that runs the test
// child, which finds dir in the environment variable env.
func asNobody(t *testing.T, env, child string, check func(t *testing.T, dir string)) {
	t.Helper()
	if os.Getenv(env) != "" {
		t.Skip("runs as the child of itself")
	}
	dir, err := os.MkdirTemp("", "lamin-nobody-")
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { os.RemoveAll(dir) })
	if err := os.Chmod(dir, 0o777); err != nil {
		t.Fatal(err)
	}
	if os.Geteuid() != 0 {
		check(t, dir)
		return
	}
	self, err := os.Executable()
	if err != nil {
		t.Fatal(err)
	}
	bin := filepath.Join(dir, "lamin.test")
	if err := copyFile(self, bin, 0o755); err != nil {
		t.Fatal(err)
	}
	cmd := exec.Command(bin, "-test.run=^"+child+"$", "-test.v", "-test.count=1")
	// TMPDIR too: packages may cache files in the temporary folder at
	// start-up, and the one root used is not writable for nobody.
	cmd.Env = append(os.Environ(), env+"="+dir, "HOME="+dir, "TMPDIR="+dir)
	cmd.Dir = dir
	cmd.SysProcAttr = &syscall.SysProcAttr{Credential: &syscall.Credential{Uid: 65534, Gid: 65534}}
	out, err := cmd.CombinedOutput()
	if errors.Is(err, syscall.EPERM) {
		t.Skipf("cannot start a child as nobody: %v", err)
	}
	if err != nil || !strings.Contains(string(out), "--- PASS: "+child) {
		t.Fatalf("child as nobody: %v\n%s", err, out)
	}
}

// TestUnreadableChild is the unprivileged half of the test above.
func TestUnreadableChild(t *testing.T) {
	dir := os.Getenv("LAMIN_UNREADABLE_DIR")
	if dir == "" {
		t.Skip("only runs as a child of TestSavingAFolderWithAnUnreadableFileFails")
	}
	runUnreadableCase(t, dir)
}

func runUnreadableCase(t *testing.T, dir string) {
	ctx := t.Context()
	opts := lamin.Options{SettingsDir: filepath.Join(dir, "settings"), CacheDir: filepath.Join(dir, "cache"), Getenv: func(string) string { return "" }}
	if _, err := lamin.Login("testuser1", "", opts); err != nil {
		t.Fatal(err)
	}
	in, err := lamin.Init(ctx, filepath.Join(dir, "mydata"), lamin.InitOptions{Options: opts})
	if err != nil {
		t.Fatal(err)
	}
	defer in.Close()
	folder := filepath.Join(dir, "folder")
	os.MkdirAll(folder, 0o755)
	os.WriteFile(filepath.Join(folder, "ok.txt"), []byte("ok"), 0o644)
	secret := filepath.Join(folder, "secret.txt")
	os.WriteFile(secret, []byte("secret"), 0o000)
	_, err = in.NewArtifact(ctx, folder, lamin.ArtifactOptions{Key: "folder"})
	if !errors.Is(err, lamin.ErrInvalid) || !strings.Contains(err.Error(), "secret.txt") || strings.Contains(err.Error(), "\n") {
		t.Fatalf("got %v, want a one-line error naming secret.txt", err)
	}
	var n int
	lamin.StoreOf(in).QueryRow(ctx, `SELECT COUNT(*) FROM lamindb_artifact`).Scan(&n)
	if n != 0 {
		t.Fatalf("%d rows left behind", n)
	}
}

func copyFile(src, dst string, mode os.FileMode) error {
	in, err := os.Open(src)
	if err != nil {
		return err
	}
	defer in.Close()
	out, err := os.OpenFile(dst, os.O_CREATE|os.O_WRONLY|os.O_TRUNC, mode)
	if err != nil {
		return err
	}
	if _, err := io.Copy(out, in); err != nil {
		out.Close()
		return err
	}
	return out.Close()
}
