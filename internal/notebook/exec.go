package notebook

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"io"
	"math"
	"os"
	"os/exec"
	"path/filepath"
	"strconv"
	"strings"
	"time"
)

// ErrNotInstalled is returned by Find when neither jupyter-nbconvert nor
// jupyter is on PATH.
var ErrNotInstalled = errors.New("jupyter nbconvert is not installed; install it (Debian: apt-get install jupyter-nbconvert python3-ipykernel) and re-run")

// Kernel is the name of the Jupyter kernel every notebook is executed with.
const Kernel = "python3"

// Tool is a way to invoke jupyter nbconvert: Argv is the program followed by
// any leading arguments, such as ["/usr/bin/jupyter", "nbconvert"].
type Tool struct {
	Argv []string
}

// Find locates jupyter nbconvert: the jupyter-nbconvert executable on PATH,
// or else jupyter on PATH with the nbconvert subcommand. If neither is
// found it returns ErrNotInstalled.
func Find() (Tool, error) {
	if p, err := exec.LookPath("jupyter-nbconvert"); err == nil {
		return Tool{Argv: []string{p}}, nil
	}
	if p, err := exec.LookPath("jupyter"); err == nil {
		return Tool{Argv: []string{p, "nbconvert"}}, nil
	}
	return Tool{}, ErrNotInstalled
}

// ExecSpec describes one notebook execution.
type ExecSpec struct {
	// Path is the notebook to execute. It is not modified.
	Path string
	// OutDir receives the executed notebook and its HTML rendering. It is
	// created if missing; empty means the directory of Path.
	OutDir string
	// Env is the environment of nbconvert and therefore of the kernel and
	// of shell escapes in cells; nil means the current process environment.
	Env []string
	// Stdout and Stderr receive nbconvert's output as it is written; nil
	// discards it.
	Stdout, Stderr io.Writer
	// Timeout limits the run time of each cell, rounded up to whole
	// seconds; zero or negative means no limit.
	Timeout time.Duration
}

// ExecResult is the outcome of Execute.
type ExecResult struct {
	// Executed is the path of the executed notebook, or "" if nbconvert
	// did not write it.
	Executed string
	// HTML is the path of the HTML rendering of the executed notebook, or
	// "" if it could not be produced.
	HTML string
	// ExitCode is 0 on success, 1 when a cell raised an error, otherwise
	// the exit status of the failing nbconvert process (128+N when it was
	// killed by signal N), or 1 when it could not be started.
	ExitCode int
}

// CellError reports the first cell of an executed notebook whose output is
// an error.
type CellError struct {
	// Cell is the 1-based position of the cell among all notebook cells.
	Cell int
	// Name is the exception class name, such as "ValueError".
	Name string
	// Value is the exception message.
	Value string
}

// Error implements the error interface.
func (e *CellError) Error() string {
	return fmt.Sprintf("notebook cell %d failed: %s: %s", e.Cell, e.Name, e.Value)
}

