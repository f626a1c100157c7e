package notebook

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/lamin-go/lamin/internal/testenv"
)

// fakeNbconvert is a shell stand-in for nbconvert: it appends its arguments
// to $FAKE_LOG, then writes the requested output file (a copy of the input
// for --to notebook, a stub page for --to html). With FAKE_FAIL set it
// prints a traceback to stderr and exits 1 without writing anything.
const fakeNbconvert = `
printf '%s\n' "$*" >> "$FAKE_LOG"
if [ -n "$FAKE_FAIL" ]; then
	echo 'Traceback (most recent call last):' >&2
	echo "$FAKE_FAIL" >&2
	echo >&2
	exit 1
fi
while [ $# -gt 0 ]; do
	case $1 in
	--to) to=$2; shift ;;
	--output) out=$2; shift ;;
	--output-dir) dir=$2; shift ;;
	*) in=$1 ;;
	esac
	shift
done
case $to in
notebook) cp "$in" "$dir/$out" ;;
html) echo '<html>stub</html>' > "$dir/$out.html" ;;
esac
`

func TestExecuteCommandLines(t *testing.T) {
	tests := []struct {
		name    string
		timeout time.Duration
		fail    string
		want    []string // the command lines, with DIR for the temp dir
		wantErr string
	}{
		{"no timeout is passed as -1", 0, "", []string{
			"--to notebook --execute --allow-errors --ExecutePreprocessor.kernel_name=python3 --ExecutePreprocessor.timeout=-1 --output nb.executed.ipynb --output-dir DIR/out DIR/nb.ipynb",
			"--to html --output nb --output-dir DIR/out DIR/out/nb.executed.ipynb",
		}, ""},
		{"a timeout is rounded up to whole seconds", 1500 * time.Millisecond, "", []string{
			"--to notebook --execute --allow-errors --ExecutePreprocessor.kernel_name=python3 --ExecutePreprocessor.timeout=2 --output nb.executed.ipynb --output-dir DIR/out DIR/nb.ipynb",
			"--to html --output nb --output-dir DIR/out DIR/out/nb.executed.ipynb",
		}, ""},
		{"a failing nbconvert reports its last stderr line and skips HTML", 0,
			"jupyter_client.kernelspec.NoSuchKernel: No such kernel named python3", []string{
				"--to notebook --execute --allow-errors --ExecutePreprocessor.kernel_name=python3 --ExecutePreprocessor.timeout=-1 --output nb.executed.ipynb --output-dir DIR/out DIR/nb.ipynb",
			}, "nbconvert exited with status 1: jupyter_client.kernelspec.NoSuchKernel: No such kernel named python3"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			dir := t.TempDir()
			path := writeNotebook(t, dir, "nb.ipynb", code("x = 1"))
			log := filepath.Join(dir, "args.log")
			var stderr bytes.Buffer
			res, err := Execute(context.Background(), Tool{Argv: []string{"/bin/sh", "-c", fakeNbconvert, "nbconvert"}}, ExecSpec{
				Path:    path,
				OutDir:  filepath.Join(dir, "out"),
				Env:     []string{"PATH=/usr/bin:/bin", "FAKE_LOG=" + log, "FAKE_FAIL=" + tt.fail},
				Stderr:  &stderr,
				Timeout: tt.timeout,
			})
			b, readErr := os.ReadFile(log)
			if readErr != nil {
				t.Fatal(readErr)
			}
			got := strings.Split(strings.TrimSpace(strings.ReplaceAll(string(b), dir, "DIR")), "\n")
			if strings.Join(got, "\n") != strings.Join(tt.want, "\n") {
				t.Errorf("command lines:\n%s\nwant:\n%s", strings.Join(got, "\n"), strings.Join(tt.want, "\n"))
			}
			if tt.wantErr == "" {
				if err != nil {
					t.Fatalf("Execute: %v", err)
				}
				want := ExecResult{
					Executed: filepath.Join(dir, "out", "nb.executed.ipynb"),
					HTML:     filepath.Join(dir, "out", "nb.html"),
				}
				if res != want {
					t.Errorf("result = %+v, want %+v", res, want)
				}
				return
			}
			if err == nil || !strings.Contains(err.Error(), tt.wantErr) {
				t.Errorf("error = %v, want it to contain %q", err, tt.wantErr)
			}
			if res.ExitCode != 1 || res.HTML != "" || res.Executed != "" {
				t.Errorf("result = %+v, want exit code 1 and no outputs", res)
			}
			if !strings.Contains(stderr.String(), "Traceback") {
				t.Errorf("stderr was not streamed: %q", stderr.String())
			}
		})
	}
}

