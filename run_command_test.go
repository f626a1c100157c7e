package lamin_test

import (
	"bytes"
	"errors"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"syscall"
	"testing"
	"time"

	"github.com/lamin-go/lamin"
	"github.com/lamin-go/lamin/internal/capture"
)

// runCommand runs argv through the SDK with output captured, from e.dir.
func (e *env) runCommand(argv []string, o lamin.RunCommandOptions) (*lamin.RunResult, string, error) {
	e.t.Helper()
	var out bytes.Buffer
	o.Dir, o.Stdout, o.Stderr = e.dir, &out, &out
	res, err := e.in.RunCommand(e.ctx, argv, o)
	return res, out.String(), err
}

// records counts what RunCommand may create: transforms, runs, artifacts
// (hidden ones included) and input links.
func (e *env) records() [4]int {
	e.t.Helper()
	return [4]int{
		e.count(`SELECT COUNT(*) FROM lamindb_transform`), e.count(`SELECT COUNT(*) FROM lamindb_run`),
		e.count(`SELECT COUNT(*) FROM lamindb_artifact`), e.count(`SELECT COUNT(*) FROM lamindb_artifact_input_of_runs`),
	}
}

func TestRunCommandTracksACommandWithItsInputsAndOutputs(t *testing.T) {
	e := newEnv(t)
	raw := e.save(e.write("raw.csv", "a\n1\n"), lamin.ArtifactOptions{Key: "raw.csv"})
	e.write("copy.sh", "echo \"run $LAMIN_RUN_UID\"\ncp raw.csv copied.csv\necho 2 >> copied.csv\n")
	res, out, err := e.runCommand([]string{"sh", "copy.sh"}, lamin.RunCommandOptions{
		Inputs: []*lamin.Artifact{raw}, Outputs: []string{"copied.csv"}})
	if err != nil {
		t.Fatal(err)
	}
	if res.Status != lamin.StatusCompleted || res.ExitCode != 0 || res.Signal != nil || res.Err != nil {
		t.Fatalf("result %+v", res)
	}
	if want := "run " + res.Run.UID + "\n"; out != want {
		t.Errorf("the command printed %q, want %q (its run's uid)", out, want)
	}
	d, err := e.in.DescribeRun(e.ctx, res.Run.UID)
	if err != nil {
		t.Fatal(err)
	}
	if d.Status != "completed" || d.Run.FinishedAt == nil || d.Transform.Type != lamin.TypeScript || *d.Transform.Key != "copy.sh" {
		t.Errorf("run %s of transform %s (%s)", d.Status, *d.Transform.Key, d.Transform.Type)
	}
	if len(d.Inputs) != 1 || d.Inputs[0].UID != raw.UID {
		t.Errorf("inputs %v, want %s", d.Inputs, raw.UID)
	}
	if len(d.Outputs) != 1 || d.Outputs[0].ID == raw.ID || len(res.Outputs) != 1 || res.Outputs[0].UID != d.Outputs[0].UID {
		t.Errorf("outputs %v; result outputs %v", d.Outputs, res.Outputs)
	}
	if d.Report == nil || d.Report.Description == nil || !strings.HasPrefix(*d.Report.Description, "log streams of run ") {
		t.Errorf("report %+v", d.Report)
	}
}

func TestRunCommandRecordsAFailingCommandAsErrored(t *testing.T) {
	e := newEnv(t)
	res, out, err := e.runCommand([]string{"sh", "-c", "echo boom >&2; exit 3"},
		lamin.RunCommandOptions{TransformSpec: lamin.TransformSpec{Key: "failing"}, Outputs: []string{"never.csv"}})
	if err != nil {
		t.Fatalf("a command that ran and failed is no SDK error: %v", err)
	}
	if res.Status != lamin.StatusErrored || res.ExitCode != 3 || res.Err != nil || len(res.Outputs) != 0 || out != "boom\n" {
		t.Fatalf("result %+v, output %q", res, out)
	}
	d, err := e.in.DescribeRun(e.ctx, res.Run.UID)
	if err != nil {
		t.Fatal(err)
	}
	if d.Status != "errored" || d.Run.FinishedAt == nil || *d.Transform.Key != "failing" || d.Transform.Type != "pipeline" || len(d.Outputs) != 0 {
		t.Errorf("run %s, transform %s (%s), outputs %v", d.Status, *d.Transform.Key, d.Transform.Type, d.Outputs)
	}
	if strings.Contains(e.msgs.String(), "finished Run") {
		t.Errorf("a failed run printed the finish message: %q", e.msgs)
	}
}