// Execute runs the notebook at s.Path with the python3 kernel and renders
// the executed notebook to HTML. With name the base name of s.Path without
// ".ipynb" and t.Argv as the program, it runs
//
//	nbconvert --to notebook --execute --allow-errors
//	  --ExecutePreprocessor.kernel_name=python3
//	  --ExecutePreprocessor.timeout=SECONDS|-1
//	  --output NAME.executed.ipynb --output-dir OUTDIR PATH
//	nbconvert --to html --output NAME --output-dir OUTDIR OUTDIR/NAME.executed.ipynb
//
// Cells are executed to the end even if some fail; afterwards the executed
// notebook is scanned for error outputs and the first one is returned as a
// *CellError with ExitCode 1, along with the HTML path. If nbconvert itself
// fails (for example because no python3 kernelspec is installed), the error
// includes the last line nbconvert wrote to stderr. Canceling ctx kills
// nbconvert and returns ctx's error. Stale outputs of an earlier run with
// the same names are removed first.
func Execute(ctx context.Context, t Tool, s ExecSpec) (ExecResult, error) {
	if len(t.Argv) == 0 {
		return ExecResult{ExitCode: 1}, errors.New("notebook: empty nbconvert command")
	}
	path, err := filepath.Abs(s.Path)
	if err != nil {
		return ExecResult{ExitCode: 1}, err
	}
	if _, err := os.Stat(path); err != nil {
		return ExecResult{ExitCode: 1}, err
	}
	outDir := s.OutDir
	if outDir == "" {
		outDir = filepath.Dir(path)
	}
	if outDir, err = filepath.Abs(outDir); err != nil {
		return ExecResult{ExitCode: 1}, err
	}
	if err := os.MkdirAll(outDir, 0o755); err != nil {
		return ExecResult{ExitCode: 1}, err
	}
	name := strings.TrimSuffix(filepath.Base(path), ".ipynb")
	executed := filepath.Join(outDir, name+".executed.ipynb")
	html := filepath.Join(outDir, name+".html")
	for _, p := range []string{executed, html} {
		if err := os.Remove(p); err != nil && !errors.Is(err, os.ErrNotExist) {
			return ExecResult{ExitCode: 1}, err
		}
	}

	var res ExecResult
	code, err := run(ctx, t, s, "--to", "notebook", "--execute", "--allow-errors",
		"--ExecutePreprocessor.kernel_name="+Kernel,
		"--ExecutePreprocessor.timeout="+timeoutArg(s.Timeout),
		"--output", name+".executed.ipynb", "--output-dir", outDir, path)
	res.ExitCode = code
	if ctx.Err() != nil {
		return res, fmt.Errorf("executing %s: %w", s.Path, ctx.Err())
	}
	if err != nil {
		err = fmt.Errorf("executing %s: %w", s.Path, err)
	}
	if _, statErr := os.Stat(executed); statErr != nil {
		if err == nil {
			res.ExitCode = 1
			err = fmt.Errorf("executing %s: nbconvert did not write %s", s.Path, executed)
		}
		return res, err
	}
	res.Executed = executed
	if err == nil {
		if f, readErr := readFile(executed); readErr != nil {
			res.ExitCode, err = 1, readErr
		} else if cellErr := f.firstError(); cellErr != nil {
			res.ExitCode, err = 1, cellErr
		}
	}

	code, htmlErr := run(ctx, t, s, "--to", "html", "--output", name, "--output-dir", outDir, executed)
	if htmlErr == nil {
		if _, statErr := os.Stat(html); statErr != nil {
			code, htmlErr = 1, fmt.Errorf("nbconvert did not write %s", html)
		}
	}
	if htmlErr != nil {
		if res.ExitCode == 0 {
			res.ExitCode = code
		}
		return res, errors.Join(err, fmt.Errorf("rendering %s to HTML: %w", executed, htmlErr))
	}
	res.HTML = html
	return res, err
}

// timeoutArg formats a per-cell timeout for ExecutePreprocessor.timeout.
func timeoutArg(d time.Duration) string {
	if d <= 0 {
		return "-1"
	}
	return strconv.FormatInt(int64(math.Ceil(d.Seconds())), 10)
}

// run runs nbconvert with args and returns its exit code. A non-zero exit
// is returned as an error carrying the last line of its stderr.
func run(ctx context.Context, t Tool, s ExecSpec, args ...string) (int, error) {
	argv := append(append([]string(nil), t.Argv[1:]...), args...)
	cmd := exec.CommandContext(ctx, t.Argv[0], argv...)
	cmd.Env = s.Env
	cmd.Stdout = orDiscard(s.Stdout)
	tail := &tailBuffer{max: 8 << 10}
	cmd.Stderr = io.MultiWriter(orDiscard(s.Stderr), tail)
	cmd.WaitDelay = 5 * time.Second
	setProcessGroup(cmd)
	err := cmd.Run()
	if err == nil {
		return 0, nil
	}
	var exitErr *exec.ExitError
	if !errors.As(err, &exitErr) {
		return 1, err
	}
	code := exitCode(exitErr)
	if line := tail.lastLine(); line != "" {
		return code, fmt.Errorf("nbconvert exited with status %d: %s", code, line)
	}
	return code, fmt.Errorf("nbconvert exited with status %d", code)
}

func orDiscard(w io.Writer) io.Writer {
	if w == nil {
		return io.Discard
	}
	return w
}

// tailBuffer keeps the last max bytes written to it.
type tailBuffer struct {
	max int
	buf []byte
}

func (b *tailBuffer) Write(p []byte) (int, error) {
	b.buf = append(b.buf, p...)
	if over := len(b.buf) - b.max; over > 0 {
		b.buf = append(b.buf[:0], b.buf[over:]...)
	}
	return len(p), nil
}

// lastLine returns the last non-blank line written, trimmed.
func (b *tailBuffer) lastLine() string {
	lines := bytes.Split(b.buf, []byte("\n"))
	for i := len(lines) - 1; i >= 0; i-- {
		if l := strings.TrimSpace(string(lines[i])); l != "" {
			return l
		}
	}
	return ""
}
