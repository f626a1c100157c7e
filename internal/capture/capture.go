package capture

import (
	"context"
	"errors"
	"fmt"
	"io"
	"io/fs"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"sync"
	"syscall"
	"time"
)

// DefaultKillGrace is how long Run waits after sending SIGTERM on context
// cancellation before it sends SIGKILL, when Spec.KillGrace is zero.
const DefaultKillGrace = 10 * time.Second

// DefaultDrainDelay is how long Run waits for the output pipes to drain
// after the child has exited, when Spec.DrainDelay is zero.
const DefaultDrainDelay = 2 * time.Second

// Exit codes Run reports when the child did not produce one itself. They
// follow the shell and POSIX conventions for command wrappers.
const (
	// ExitNotFound is the exit code for a command that does not exist.
	ExitNotFound = 127
	// ExitNotExecutable is the exit code for a command that exists but
	// could not be executed.
	ExitNotExecutable = 126
	// ExitSetupFailed is the exit code when Run failed before trying to
	// start the command: no command given, the log file could not be
	// created, or the context was already done.
	ExitSetupFailed = 125
)

// Spec describes the command Run executes and where its output goes.
type Spec struct {
	// Args holds the command and its arguments. Args[0] is looked up in
	// lamin's PATH unless it contains a '/'; the child still sees Args[0]
	// as given.
	Args []string
	// Env is the child's full environment; nil means lamin's own.
	Env []string
	// Dir is the child's working directory; "" means the current one. A
	// relative Args[0] containing a '/' is resolved against Dir.
	Dir string
	// Stdin is the child's standard input; nil means /dev/null.
	Stdin io.Reader
	// Stdout receives the child's stdout unchanged; nil discards it.
	Stdout io.Writer
	// Stderr receives the child's stderr unchanged; nil discards it.
	Stderr io.Writer
	// LogPath names the file receiving the combined stdout and stderr
	// log, written as NewLogWriter describes; "" means no log. Parent
	// directories are created and an existing file is truncated; the file
	// is removed again if the command cannot be started.
	LogPath string
	// Signals, if not nil, delivers signals to forward to the child. A
	// terminal's Ctrl-C already reaches the child through the shared
	// process group, so forwarding SIGINT makes it arrive twice.
	Signals <-chan os.Signal
	// KillGrace is the wait between SIGTERM and SIGKILL when ctx is
	// cancelled; zero means DefaultKillGrace.
	KillGrace time.Duration
	// DrainDelay bounds the wait for output after the child exits, for
	// when a grandchild keeps the pipes open; zero means
	// DefaultDrainDelay.
	DrainDelay time.Duration
}

// Result reports how the child process ended.
type Result struct {
	// ExitCode is the child's exit code, 128+N when it was killed by
	// signal N, ExitNotFound or ExitNotExecutable when the command could
	// not be started, and ExitSetupFailed when Run failed before that.
	ExitCode int
	// Signal is the signal that terminated the child, including a
	// forwarded one or one sent on cancellation; nil otherwise.
	Signal os.Signal
	// Started reports whether the command was started.
	Started bool
	// Err explains, in one line, why the command was not started.
	Err error
	// LogErr is the first error writing, syncing or closing the log file
	// after the command started. The child is not disturbed by it.
	LogErr error
}

// Run executes the command described by s and waits for it to finish.
//
// The child stays in lamin's process group, so terminal job control keeps
// working; signals received on s.Signals are forwarded to it. When ctx is
// cancelled the child gets SIGTERM and, after s.KillGrace, SIGKILL. The
// child's stdout and stderr are copied to s.Stdout and s.Stderr and to the
// log file; Run returns once both streams are drained (or s.DrainDelay
// after the child exited) and the log is synced and closed.
func Run(ctx context.Context, s Spec) Result {
	if len(s.Args) == 0 || s.Args[0] == "" {
		return setupFailure(errors.New("no command given; pass the command to run after --"))
	}
	if err := ctx.Err(); err != nil {
		return setupFailure(fmt.Errorf("%s was not started: %w", s.Args[0], err))
	}
	path, res, ok := resolve(s.Args[0], s.Dir, s.Env)
	if !ok {
		return res
	}

	var logFile *os.File
	if s.LogPath != "" {
		f, err := createLog(s.LogPath)
		if err != nil {
			return setupFailure(err)
		}
		logFile = f
	}
	log := &sharedLog{f: logFile}
	stdout := &tee{term: s.Stdout, log: log.newStream()}
	stderr := &tee{term: s.Stderr, log: log.newStream()}

	cmd := &exec.Cmd{
		Path:      path,
		Args:      s.Args,
		Env:       s.Env,
		Dir:       s.Dir,
		Stdin:     s.Stdin,
		Stdout:    stdout,
		Stderr:    stderr,
		WaitDelay: durationOr(s.DrainDelay, DefaultDrainDelay),
	}
	if err := cmd.Start(); err != nil {
		if logFile != nil {
			logFile.Close()
			os.Remove(s.LogPath)
		}
		return startFailure(s.Args[0], path, s.Dir, err)
	}

	done := make(chan struct{})
	var wg sync.WaitGroup
	wg.Go(func() { forwardSignals(cmd.Process, s.Signals, done) })
	wg.Go(func() { killOnCancel(ctx, cmd.Process, durationOr(s.KillGrace, DefaultKillGrace), done) })
	// The error is fully described by ProcessState; exec.ErrWaitDelay only
	// says that a grandchild kept the pipes open.
	_ = cmd.Wait()
	close(done)
	wg.Wait()

	res = Result{Started: true, ExitCode: cmd.ProcessState.ExitCode()}
	if ws, ok := cmd.ProcessState.Sys().(syscall.WaitStatus); ok && ws.Signaled() {
		res.Signal = ws.Signal()
		res.ExitCode = 128 + int(ws.Signal())
	}
	stdout.log.Close()
	stderr.log.Close()
	res.LogErr = log.close()
	return res
}

