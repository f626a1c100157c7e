package cli

import (
	"context"
	"errors"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"strings"

	"github.com/lamin-go/lamin"
	"github.com/lamin-go/lamin/internal/notebook"
)

func isNotebook(p string) bool { return strings.EqualFold(filepath.Ext(p), ".ipynb") }

// notebookSpec reads a notebook's title and py:percent source into the
// transform spec.
func notebookSpec(spec lamin.TransformSpec, path string) (lamin.TransformSpec, error) {
	title, err := notebook.Title(path)
	if err != nil {
		return spec, usagef("%v", err)
	}
	source, err := notebook.Source(path)
	if err != nil {
		return spec, usagef("%v", err)
	}
	spec.Path, spec.Source, spec.Type = path, source, lamin.TypeNotebook
	if spec.Description == "" {
		spec.Description = title
	}
	return spec, nil
}

// runNotebook executes a notebook with jupyter nbconvert as a tracked run:
// the title becomes the transform description, the py:percent rendering its
// source, the executed HTML the run's report, and cells that call lamin
// join the run through LAMIN_RUN_UID.
func (app *App) runNotebook(ctx context.Context, in *lamin.Instance, o runOptions) error {
	path := o.args[0]
	if len(o.args) > 1 {
		return usagef("a notebook takes no arguments; pass parameters through files or environment variables")
	}
	if _, err := os.Stat(path); err != nil {
		return usagef("notebook %s does not exist; check the path", path)
	}
	tool, err := notebook.Find()
	if err != nil {
		return err
	}
	spec, err := notebookSpec(o.spec(), path)
	if err != nil {
		return err
	}
	run, err := in.Track(ctx, lamin.TrackOptions{TransformSpec: spec, EnvFile: o.envFile})
	if err != nil {
		return err
	}
	logPath := filepath.Join(in.CacheDir(), "run_logs_"+run.UID+".txt")
	if err := os.MkdirAll(filepath.Dir(logPath), 0o755); err != nil {
		return err
	}
	logFile, err := os.Create(logPath)
	if err != nil {
		return err
	}
	defer logFile.Close()
	env := app.runEnviron(run, map[string]string{"PYDEVD_DISABLE_FILE_VALIDATION": "1"})
	res, execErr := notebook.Execute(context.WithoutCancel(ctx), tool, notebook.ExecSpec{
		Path: path, OutDir: filepath.Join(in.CacheDir(), "notebooks", "run_"+run.UID), Env: env,
		Stdout: io.MultiWriter(app.Out, logFile), Stderr: io.MultiWriter(app.Err, logFile),
	})
	status := lamin.StatusCompleted
	if execErr != nil {
		fmt.Fprintln(app.Err, "✗ "+oneLine(execErr.Error()))
		status = lamin.StatusErrored
	}
	if res.HTML != "" {
		if err := run.AttachReport(ctx, res.HTML, "Report of run "+run.UID); err != nil {
			return err
		}
	}
	consecutive := true
	run.IsConsecutive = &consecutive
	if err := run.FinishStatus(ctx, status); err != nil {
		return err
	}
	var cellErr *notebook.CellError
	code := max(res.ExitCode, 1)
	switch {
	case execErr == nil:
		return nil
	case errors.As(execErr, &cellErr):
		code = 1
	}
	return &exitError{code: code, msg: fmt.Sprintf("run %s failed with exit code %d", run.UID, code)}
}