func TestFind(t *testing.T) {
	tests := []struct {
		name    string
		install []string
		want    []string // relative to the PATH directory
	}{
		{"jupyter-nbconvert is preferred", []string{"jupyter", "jupyter-nbconvert"}, []string{"jupyter-nbconvert"}},
		{"jupyter nbconvert is the fallback", []string{"jupyter"}, []string{"jupyter", "nbconvert"}},
		{"nothing installed gives the install hint", nil, nil},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			dir := t.TempDir()
			for _, name := range tt.install {
				if err := os.WriteFile(filepath.Join(dir, name), []byte("#!/bin/sh\n"), 0o755); err != nil {
					t.Fatal(err)
				}
			}
			t.Setenv("PATH", dir)
			got, err := Find()
			if tt.want == nil {
				if !errors.Is(err, ErrNotInstalled) {
					t.Fatalf("Find error = %v, want ErrNotInstalled", err)
				}
				const msg = "jupyter nbconvert is not installed; install it (Debian: apt-get install jupyter-nbconvert python3-ipykernel) and re-run"
				if err.Error() != msg {
					t.Errorf("message = %q", err)
				}
				return
			}
			if err != nil {
				t.Fatal(err)
			}
			want := append([]string{filepath.Join(dir, tt.want[0])}, tt.want[1:]...)
			if strings.Join(got.Argv, " ") != strings.Join(want, " ") {
				t.Errorf("Argv = %q, want %q", got.Argv, want)
			}
		})
	}
}

// hermeticEnv returns the current environment with HOME and the Jupyter
// and IPython user directories moved to a temporary directory, plus extra.
// System kernelspecs under /usr/share/jupyter and /usr/local/share/jupyter
// stay visible because Jupyter always searches them.
func hermeticEnv(t *testing.T, extra ...string) []string {
	t.Helper()
	base := t.TempDir()
	var env []string
	for _, kv := range os.Environ() {
		k, _, _ := strings.Cut(kv, "=")
		if k == "HOME" || k == "IPYTHONDIR" || (strings.HasPrefix(k, "JUPYTER_") && k != "JUPYTER_PATH") {
			continue
		}
		env = append(env, kv)
	}
	for _, k := range []string{"HOME", "JUPYTER_CONFIG_DIR", "JUPYTER_DATA_DIR", "JUPYTER_RUNTIME_DIR", "IPYTHONDIR"} {
		d := filepath.Join(base, strings.ToLower(k))
		if err := os.Mkdir(d, 0o700); err != nil {
			t.Fatal(err)
		}
		env = append(env, k+"="+d)
	}
	// Silence the debugger's frozen-modules notice in test logs.
	env = append(env, "PYDEVD_DISABLE_FILE_VALIDATION=1")
	return append(env, extra...)
}

// streamText returns the concatenated stream output of an executed notebook.
func streamText(t *testing.T, path string) string {
	t.Helper()
	b, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	var nb struct {
		Cells []struct {
			Outputs []struct {
				OutputType string    `json:"output_type"`
				Text       multiline `json:"text"`
			} `json:"outputs"`
		} `json:"cells"`
	}
	if err := json.Unmarshal(b, &nb); err != nil {
		t.Fatal(err)
	}
	var s strings.Builder
	for _, c := range nb.Cells {
		for _, o := range c.Outputs {
			if o.OutputType == "stream" {
				s.WriteString(string(o.Text))
			}
		}
	}
	return strings.ReplaceAll(s.String(), "\r\n", "\n")
}

