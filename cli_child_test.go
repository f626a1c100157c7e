package lamin_test

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"syscall"
	"testing"
	"time"

	"github.com/lamin-go/lamin"
	"github.com/lamin-go/lamin/internal/cli"
	"github.com/lamin-go/lamin/internal/hashing"
)

// cliArgsEnv carries the command line of TestLaminCLIChild, separated by the unit separator (0x1f).
const cliArgsEnv = "LAMIN_TEST_CLI_ARGS"

// TestLaminCLIChild is not a test: run by laminCmd in a child process, it
// is the `lamin` command line, so that tests see exit codes and messages
// exactly as users do without building the binary.
func TestLaminCLIChild(t *testing.T) {
	args := os.Getenv(cliArgsEnv)
	if args == "" {
		t.Skip("only runs as a child of the save-protocol tests")
	}
	os.Args = append([]string{"lamin"}, strings.Split(args, "\x1f")...)
	os.Exit(cli.Main())
}

// laminCmd returns the command `lamin args...` acting on the instance of e
// (its settings and cache folders), with extra environment variables env.
func laminCmd(t *testing.T, e *env, env []string, args ...string) *exec.Cmd {
	t.Helper()
	cmd := childTest(t, "TestLaminCLIChild", append([]string{cliArgsEnv + "=" + strings.Join(args, "\x1f"),
		"LAMIN_SETTINGS_DIR=" + e.opts.SettingsDir, "LAMIN_CACHE_DIR=" + e.opts.CacheDir}, env...)...)
	return cmd
}

// cliResult is what one lamin command line did.
type cliResult struct {
	code           int
	signaled       bool
	stdout, stderr string
}

// runLamin runs `lamin args...` to its end.
func runLamin(t *testing.T, e *env, env []string, args ...string) cliResult {
	t.Helper()
	cmd := laminCmd(t, e, env, args...)
	var stdout, stderr bytes.Buffer
	cmd.Stdout, cmd.Stderr = &stdout, &stderr
	err := cmd.Run()
	return resultOf(t, cmd, err, &stdout, &stderr)
}

func resultOf(t *testing.T, cmd *exec.Cmd, err error, stdout, stderr *bytes.Buffer) cliResult {
	t.Helper()
	r := cliResult{stdout: stdout.String(), stderr: stderr.String()}
	var ee *exec.ExitError
	switch {
	case err == nil:
	case errors.As(err, &ee):
		r.code = ee.ExitCode()
		if ws, ok := cmd.ProcessState.Sys().(syscall.WaitStatus); ok && ws.Signaled() {
			r.signaled = true
		}
	default:
		t.Errorf("run lamin: %v", err)
		r.code = -1
	}
	return r
}

// verifyStored checks that artifact uid is on the main branch, marked
// stored, and that its bytes (fetched as a user would, with cache) hash
// to its record, file by file under their own names for folders with a
// manifest; it returns what is wrong, or "".
func verifyStored(ctx context.Context, in *lamin.Instance, uid string) string {
	a, err := in.GetArtifact(ctx, uid)
	if err != nil {
		return fmt.Sprintf("artifact %s reported saved: %v", uid, err)
	}
	if a.BranchID != 1 || (a.Aux != nil && strings.Contains(strings.ReplaceAll(*a.Aux, " ", ""), `"0":false`)) {
		return fmt.Sprintf("artifact %s reported saved is on branch %d with _aux %s", uid, a.BranchID, derefString(a.Aux))
	}
	no := false
	p, err := in.Cache(ctx, a, lamin.CacheOptions{IsRunInput: &no})
	if err != nil {
		return fmt.Sprintf("artifact %s reported saved: cache: %v", uid, err)
	}
	var res hashing.Result
	if a.NFiles != nil {
		res, err = hashing.Dir(ctx, p)
	} else {
		res, err = hashing.File(ctx, p)
	}
	if err != nil {
		return fmt.Sprintf("artifact %s reported saved: %v", uid, err)
	}
	if res.Hash != *a.Hash || res.Size != *a.Size {
		return fmt.Sprintf("artifact %s reported saved: bytes at %s hash to %s (%d bytes), the record says %s (%d bytes)",
			uid, p, res.Hash, res.Size, *a.Hash, *a.Size)
	}
	if a.NFiles != nil && res.NFiles != *a.NFiles {
		return fmt.Sprintf("artifact %s reported saved: %d files at %s, the record says %d", uid, res.NFiles, p, *a.NFiles)
	}
	if a.NFiles != nil && !isS3Root(in) {
		// Every file under its own name: no temporary names left.
		var tmp []string
		err := filepath.WalkDir(p, func(f string, d os.DirEntry, err error) error {
			if err == nil && strings.Contains(d.Name(), ".tmp-") {
				tmp = append(tmp, f)
			}
			return err
		})
		if err != nil {
			return err.Error()
		}
		if len(tmp) > 0 {
			return fmt.Sprintf("artifact %s reported saved: %s still holds temporary files: %v", uid, p, tmp)
		}
	}
	return ""
}

func isS3Root(in *lamin.Instance) bool { return strings.HasPrefix(in.Storage().Root, "s3://") }

// untilDone polls cond every few milliseconds for at most d.
func untilDone(d time.Duration, cond func() bool) bool {
	deadline := time.Now().Add(d)
	for time.Now().Before(deadline) {
		if cond() {
			return true
		}
		time.Sleep(2 * time.Millisecond)
	}
	return cond()
}
