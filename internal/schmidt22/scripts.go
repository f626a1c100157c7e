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
)

// Interpreters says which programs run the steps' files for real. The
// scripts need python3 and lamin, which their lamindb calls run (see
// steps/lamindb.py); the notebooks' analyses need pandas, pyarrow and
// scanpy, which the stand-in does not provide, so Go does their work.
type Interpreters struct {
	// Python is the python3 executable, "" to let Go do the scripts' work.
	Python string
	// Lamin is the lamin executable the scripts call.
	Lamin string
}

// FindInterpreters looks for python3 and lamin on PATH; lamin may also be
// self, the running executable, when that is a lamin binary. It returns
// the zero Interpreters, and why, when either is missing.
func FindInterpreters(self string) (Interpreters, string) {
	py, err := exec.LookPath("python3")
	if err != nil {
		return Interpreters{}, "python3 is not installed"
	}
	lamin, err := exec.LookPath("lamin")
	if err != nil {
		if strings.TrimSuffix(filepath.Base(self), ".exe") != "lamin" {
			return Interpreters{}, "no lamin executable for the scripts to call"
		}
		lamin = self
	}
	if lamin, err = filepath.Abs(lamin); err != nil {
		return Interpreters{}, err.Error()
	}
	return Interpreters{Python: py, Lamin: lamin}, ""
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
	env := append(os.Environ(),
		lamin.RunUIDEnv+"="+run.UID,
		"LAMIN_INSTANCE="+f.root,
		"LAMIN_BIN="+f.cfg.Run.Lamin,
		"PATH="+filepath.Dir(f.cfg.Run.Lamin)+string(os.PathListSeparator)+os.Getenv("PATH"),
		"PYTHONDONTWRITEBYTECODE=1",
		"LAMIN_DEMO_CELLS="+strconv.Itoa(f.cfg.Cells),
		"LAMIN_DEMO_HITS="+strconv.Itoa(f.cfg.Hits))
	if d := f.cfg.Options.SettingsDir; d != "" {
		env = append(env, "LAMIN_SETTINGS_DIR="+d)
	}
	if d := f.cfg.Options.CacheDir; d != "" {
		env = append(env, "LAMIN_CACHE_DIR="+d)
	}
	cmd.Env = env
	if f.cfg.Log != nil {
		fmt.Fprintf(f.cfg.Log, "$ python3 %s/%s\n", StepsFolder, name)
		cmd.Stdout, cmd.Stderr = f.cfg.Log, f.cfg.Log
	}
	if err := cmd.Run(); err != nil {
		return fmt.Errorf("python3 %s: %w", name, err)
	}
	return nil
}