func TestExecute(t *testing.T) {
	tool, err := Find()
	if err != nil {
		testenv.Skip(t, testenv.NeedJupyter, err.Error())
	}
	tests := []struct {
		name       string
		cells      []testCell
		env        []string
		wantOutput string
		wantHTML   string
		wantErr    *CellError
	}{
		{"a computed value is printed into the executed notebook and HTML",
			[]testCell{md("# Sum"), code("x = 1 + 1"), code("print(x)")},
			nil, "2\n", "<pre>2\n", nil},
		{"shell escapes see the environment passed in",
			[]testCell{code("!echo uid=$LAMIN_RUN_UID")},
			[]string{"LAMIN_RUN_UID=Xq2k9LwPz1Ab0000"}, "uid=Xq2k9LwPz1Ab0000\n", "uid=Xq2k9LwPz1Ab0000", nil},
		{"a raising cell is reported while later cells still run and HTML is written",
			[]testCell{md("# Fails"), code(`raise ValueError("boom")`), code(`print("after")`)},
			nil, "after\n", "boom", &CellError{Cell: 2, Name: "ValueError", Value: "boom"}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			dir := t.TempDir()
			path := writeNotebook(t, dir, "analysis.ipynb", tt.cells...)
			var stderr bytes.Buffer
			ctx, cancel := context.WithTimeout(context.Background(), 3*time.Minute)
			defer cancel()
			res, err := Execute(ctx, tool, ExecSpec{
				Path:    path,
				OutDir:  filepath.Join(dir, "out"),
				Env:     hermeticEnv(t, tt.env...),
				Stderr:  &stderr,
				Timeout: time.Minute,
			})
			if tt.wantErr == nil {
				if err != nil {
					t.Fatalf("Execute: %v\nstderr:\n%s", err, stderr.String())
				}
				if res.ExitCode != 0 {
					t.Errorf("ExitCode = %d, want 0", res.ExitCode)
				}
			} else {
				var cellErr *CellError
				if !errors.As(err, &cellErr) {
					t.Fatalf("error = %v, want a *CellError\nstderr:\n%s", err, stderr.String())
				}
				if *cellErr != *tt.wantErr {
					t.Errorf("CellError = %+v, want %+v", *cellErr, *tt.wantErr)
				}
				if res.ExitCode != 1 {
					t.Errorf("ExitCode = %d, want 1", res.ExitCode)
				}
			}
			if want := filepath.Join(dir, "out", "analysis.executed.ipynb"); res.Executed != want {
				t.Fatalf("Executed = %q, want %q", res.Executed, want)
			}
			if got := streamText(t, res.Executed); got != tt.wantOutput {
				t.Errorf("stream output = %q, want %q", got, tt.wantOutput)
			}
			if want := filepath.Join(dir, "out", "analysis.html"); res.HTML != want {
				t.Fatalf("HTML = %q, want %q", res.HTML, want)
			}
			html, err := os.ReadFile(res.HTML)
			if err != nil {
				t.Fatal(err)
			}
			if !strings.Contains(string(html), tt.wantHTML) {
				t.Errorf("HTML does not contain %q", tt.wantHTML)
			}
		})
	}
}

func TestExecuteCancel(t *testing.T) {
	tool, err := Find()
	if err != nil {
		testenv.Skip(t, testenv.NeedJupyter, err.Error())
	}
	t.Parallel()
	dir := t.TempDir()
	path := writeNotebook(t, dir, "slow.ipynb", code("import time\ntime.sleep(600)"))
	ctx, cancel := context.WithTimeout(context.Background(), 3*time.Second)
	defer cancel()
	start := time.Now()
	res, err := Execute(ctx, tool, ExecSpec{Path: path, OutDir: filepath.Join(dir, "out"), Env: hermeticEnv(t)})
	if !errors.Is(err, context.DeadlineExceeded) {
		t.Fatalf("error = %v, want context.DeadlineExceeded", err)
	}
	if elapsed := time.Since(start); elapsed > 30*time.Second {
		t.Errorf("Execute returned %v after the deadline", elapsed)
	}
	if res.ExitCode == 0 || res.HTML != "" {
		t.Errorf("result = %+v, want a non-zero exit code and no HTML", res)
	}
}
