package capture

import (
	"bytes"
	"context"
	"os"
	"path/filepath"
	"slices"
	"strconv"
	"strings"
	"sync"
	"syscall"
	"testing"
	"time"
)

// hangGuard bounds how long a test waits for Run. It only catches hangs;
// no test depends on how long Run takes.
const hangGuard = 20 * time.Second

// run calls Run and fails the test if it does not return within hangGuard.
func run(t *testing.T, ctx context.Context, s Spec) Result {
	t.Helper()
	ch := make(chan Result, 1)
	go func() { ch <- Run(ctx, s) }()
	select {
	case res := <-ch:
		return res
	case <-time.After(hangGuard):
		t.Fatalf("Run(%q) did not return", s.Args)
		return Result{}
	}
}

// syncBuffer is a bytes.Buffer safe for concurrent use. onWrite, if set,
// is called once after the first write.
type syncBuffer struct {
	mu      sync.Mutex
	buf     bytes.Buffer
	onWrite func()
	once    sync.Once
}

func (b *syncBuffer) Write(p []byte) (int, error) {
	b.mu.Lock()
	n, err := b.buf.Write(p)
	b.mu.Unlock()
	if b.onWrite != nil {
		b.once.Do(b.onWrite)
	}
	return n, err
}

func (b *syncBuffer) String() string {
	b.mu.Lock()
	defer b.mu.Unlock()
	return b.buf.String()
}

func writeFile(t *testing.T, path, content string, mode os.FileMode) {
	t.Helper()
	if err := os.WriteFile(path, []byte(content), mode); err != nil {
		t.Fatal(err)
	}
}

func TestRunExitStatus(t *testing.T) {
	dir := t.TempDir()
	noExec := filepath.Join(dir, "noexec.sh")
	writeFile(t, noExec, "#!/bin/sh\necho hi\n", 0o644)
	noShebang := filepath.Join(dir, "noshebang")
	writeFile(t, noShebang, "echo hi\n", 0o755)
	badInterp := filepath.Join(dir, "badinterp")
	writeFile(t, badInterp, "#!/nonexistent/interpreter\necho hi\n", 0o755)

	tests := []struct {
		name        string
		args        []string
		wantCode    int
		wantStarted bool
		wantErr     string
	}{
		{"a successful command exits 0", []string{"true"}, 0, true, ""},
		{"a failing command keeps its exit code", []string{"sh", "-c", "exit 3"}, 3, true, ""},
		{"false exits 1", []string{"false"}, 1, true, ""},
		{"an unknown command is reported as not found",
			[]string{"lamin-test-no-such-command", "arg"}, 127, false,
			"command not found: lamin-test-no-such-command; check the spelling or the PATH"},
		{"a missing path is reported as not found",
			[]string{filepath.Join(dir, "missing.sh")}, 127, false, "command not found: "},
		{"a file without execute permission cannot be executed",
			[]string{noExec}, 126, false, "permission denied; make it executable"},
		{"an executable without a #! line cannot be executed",
			[]string{noShebang}, 126, false, "not an executable format"},
		{"a script with a missing interpreter cannot be executed",
			[]string{badInterp}, 126, false, "interpreter"},
		{"a directory cannot be executed", []string{dir}, 126, false, "is a directory"},
		{"an empty command line is a setup failure", nil, 125, false, "no command given"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			res := run(t, context.Background(), Spec{Args: tt.args})
			if res.ExitCode != tt.wantCode || res.Started != tt.wantStarted {
				t.Errorf("ExitCode, Started = %d, %v; want %d, %v (Err %v)",
					res.ExitCode, res.Started, tt.wantCode, tt.wantStarted, res.Err)
			}
			if res.Signal != nil {
				t.Errorf("Signal = %v, want nil", res.Signal)
			}
			switch {
			case tt.wantErr == "" && res.Err != nil:
				t.Errorf("Err = %v, want nil", res.Err)
			case tt.wantErr != "" && (res.Err == nil || !strings.Contains(res.Err.Error(), tt.wantErr)):
				t.Errorf("Err = %v, want it to contain %q", res.Err, tt.wantErr)
			case res.Err != nil && strings.Contains(res.Err.Error(), "\n"):
				t.Errorf("Err %q is not one line", res.Err)
			}
		})
	}
}

