package schmidt22

import (
	"context"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"strconv"
	"strings"

	"github.com/lamin-go/lamin"
	"github.com/lamin-go/lamin/internal/notebook"
)

// Interpreters says which programs run the steps' files for real. The
// scripts need python3 and lamin, which their lamindb calls run (see
// steps/lamindb.py); the review notebook also needs jupyter nbconvert. The
// analyses of the two other notebooks need pandas, pyarrow and scanpy,
// which the stand-in does not provide, so Go always does their work.
type Interpreters struct {
	// Python is the python3 executable, "" to let Go do the scripts' work.
	Python string
	// Lamin is the lamin executable the scripts call.
	Lamin string
	// Jupyter runs the review notebook; its zero value lets Go do the work.
	Jupyter notebook.Tool
}

// Describe says in one line who does the steps' work.
func (r Interpreters) Describe() string {
	switch {
	case r.Python == "":
		return "Go does the work of the steps' scripts and notebooks, whose files are recorded as they are"
	case len(r.Jupyter.Argv) == 0:
		return "the steps' Python scripts run with python3, their lamindb calls running lamin; Go does the notebooks' work (jupyter nbconvert is not installed)"
	}
	return "the steps' Python scripts run with python3 and schmidt22.ipynb with jupyter nbconvert, their lamindb calls running lamin; " +
		"Go does the analyses of hit-identification.ipynb and integrated-analysis.ipynb, which need pandas, pyarrow and scanpy"
}

// FindInterpreters looks for python3 and jupyter nbconvert on PATH, and
// for lamin: self, the running executable, when that is a lamin binary,
// else the one on PATH. It returns the zero Interpreters, and why, when python3 or lamin
// is missing.
func FindInterpreters(self string) (Interpreters, string) {
	py, err := exec.LookPath("python3")
	if err != nil {
		return Interpreters{}, "python3 is not installed"
	}
	// The running lamin first: one on PATH may be an older build.
	lamin := self
	if strings.TrimSuffix(filepath.Base(self), ".exe") != "lamin" {
		if lamin, err = exec.LookPath("lamin"); err != nil {
			return Interpreters{}, "no lamin executable for the scripts to call"
		}
	}
	if lamin, err = filepath.Abs(lamin); err != nil {
		return Interpreters{}, err.Error()
	}
	r := Interpreters{Python: py, Lamin: lamin}
	r.Jupyter, _ = notebook.Find()
	return r, ""
}

// realScripts reports whether the scripts run for real: an interpreter
// was given and the storage is a local folder they can write into.
func (f *flow) realScripts() bool {
	return f.cfg.Run.Python != "" && f.cfg.Run.Lamin != "" && f.staging == ""
}

// runScript executes the step's script with python3 inside run: every
// lamin command it calls joins the run, as under `lamin run`. The run is
// finished only if the script finishes it, as in the seed.
func (f *flow) runScript(ctx context.Context, run *lamin.Run, name string) error {
	cmd := exec.CommandContext(ctx, f.cfg.Run.Python, name)
	cmd.Dir = f.steps
	cmd.Env = f.scriptEnv(run)
	if f.cfg.Log != nil {
		fmt.Fprintf(f.cfg.Log, "$ python3 %s/%s\n", StepsFolder, name)
		cmd.Stdout, cmd.Stderr = f.cfg.Log, f.cfg.Log
	}
	if err := cmd.Run(); err != nil {
		return fmt.Errorf("python3 %s: %w", name, err)
	}
	return nil
}

// realNotebook reports whether the review notebook runs for real.
func (f *flow) realNotebook() bool {
	return f.realScripts() && len(f.cfg.Run.Jupyter.Argv) > 0
}

// runNotebook executes the step's notebook with jupyter nbconvert inside
// run, like runScript; the executed notebook and its HTML rendering are
// written beside it. As in the seed, the run is left open and no report
// is attached.
func (f *flow) runNotebook(ctx context.Context, run *lamin.Run, name string) error {
	if f.cfg.Log != nil {
		fmt.Fprintf(f.cfg.Log, "$ jupyter nbconvert --execute %s/%s\n", StepsFolder, name)
	}
	_, err := notebook.Execute(ctx, f.cfg.Run.Jupyter, notebook.ExecSpec{Path: filepath.Join(f.steps, name),
		Env: f.scriptEnv(run), Stdout: f.cfg.Log, Stderr: f.cfg.Log})
	return err
}

// scriptEnv is the environment of a step run for real: the run's context,
// lamin first on PATH and the experiment's size for the data sets.
func (f *flow) scriptEnv(run *lamin.Run) []string {
	env := append(os.Environ(),
		lamin.RunUIDEnv+"="+run.UID,
		"LAMIN_INSTANCE="+f.root,
		"LAMIN_BIN="+f.cfg.Run.Lamin,
		"PATH="+filepath.Dir(f.cfg.Run.Lamin)+string(os.PathListSeparator)+os.Getenv("PATH"),
		"PYTHONDONTWRITEBYTECODE=1",
		"PYDEVD_DISABLE_FILE_VALIDATION=1",
		"LAMIN_DEMO_CELLS="+strconv.Itoa(f.cfg.Cells),
		"LAMIN_DEMO_HITS="+strconv.Itoa(f.cfg.Hits))
	if d := f.cfg.Options.SettingsDir; d != "" {
		env = append(env, "LAMIN_SETTINGS_DIR="+d)
	}
	if d := f.cfg.Options.CacheDir; d != "" {
		env = append(env, "LAMIN_CACHE_DIR="+d)
	}
	return env
}