func TestRunCommandFailsARunWhoseOutputIsMissing(t *testing.T) {
	e := newEnv(t)
	res, _, err := e.runCommand([]string{"true"}, lamin.RunCommandOptions{Outputs: []string{"missing.csv"}})
	if err != nil {
		t.Fatal(err)
	}
	var oe *lamin.OutputError
	if res.Status != lamin.StatusErrored || res.ExitCode != 1 || !errors.As(res.Err, &oe) || oe.Path != "missing.csv" {
		t.Fatalf("result %+v", res)
	}
	if code := *res.Run.StatusCode; code != lamin.StatusErrored {
		t.Errorf("run status %d", code)
	}
}

func TestRunCommandThatCannotStartRecordsNothing(t *testing.T) {
	e := newEnv(t)
	e.save(e.write("raw.csv", "a\n1\n"), lamin.ArtifactOptions{Key: "raw.csv"})
	if err := os.WriteFile(filepath.Join(e.dir, "notexec"), []byte("echo never\n"), 0o644); err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(filepath.Join(e.dir, "badinterp.sh"), []byte("#!/no/such/interpreter\necho never\n"), 0o755); err != nil {
		t.Fatal(err)
	}
	before := e.records()
	for _, c := range []struct {
		argv     []string
		code     int
		category error
		message  string
	}{
		{[]string{"no-such-command-xyz"}, lamin.ExitNotFound, lamin.ErrNotFound, "command not found: no-such-command-xyz"},
		{[]string{"./notexec"}, lamin.ExitNotExecutable, lamin.ErrInvalid, "cannot execute ./notexec: permission denied"},
		// Only the start itself sees this one: the run it made is taken back.
		{[]string{"./badinterp.sh"}, lamin.ExitNotExecutable, lamin.ErrInvalid, "its #! interpreter or loader was not found"},
	} {
		res, _, err := e.runCommand(c.argv, lamin.RunCommandOptions{})
		var se *lamin.StartError
		if res != nil || !errors.As(err, &se) || se.ExitCode != c.code || !errors.Is(err, c.category) || !strings.Contains(err.Error(), c.message) {
			t.Errorf("%v: result %v, error %v", c.argv, res, err)
		}
		if after := e.records(); after != before {
			t.Errorf("%v left records: %v, before %v", c.argv, after, before)
		}
	}
	if !strings.Contains(e.msgs.String(), "• removed run ") {
		t.Errorf("the discarded run was not reported: %q", e.msgs)
	}
	// An output whose folder does not exist is refused before anything runs.
	_, _, err := e.runCommand([]string{"true"}, lamin.RunCommandOptions{Outputs: []string{"nowhere/out.csv"}})
	var oe *lamin.OutputError
	if !errors.As(err, &oe) || oe.Path != "nowhere/out.csv" || !errors.Is(err, lamin.ErrInvalid) {
		t.Errorf("missing output folder: %v", err)
	}
	if after := e.records(); after != before {
		t.Errorf("a refused output left records: %v, before %v", after, before)
	}
}

func TestRunCommandGivesTheChildLaminAndStopsItOnASignal(t *testing.T) {
	e := newEnv(t)
	bin := filepath.Join(e.dir, "tools", "lamin")
	if err := os.MkdirAll(filepath.Dir(bin), 0o755); err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(bin, []byte("#!/bin/sh\necho fake lamin\n"), 0o755); err != nil {
		t.Fatal(err)
	}
	sigs := make(chan os.Signal, 1)
	marker := filepath.Join(e.dir, "started")
	go func() {
		for deadline := time.Now().Add(20 * time.Second); time.Now().Before(deadline); time.Sleep(20 * time.Millisecond) {
			if _, err := os.Stat(marker); err == nil {
				sigs <- syscall.SIGTERM
				return
			}
		}
	}()
	res, out, err := e.runCommand([]string{"sh", "-c", `echo "bin=$LAMIN_BIN"; lamin; touch started; exec sleep 30`},
		lamin.RunCommandOptions{TransformSpec: lamin.TransformSpec{Key: "sleeper"}, Executable: bin,
			Env: []string{"PATH=/usr/bin:/bin"}, Signals: sigs})
	if err != nil {
		t.Fatal(err)
	}
	if want := "bin=" + bin + "\nfake lamin\n"; out != want {
		t.Errorf("output %q, want %q", out, want)
	}
	if res.Status != lamin.StatusAborted || res.Signal != syscall.SIGTERM || res.ExitCode != 128+int(syscall.SIGTERM) {
		t.Fatalf("result %+v", res)
	}
	d, err := e.in.DescribeRun(e.ctx, res.Run.UID)
	if err != nil {
		t.Fatal(err)
	}
	if d.Status != "aborted" || d.Report == nil {
		t.Errorf("run %s, report %v", d.Status, d.Report)
	}
}