func TestRunOutput(t *testing.T) {
	tests := []struct {
		name       string
		script     string
		wantStdout string
		wantStderr string
		wantLog    []string // log lines in any order, when both streams write
	}{
		{"stdout and stderr reach their writers and the log",
			"echo out; echo err >&2", "out\n", "err\n", []string{"err", "out"}},
		{"carriage-return progress is collapsed in the log only",
			`printf 'a\rb\rc\n'`, "a\rb\rc\n", "", []string{"c"}},
		{"CRLF line endings become plain newlines in the log",
			`printf 'x\r\n'`, "x\r\n", "", []string{"x"}},
		{"a last line without newline is kept",
			`printf 'one\ndone'`, "one\ndone", "", []string{"done", "one"}},
		{"a command writing nothing leaves an empty log", "true", "", "", nil},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			logPath := filepath.Join(t.TempDir(), "logs", "run", "run.log")
			var stdout, stderr syncBuffer
			res := run(t, context.Background(), Spec{
				Args:    []string{"sh", "-c", tt.script},
				Stdout:  &stdout,
				Stderr:  &stderr,
				LogPath: logPath,
			})
			if res.ExitCode != 0 || !res.Started || res.Err != nil || res.LogErr != nil {
				t.Fatalf("Run = %+v, want a clean exit", res)
			}
			if got := stdout.String(); got != tt.wantStdout {
				t.Errorf("stdout = %q, want %q", got, tt.wantStdout)
			}
			if got := stderr.String(); got != tt.wantStderr {
				t.Errorf("stderr = %q, want %q", got, tt.wantStderr)
			}
			data, err := os.ReadFile(logPath)
			if err != nil {
				t.Fatalf("reading log: %v", err)
			}
			var lines []string
			if len(data) > 0 {
				lines = strings.Split(strings.TrimSuffix(string(data), "\n"), "\n")
			}
			slices.Sort(lines)
			if !slices.Equal(lines, tt.wantLog) {
				t.Errorf("log = %q, want lines %q", data, tt.wantLog)
			}
		})
	}
}

func TestRunEnvironment(t *testing.T) {
	dir := t.TempDir()
	realDir, err := filepath.EvalSymlinks(dir)
	if err != nil {
		t.Fatal(err)
	}
	writeFile(t, filepath.Join(dir, "local.sh"), "#!/bin/sh\necho local\n", 0o755)

	tests := []struct {
		name       string
		spec       Spec
		wantStdout string
	}{
		{"stdin is passed to the child",
			Spec{Args: []string{"cat"}, Stdin: strings.NewReader("hello\n")}, "hello\n"},
		{"the environment is the one given",
			Spec{Args: []string{"sh", "-c", "echo $LAMIN_RUN_UID"}, Env: []string{"LAMIN_RUN_UID=abc", "PATH=" + os.Getenv("PATH")}}, "abc\n"},
		{"the child runs in the given directory",
			Spec{Args: []string{"sh", "-c", "pwd -P"}, Dir: dir}, realDir + "\n"},
		{"a relative path is resolved against the directory",
			Spec{Args: []string{"./local.sh"}, Dir: dir}, "local\n"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			var stdout syncBuffer
			tt.spec.Stdout = &stdout
			res := run(t, context.Background(), tt.spec)
			if res.ExitCode != 0 || res.Err != nil {
				t.Fatalf("Run = %+v, want a clean exit", res)
			}
			if got := stdout.String(); got != tt.wantStdout {
				t.Errorf("stdout = %q, want %q", got, tt.wantStdout)
			}
		})
	}
}

func TestRunForwardsSignals(t *testing.T) {
	tests := []struct {
		name       string
		args       []string
		waitReady  bool // send the signal only after the child printed something
		sig        syscall.Signal
		wantCode   int
		wantSignal os.Signal
	}{
		{"a forwarded SIGTERM ends the child",
			[]string{"sleep", "30"}, false, syscall.SIGTERM, 143, syscall.SIGTERM},
		{"a forwarded SIGUSR1 ends the child",
			[]string{"sleep", "30"}, false, syscall.SIGUSR1, 128 + int(syscall.SIGUSR1), syscall.SIGUSR1},
		{"a child trapping the signal chooses its exit code",
			[]string{"sh", "-c", `sleep 30 >/dev/null 2>&1 & trap 'kill $!; exit 7' TERM; echo ready; wait`},
			true, syscall.SIGTERM, 7, nil},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			sigs := make(chan os.Signal, 1)
			stdout := &syncBuffer{}
			if tt.waitReady {
				stdout.onWrite = func() { sigs <- tt.sig }
			} else {
				// Queued before Run; it is forwarded once the child has started.
				sigs <- tt.sig
			}
			res := run(t, context.Background(), Spec{Args: tt.args, Stdout: stdout, Signals: sigs})
			if !res.Started || res.ExitCode != tt.wantCode || res.Signal != tt.wantSignal {
				t.Errorf("Run = %+v; want ExitCode %d, Signal %v", res, tt.wantCode, tt.wantSignal)
			}
		})
	}
}