// durationOr returns d, or def when d is not positive.
func durationOr(d, def time.Duration) time.Duration {
	if d <= 0 {
		return def
	}
	return d
}

// setupFailure is the Result for a failure before the command was tried.
func setupFailure(err error) Result {
	return Result{ExitCode: ExitSetupFailed, Err: err}
}

// Check reports whether Run could start the command of s, resolving
// Args[0] as Run does: looked up in the PATH of s.Env (lamin's own when
// s.Env has none), or as a file that exists, is not a directory and is
// executable. When it cannot, it returns the Result Run would return and
// false, so a caller can refuse before recording anything. Failures only
// the start itself can see (a missing #! interpreter) are left to Run.
func Check(s Spec) (Result, bool) {
	if len(s.Args) == 0 || s.Args[0] == "" {
		return setupFailure(errors.New("no command given; pass the command to run after --")), false
	}
	path, res, ok := resolve(s.Args[0], s.Dir, s.Env)
	if !ok {
		return res, false
	}
	if fi, err := os.Stat(inDir(path, s.Dir)); err == nil && fi.Mode().IsRegular() && fi.Mode().Perm()&0o111 == 0 {
		return startFailure(s.Args[0], path, s.Dir, syscall.EACCES), false
	}
	return Result{}, true
}

// resolve finds the executable for name, searching the PATH of env (or
// lamin's own). When it cannot, it returns the Result to report and
// ok=false.
func resolve(name, dir string, env []string) (path string, res Result, ok bool) {
	if !strings.Contains(name, "/") {
		path, err := lookPath(name, pathOf(env))
		switch {
		case err == nil:
			return path, Result{}, true
		case errors.Is(err, exec.ErrDot):
			return "", Result{ExitCode: ExitNotFound, Err: fmt.Errorf(
				"command not found: %s; it is in the current directory, run it as ./%s", name, name)}, false
		default:
			return "", Result{ExitCode: ExitNotFound, Err: fmt.Errorf(
				"command not found: %s; check the spelling or the PATH", name)}, false
		}
	}
	fi, err := os.Stat(inDir(name, dir))
	switch {
	case errors.Is(err, fs.ErrNotExist):
		return "", Result{ExitCode: ExitNotFound, Err: fmt.Errorf(
			"command not found: %s; check that the file exists", name)}, false
	case err == nil && fi.IsDir():
		return "", Result{ExitCode: ExitNotExecutable, Err: fmt.Errorf(
			"cannot execute %s: it is a directory; name a program or script inside it", name)}, false
	}
	// Other stat errors surface, more precisely, when starting.
	return name, Result{}, true
}

// pathOf returns the PATH of env, or lamin's own when env is nil or has
// none.
func pathOf(env []string) string {
	for i := len(env) - 1; i >= 0; i-- {
		if v, ok := strings.CutPrefix(env[i], "PATH="); ok {
			return v
		}
	}
	return os.Getenv("PATH")
}

// lookPath is exec.LookPath over the folder list path instead of lamin's
// PATH: the first executable regular file named name; exec.ErrDot when
// that file was found only through a relative folder.
func lookPath(name, path string) (string, error) {
	for _, dir := range filepath.SplitList(path) {
		if dir == "" {
			dir = "."
		}
		p := filepath.Join(dir, name)
		fi, err := os.Stat(p)
		if err != nil || !fi.Mode().IsRegular() || fi.Mode().Perm()&0o111 == 0 {
			continue
		}
		if !filepath.IsAbs(p) {
			return p, exec.ErrDot
		}
		return p, nil
	}
	return "", exec.ErrNotFound
}

// inDir returns path as seen from a child running in dir.
func inDir(path, dir string) string {
	if dir == "" || filepath.IsAbs(path) {
		return path
	}
	return filepath.Join(dir, path)
}

