package lamin

import (
	"context"
	"errors"
	"io"
	"os"
	"path/filepath"
	"strings"

	"github.com/lamin-go/lamin/internal/notebook"
)

// isNotebook reports whether path names a Jupyter notebook.
func isNotebook(path string) bool { return strings.EqualFold(filepath.Ext(path), ".ipynb") }

// NotebookTransform completes spec for the notebook at path: the notebook
// is the transform's source, recorded in its py:percent rendering, the
// type is notebook, and the title (the first Markdown heading) is the
// description unless spec has one.
func NotebookTransform(spec TransformSpec, path string) (TransformSpec, error) {
	title, err := notebook.Title(path)
	if err != nil {
		return spec, invalidf("%v", err)
	}
	source, err := notebook.Source(path)
	if err != nil {
		return spec, invalidf("%v", err)
	}
	spec.Path, spec.Source, spec.Type = path, source, TypeNotebook
	if spec.Description == "" {
		spec.Description = title
	}
	return spec, nil
}

// RunNotebook executes the notebook at path (relative to o.Dir) with
// jupyter nbconvert as a tracked run: the notebook becomes the transform
// (see NotebookTransform), the executed HTML the run's report, and cells
// that call lamin join the run through the run context. o.Inputs are
// linked before and o.Outputs saved after a successful execution;
// o.Stdin and o.Signals are not used.
//
// A notebook that does not exist, or a missing jupyter nbconvert, is an
// error with nothing recorded. Otherwise the error is nil once the run is
// finished: a failing cell ends it errored with ExitCode 1 and the cell's
// exception in the result's Err.
func (in *Instance) RunNotebook(ctx context.Context, path string, o RunCommandOptions) (*RunResult, error) {
	full := o.inDir(path)
	if _, err := os.Stat(full); err != nil {
		return nil, notFoundf("notebook %s does not exist; check the path", path)
	}
	tool, err := notebook.Find()
	if err != nil {
		return nil, err
	}
	spec, err := NotebookTransform(o.TransformSpec, full)
	if err != nil {
		return nil, err
	}
	if err := o.checkOutputs(); err != nil {
		return nil, err
	}
	run, err := in.startRun(ctx, TrackOptions{TransformSpec: spec, EnvFile: o.EnvFile}, o.Inputs)
	if err != nil {
		return nil, err
	}
	logPath := filepath.Join(in.CacheDir(), "run_logs_"+run.UID+".txt")
	if err := os.MkdirAll(filepath.Dir(logPath), 0o755); err != nil {
		return nil, err
	}
	logFile, err := os.Create(logPath)
	if err != nil {
		return nil, err
	}
	defer logFile.Close()
	ran, execErr := notebook.Execute(context.WithoutCancel(ctx), tool, notebook.ExecSpec{
		Path: full, OutDir: filepath.Join(in.CacheDir(), "notebooks", "run_"+run.UID),
		Env:    o.environ(run, map[string]string{"PYDEVD_DISABLE_FILE_VALIDATION": "1"}),
		Stdout: io.MultiWriter(orDiscard(o.Stdout), logFile), Stderr: io.MultiWriter(orDiscard(o.Stderr), logFile),
	})
	res := &RunResult{Run: run, Status: StatusCompleted}
	if execErr != nil {
		res.Status, res.Err = StatusErrored, execErr
		res.ExitCode = max(ran.ExitCode, 1)
		if cellErr := (*notebook.CellError)(nil); errors.As(execErr, &cellErr) {
			res.ExitCode = 1
		}
	}
	if ran.HTML != "" {
		if err := run.AttachReport(ctx, ran.HTML, "Report of run "+run.UID); err != nil {
			return nil, err
		}
	}
	consecutive := true
	run.IsConsecutive = &consecutive
	return in.finishRun(ctx, res, o)
}

// orDiscard returns w, or io.Discard when w is nil.
func orDiscard(w io.Writer) io.Writer {
	if w == nil {
		return io.Discard
	}
	return w
}