func TestRunCancellation(t *testing.T) {
	tests := []struct {
		name       string
		script     string
		wantSignal syscall.Signal
	}{
		{"cancelling the context terminates the child",
			"echo ready; exec sleep 30", syscall.SIGTERM},
		{"a child ignoring SIGTERM is killed after the grace period",
			`trap '' TERM; echo ready; exec sleep 30`, syscall.SIGKILL},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			ctx, cancel := context.WithCancel(context.Background())
			defer cancel()
			stdout := &syncBuffer{onWrite: cancel}
			res := run(t, ctx, Spec{
				Args:      []string{"sh", "-c", tt.script},
				Stdout:    stdout,
				KillGrace: 50 * time.Millisecond,
			})
			want := 128 + int(tt.wantSignal)
			if !res.Started || res.Signal != tt.wantSignal || res.ExitCode != want {
				t.Errorf("Run = %+v; want Signal %v, ExitCode %d", res, tt.wantSignal, want)
			}
		})
	}

	t.Run("a context done before the start does not start the command", func(t *testing.T) {
		ctx, cancel := context.WithCancel(context.Background())
		cancel()
		res := run(t, ctx, Spec{Args: []string{"true"}})
		if res.Started || res.ExitCode != ExitSetupFailed || res.Err == nil {
			t.Errorf("Run = %+v; want not started with ExitCode %d", res, ExitSetupFailed)
		}
	})
}

func TestRunDoesNotWaitForGrandchildren(t *testing.T) {
	t.Run("a grandchild holding the output pipe does not keep Run waiting", func(t *testing.T) {
		var stdout syncBuffer
		logPath := filepath.Join(t.TempDir(), "run.log")
		res := run(t, context.Background(), Spec{
			Args:    []string{"sh", "-c", "sleep 30 & echo $!"},
			Stdout:  &stdout,
			LogPath: logPath,
		})
		out := stdout.String()
		if pid, err := strconv.Atoi(strings.TrimSpace(out)); err == nil {
			syscall.Kill(pid, syscall.SIGKILL)
		}
		if !res.Started || res.ExitCode != 0 || res.Signal != nil {
			t.Errorf("Run = %+v; want a clean exit", res)
		}
		data, err := os.ReadFile(logPath)
		if err != nil {
			t.Fatal(err)
		}
		if string(data) != out || out == "" {
			t.Errorf("log = %q, stdout = %q; want the same non-empty output", data, out)
		}
	})
}

func TestRunLogFileErrors(t *testing.T) {
	dir := t.TempDir()
	blocker := filepath.Join(dir, "file")
	writeFile(t, blocker, "", 0o644)
	noExec := filepath.Join(dir, "noexec.sh")
	writeFile(t, noExec, "#!/bin/sh\necho hi\n", 0o644)

	t.Run("an uncreatable log file is a setup failure", func(t *testing.T) {
		res := run(t, context.Background(), Spec{
			Args:    []string{"true"},
			LogPath: filepath.Join(blocker, "run.log"),
		})
		if res.Started || res.ExitCode != ExitSetupFailed || res.Err == nil {
			t.Errorf("Run = %+v; want not started with ExitCode %d", res, ExitSetupFailed)
		}
	})
	t.Run("a command that cannot start leaves no log file", func(t *testing.T) {
		logPath := filepath.Join(dir, "noexec.log")
		res := run(t, context.Background(), Spec{
			Args:    []string{noExec},
			LogPath: logPath,
		})
		if res.Started {
			t.Fatalf("Run = %+v; want not started", res)
		}
		if _, err := os.Stat(logPath); !os.IsNotExist(err) {
			t.Errorf("log file exists after a failed start (stat error %v)", err)
		}
	})
}