// startFailure maps an error from starting the command to a Result.
func startFailure(name, path, dir string, err error) Result {
	var pe *fs.PathError
	if errors.As(err, &pe) && pe.Op == "chdir" {
		return Result{ExitCode: ExitNotExecutable, Err: fmt.Errorf(
			"cannot start %s: working directory %s: %v; pass an existing directory", name, dir, pe.Err)}
	}
	var msg string
	switch {
	case errors.Is(err, syscall.EACCES):
		msg = fmt.Sprintf("cannot execute %s: permission denied; make it executable (chmod +x %s) or run it through its interpreter", name, path)
	case errors.Is(err, syscall.ENOEXEC):
		msg = fmt.Sprintf("cannot execute %s: not an executable format; add a #! line or run it through its interpreter", name)
	case errors.Is(err, syscall.ENOENT):
		if _, serr := os.Stat(inDir(path, dir)); serr == nil {
			msg = fmt.Sprintf("cannot execute %s: its #! interpreter or loader was not found; fix the #! line or install the interpreter", name)
		} else {
			return Result{ExitCode: ExitNotFound, Err: fmt.Errorf(
				"command not found: %s; check the spelling or the PATH", name)}
		}
	default:
		msg = fmt.Sprintf("cannot start %s: %v", name, err)
	}
	return Result{ExitCode: ExitNotExecutable, Err: errors.New(msg)}
}

// forwardSignals sends every signal received on sigs to p until done is
// closed.
func forwardSignals(p *os.Process, sigs <-chan os.Signal, done <-chan struct{}) {
	for {
		select {
		case sig, ok := <-sigs:
			if !ok {
				sigs = nil // a nil channel blocks; wait for done alone
				continue
			}
			// After the child exits this returns os.ErrProcessDone.
			_ = p.Signal(sig)
		case <-done:
			return
		}
	}
}

// killOnCancel sends SIGTERM to p when ctx is done and SIGKILL after grace,
// unless done is closed first.
func killOnCancel(ctx context.Context, p *os.Process, grace time.Duration, done <-chan struct{}) {
	select {
	case <-ctx.Done():
	case <-done:
		return
	}
	_ = p.Signal(syscall.SIGTERM)
	t := time.NewTimer(grace)
	defer t.Stop()
	select {
	case <-t.C:
		_ = p.Kill()
	case <-done:
	}
}

// createLog creates the log file and its parent directories.
func createLog(path string) (*os.File, error) {
	if err := os.MkdirAll(filepath.Dir(path), 0o755); err != nil {
		return nil, fmt.Errorf("cannot create the log directory for %s: %w; check the path and its permissions", path, err)
	}
	f, err := os.OpenFile(path, os.O_WRONLY|os.O_CREATE|os.O_TRUNC, 0o644)
	if err != nil {
		return nil, fmt.Errorf("cannot create log file %s: %w; check the path and its permissions", path, err)
	}
	return f, nil
}

// sharedLog serialises writes from both output streams to the log file and
// remembers the first error. With no file it discards everything.
type sharedLog struct {
	mu  sync.Mutex
	f   *os.File
	err error
}

// newStream returns a collapsing writer for one output stream.
func (l *sharedLog) newStream() io.WriteCloser {
	return NewLogWriter(l)
}

// Write writes p to the log file in one call. It never fails, so a full
// disk does not stop the child's output from reaching the terminal.
func (l *sharedLog) Write(p []byte) (int, error) {
	l.mu.Lock()
	defer l.mu.Unlock()
	if l.f == nil || l.err != nil {
		return len(p), nil
	}
	if _, err := l.f.Write(p); err != nil {
		l.err = fmt.Errorf("writing log file %s: %w", l.f.Name(), err)
	}
	return len(p), nil
}

// close syncs and closes the log file and returns the first error.
func (l *sharedLog) close() error {
	l.mu.Lock()
	defer l.mu.Unlock()
	if l.f == nil {
		return l.err
	}
	if err := l.f.Sync(); err != nil && l.err == nil {
		l.err = fmt.Errorf("syncing log file %s: %w", l.f.Name(), err)
	}
	if err := l.f.Close(); err != nil && l.err == nil {
		l.err = fmt.Errorf("closing log file %s: %w", l.f.Name(), err)
	}
	l.f = nil
	return l.err
}

// tee copies one output stream of the child to the terminal and the log.
// It never returns an error, so the child is not cut off (and does not get
// SIGPIPE) when the terminal goes away.
type tee struct {
	term io.Writer
	log  io.WriteCloser
}

// Write copies p to the terminal writer and the log.
func (t *tee) Write(p []byte) (int, error) {
	if t.term != nil {
		_, _ = t.term.Write(p)
	}
	_, _ = t.log.Write(p)
	return len(p), nil
}
