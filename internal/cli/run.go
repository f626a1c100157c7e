package cli

import (
	"context"
	"errors"
	"fmt"
	"os"
	"os/exec"
	"os/signal"
	"path/filepath"
	"strings"
	"syscall"

	"github.com/lamin-go/lamin"
	"github.com/spf13/cobra"
	"golang.org/x/sys/unix"
)

type trackFlags struct {
	uid, key, typ, description, reference, referenceType, version, envFile string
}

func (f *trackFlags) add(cmd *cobra.Command) {
	fl := cmd.Flags()
	fl.StringVar(&f.uid, "uid", "", "transform uid: 12-character stem or 16-character full uid")
	fl.StringVar(&f.key, "key", "", "transform key (default: the script's file name or the command's name)")
	fl.StringVar(&f.typ, "type", "", "transform type: pipeline, script, notebook, function")
	fl.StringVar(&f.description, "description", "", "transform description")
	fl.StringVar(&f.reference, "reference", "", "reference, e.g. the URL of an external tool")
	fl.StringVar(&f.referenceType, "reference-type", "", "what the reference is (default: url when it looks like one)")
	fl.StringVar(&f.version, "version", "", "transform version, e.g. 7.2.0")
	fl.StringVar(&f.envFile, "env", "", "file describing the environment, stored with the run")
}

func (f *trackFlags) spec() lamin.TransformSpec {
	refType := f.referenceType
	if refType == "" && (strings.HasPrefix(f.reference, "http://") || strings.HasPrefix(f.reference, "https://")) {
		refType = "url"
	}
	return lamin.TransformSpec{UID: f.uid, Key: f.key, Type: f.typ, Description: f.description,
		Reference: f.reference, ReferenceType: refType, Version: f.version}
}

type runOptions struct {
	trackFlags
	inputs, outputs []string
	args            []string
}

func (app *App) runCmd() *cobra.Command {
	var o runOptions
	cmd := &cobra.Command{
		Use:   "run [flags] (-- CMD [ARGS...] | SCRIPT [ARGS...] | NOTEBOOK.ipynb)",
		Short: "Run any command, script or notebook as a tracked run",
		Long: `Run CMD as a tracked run. A script given to an interpreter (python3 x.py,
Rscript x.R, bash x.sh, go run x.go) becomes a script transform with its source;
any other command a pipeline transform keyed by its name (or --key).

A script named on its own (lamin run step.py) runs as it is when it is
executable, else through its interpreter: python3 for .py, Rscript for .R,
sh for .sh. A notebook (lamin run analysis.ipynb) is executed with
jupyter nbconvert: its title becomes the description, the executed HTML the
run's report.

The command gets LAMIN_RUN_UID and LAMIN_INSTANCE, so lamin commands it calls
join the run on the same instance: lamin save makes outputs, lamin cache/load
make inputs. The folder of this lamin comes first on its PATH (and its path
is in LAMIN_BIN), so scripts find lamin even when it is not installed.
stdout and stderr are saved as the run's report. lamin run exits with the
command's exit code; a command that cannot be started exits 127 (126) and
records nothing.`,
		Example: `  lamin run -- python3 step.py                 # a script and its source
  lamin run step.py --threshold 3              # the same, interpreter chosen by suffix
  lamin run analysis.ipynb                     # a notebook, executed with nbconvert
  lamin run --key 'Cell Ranger' --type pipeline --version 7.2.0 -- cellranger count ...
  lamin run --key copier --input UID --output copy.csv -- cp raw.csv copy.csv
  lamin run -- sh -c 'lamin cache --key raw.csv && lamin save out.csv --key out.csv'`,
		RunE: func(cmd *cobra.Command, args []string) error {
			o.args = args
			return app.runRun(cmd.Context(), o)
		},
	}
	cmd.Flags().SetInterspersed(false)
	o.trackFlags.add(cmd)
	cmd.Flags().StringArrayVar(&o.inputs, "input", nil, "uid of an input artifact (repeatable), linked before the command starts")
	cmd.Flags().StringArrayVar(&o.outputs, "output", nil, "path saved as an output after the command exits 0 (repeatable)")
	return cmd
}

func (app *App) runRun(ctx context.Context, o runOptions) error {
	if len(o.args) == 0 {
		return usagef("lamin run needs a command, e.g. `lamin run -- python3 step.py`")
	}
	in, err := app.open(ctx)
	if err != nil {
		return err
	}
	defer in.Close()
	var inputs []*lamin.Artifact
	for _, u := range o.inputs {
		a, err := in.GetArtifact(ctx, u)
		if err != nil {
			return err
		}
		inputs = append(inputs, a)
	}
	sigs := make(chan os.Signal, 4)
	// A terminal's Ctrl-C already reaches the child (same process group);
	// forwarding SIGINT there too would deliver it twice.
	if interactive(app.In) {
		signal.Notify(sigs, syscall.SIGTERM)
	} else {
		signal.Notify(sigs, syscall.SIGINT, syscall.SIGTERM)
	}
	defer signal.Stop(sigs)
	res, err := in.RunCommand(ctx, o.args, lamin.RunCommandOptions{
		TransformSpec: o.spec(), Inputs: inputs, Outputs: o.outputs, EnvFile: o.envFile,
		Dir: app.Dir, Executable: app.Executable,
		Stdin: app.In, Stdout: app.Out, Stderr: app.Err, Signals: sigs,
	})
	var startErr *lamin.StartError
	var outErr *lamin.OutputError
	switch {
	case errors.As(err, &startErr):
		return &exitError{code: startErr.ExitCode, msg: oneLine(err.Error())}
	case errors.As(err, &outErr):
		return usagef("--output %s: %v", outErr.Path, outErr.Err)
	case err != nil:
		return err
	}
	if res.Err != nil {
		msg := res.Err.Error()
		if errors.As(res.Err, &outErr) {
			msg = "--output " + outErr.Path + ": " + outErr.Err.Error()
		}
		fmt.Fprintln(app.Err, "✗ "+oneLine(msg))
	}
	switch {
	case res.Signal != nil:
		return &exitError{code: res.ExitCode, msg: fmt.Sprintf("run %s aborted by signal %s (exit code %d)", res.Run.UID, signalName(res.Signal), res.ExitCode)}
	case res.ExitCode != 0:
		return &exitError{code: res.ExitCode, msg: fmt.Sprintf("run %s failed with exit code %d", res.Run.UID, res.ExitCode)}
	}
	return nil
}