func TestRunNotebookExecutesItAsATrackedRun(t *testing.T) {
	e := newEnv(t)
	if err := os.WriteFile(filepath.Join(e.dir, "x.ipynb"), []byte("{}"), 0o644); err != nil {
		t.Fatal(err)
	}
	before := e.records()
	if _, _, err := e.runCommand([]string{"x.ipynb", "--flag"}, lamin.RunCommandOptions{}); !errors.Is(err, lamin.ErrInvalid) {
		t.Errorf("a notebook with arguments: %v", err)
	}
	if _, _, err := e.runCommand([]string{"missing.ipynb"}, lamin.RunCommandOptions{}); !errors.Is(err, lamin.ErrNotFound) {
		t.Errorf("a missing notebook: %v", err)
	}
	if after := e.records(); after != before {
		t.Errorf("refused notebooks left records: %v, before %v", after, before)
	}
	if _, err := exec.LookPath("jupyter-nbconvert"); err != nil {
		t.Skip("jupyter nbconvert is not installed (Debian: jupyter-nbconvert python3-ipykernel)")
	}
	t.Setenv("PYDEVD_DISABLE_FILE_VALIDATION", "1")
	t.Setenv("JUPYTER_RUNTIME_DIR", filepath.Join(e.dir, ".jupyter", "runtime"))
	t.Setenv("JUPYTER_DATA_DIR", filepath.Join(e.dir, ".jupyter", "data"))
	t.Setenv("IPYTHONDIR", filepath.Join(e.dir, ".ipython"))
	raw := e.save(e.write("raw.csv", "gene\nA\n"), lamin.ArtifactOptions{Key: "raw.csv"})
	e.write("hits.ipynb", `{"cells": [
  {"cell_type": "markdown", "metadata": {}, "source": ["# Find hits"]},
  {"cell_type": "code", "execution_count": null, "metadata": {}, "outputs": [], "source": ["open('hits.csv', 'w').write(open('raw.csv').read() + 'B\\n')"]}
 ],
 "metadata": {"kernelspec": {"display_name": "Python 3", "language": "python", "name": "python3"}},
 "nbformat": 4, "nbformat_minor": 5}`)
	res, _, err := e.runCommand([]string{"hits.ipynb"}, lamin.RunCommandOptions{
		Inputs: []*lamin.Artifact{raw}, Outputs: []string{"hits.csv"}})
	if err != nil {
		t.Fatal(err)
	}
	if res.Status != lamin.StatusCompleted || res.ExitCode != 0 || res.Err != nil {
		t.Fatalf("result %+v", res)
	}
	d, err := e.in.DescribeRun(e.ctx, res.Run.UID)
	if err != nil {
		t.Fatal(err)
	}
	if d.Transform.Type != lamin.TypeNotebook || *d.Transform.Description != "Find hits" || d.Report == nil || d.Report.Suffix != ".html" {
		t.Errorf("transform %s %q, report %+v", d.Transform.Type, *d.Transform.Description, d.Report)
	}
	if len(d.Inputs) != 1 || d.Inputs[0].UID != raw.UID || len(d.Outputs) != 1 || len(res.Outputs) != 1 || res.Outputs[0].UID != d.Outputs[0].UID {
		t.Errorf("inputs %v, outputs %v", d.Inputs, d.Outputs)
	}
	if p, err := e.in.Cache(e.ctx, res.Outputs[0], lamin.CacheOptions{}); err != nil {
		t.Error(err)
	} else if b, _ := os.ReadFile(p); string(b) != "gene\nA\nB\n" {
		t.Errorf("the output holds %q", b)
	}
}

func TestStartExitCodesAreTheCommandRunners(t *testing.T) {
	if lamin.ExitNotFound != capture.ExitNotFound || lamin.ExitNotExecutable != capture.ExitNotExecutable ||
		lamin.ExitSetupFailed != capture.ExitSetupFailed {
		t.Fatal("the SDK's exit codes for commands that cannot start differ from internal/capture's")
	}
}