// signalName names a signal as a shell user knows it: SIGTERM, SIGINT.
func signalName(sig os.Signal) string {
	if s, ok := sig.(syscall.Signal); ok {
		if name := unix.SignalName(s); name != "" {
			return name
		}
	}
	return sig.String()
}

func (app *App) trackCmd() *cobra.Command {
	var f trackFlags
	cmd := &cobra.Command{
		Use:   "track [flags] [FILE]",
		Short: "Start a run for a shell session: eval \"$(lamin track ...)\"",
		Long: `Start a run and print shell code that exports LAMIN_RUN_UID, so every lamin
command that follows in the shell joins the run. Pass the script being run as
FILE to record its source. End the run with eval "$(lamin finish)".`,
		Args: cobra.MaximumNArgs(1),
		RunE: func(cmd *cobra.Command, args []string) error {
			ctx := cmd.Context()
			in, err := app.open(ctx)
			if err != nil {
				return err
			}
			defer in.Close()
			spec := f.spec()
			if len(args) == 1 {
				spec.Path = args[0]
			} else if spec.Key == "" {
				return usagef("lamin track needs a FILE or --key naming what runs")
			}
			// The run lives as long as the shell that evaluates our output.
			run, err := in.Track(ctx, lamin.TrackOptions{TransformSpec: spec, EnvFile: f.envFile, PID: os.Getppid()})
			if err != nil {
				return err
			}
			for _, kv := range run.Environ() {
				k, v, _ := strings.Cut(kv, "=")
				fmt.Fprintf(app.Out, "export %s=%s\n", k, shellWord(v))
			}
			return nil
		},
	}
	f.add(cmd)
	return cmd
}

func (app *App) finishCmd() *cobra.Command {
	var status int
	cmd := &cobra.Command{
		Use:   "finish [--status N]",
		Short: "Finish the run started by lamin track: eval \"$(lamin finish)\"",
		Args:  exactArgs(0, "no arguments"),
		RunE: func(cmd *cobra.Command, args []string) error {
			if app.Getenv(lamin.RunUIDEnv) == "" {
				return usagef("TrackNotCalled: Please run `lamin track` before `lamin finish` (LAMIN_RUN_UID is not set)")
			}
			if status < -3 || status > 2 {
				return usagef("--status %d: use 0 (completed), 1 (errored) or 2 (aborted)", status)
			}
			ctx := cmd.Context()
			in, err := app.open(ctx)
			if err != nil {
				return err
			}
			defer in.Close()
			run, err := in.CurrentRun(ctx)
			if err != nil {
				return err
			}
			if err := run.FinishStatus(ctx, status); err != nil {
				return err
			}
			if status != lamin.StatusCompleted {
				code := int64(status)
				fmt.Fprintf(app.Err, "! run %s ended as %s\n", run.UID, lamin.StatusName(&code))
			}
			fmt.Fprintf(app.Out, "unset %s %s\n", lamin.RunUIDEnv, lamin.InstanceEnv)
			return nil
		},
	}
	cmd.Flags().IntVar(&status, "status", 0, "status code: 0 completed, 1 errored, 2 aborted")
	return cmd
}

// interactive reports whether r (or a writer) is a terminal.
func interactive(r any) bool {
	f, ok := r.(*os.File)
	if !ok {
		return false
	}
	st, err := f.Stat()
	return err == nil && st.Mode()&os.ModeCharDevice != 0
}

// shellWord quotes s for a POSIX shell unless it is a plain word.
func shellWord(s string) string {
	if s != "" && strings.Trim(s, "abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789/._-") == "" {
		return s
	}
	return "'" + strings.ReplaceAll(s, "'", `'\''`) + "'"
}

// executable is the path of the running lamin as the user invoked it (so
// a symlink named lamin stays lamin), falling back to the file the system
// started.
func executable() string {
	if len(os.Args) > 0 {
		name := os.Args[0]
		if !strings.ContainsRune(name, os.PathSeparator) {
			name, _ = exec.LookPath(name)
		}
		if name != "" {
			if abs, err := filepath.Abs(name); err == nil {
				if st, err := os.Stat(abs); err == nil && st.Mode().IsRegular() {
					return abs
				}
			}
		}
	}
	exe, err := os.Executable()
	if err != nil {
		return ""
	}
	return exe
}
