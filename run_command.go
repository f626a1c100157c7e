package lamin

import (
	"context"
	"errors"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"strings"

	"github.com/lamin-go/lamin/internal/capture"
)

// BinEnv names the lamin executable for the programs a run starts, so a
// script can call the same lamin even when none is installed on PATH.
const BinEnv = "LAMIN_BIN"

// Exit codes of a command that could not be started, following the shell
// and POSIX conventions for command wrappers (a test keeps them equal to
// the ones the command runner reports).
const (
	// ExitNotFound: the command does not exist.
	ExitNotFound = 127
	// ExitNotExecutable: the command exists but cannot be executed.
	ExitNotExecutable = 126
	// ExitSetupFailed: the command was not tried (e.g. its log file
	// could not be created).
	ExitSetupFailed = 125
)

// RunCommandOptions describe a command run as a tracked run: the transform
// it is recorded as, the artifacts it reads and writes, and the
// environment and streams it gets.
type RunCommandOptions struct {
	// TransformSpec identifies the transform. A command that runs a script
	// through an interpreter (python3 step.py, Rscript x.R, sh x.sh, go run
	// x.go) records the script as the transform's source; any other
	// command is keyed by its name unless Key is set.
	TransformSpec
	// Inputs are linked as inputs of the run before the command starts.
	Inputs []*Artifact
	// Outputs are paths (relative to Dir) saved as outputs of the run
	// after the command exits 0. Their folders must exist beforehand.
	Outputs []string
	// EnvFile describes the environment and is stored with the run; ""
	// records what can be learned cheaply from the tools the command uses
	// (pip freeze for Python, installed packages for R, the module list of
	// a Go binary).
	EnvFile string
	// Dir is the command's working directory; "" means this process's.
	Dir string
	// Env is the command's environment before the run context is added;
	// nil means this process's.
	Env []string
	// Executable is the lamin program the command's own lamin calls
	// should reach: its folder goes first on the command's PATH and its
	// path into LAMIN_BIN. "" leaves PATH alone.
	Executable string
	// Stdin is the command's standard input; nil means /dev/null.
	Stdin io.Reader
	// Stdout and Stderr receive the command's output as it is written
	// (the run's report keeps a copy); nil discards it.
	Stdout, Stderr io.Writer
	// Signals delivers signals to forward to the command, e.g. from
	// signal.Notify. Cancelling ctx does not stop a started command, so
	// that its run is always finished: send syscall.SIGTERM here to stop
	// it. A terminal's Ctrl-C already reaches a command that shares the
	// terminal, so forwarding SIGINT there would deliver it twice.
	Signals <-chan os.Signal
}

// RunResult is how a command run by RunCommand or RunNotebook ended.
type RunResult struct {
	// Run is the tracked run, finished.
	Run *Run
	// Status is the status the run ended with: StatusCompleted,
	// StatusErrored or StatusAborted (a signal ended the command).
	Status int
	// ExitCode is the command's exit code, 128+N when signal N killed it,
	// and 1 when an output could not be saved or a notebook failed.
	ExitCode int
	// Signal is the signal that ended the command, or nil.
	Signal os.Signal
	// Outputs are the artifacts saved from RunCommandOptions.Outputs.
	Outputs []*Artifact
	// Err explains a failure the exit code does not: an output that could
	// not be saved (an *OutputError), a notebook that did not execute. Nil
	// otherwise.
	Err error
}

// StartError reports a command that could not be started. RunCommand
// returns it with nothing recorded: no transform, no run, no artifact.
type StartError struct {
	// ExitCode is what a shell reports for such a command: ExitNotFound,
	// ExitNotExecutable or ExitSetupFailed.
	ExitCode int
	// Err says in one line why, and what to do.
	Err error
}

// Error returns the reason the command did not start.
func (e *StartError) Error() string { return e.Err.Error() }

// Unwrap returns the reason and its category: ErrNotFound for a command
// that does not exist, ErrInvalid for one that cannot be executed.
func (e *StartError) Unwrap() []error {
	switch e.ExitCode {
	case ExitNotFound:
		return []error{e.Err, ErrNotFound}
	case ExitNotExecutable:
		return []error{e.Err, ErrInvalid}
	}
	return []error{e.Err}
}

// OutputError reports an output path of a run that could not be saved, or
// whose folder does not exist before the command starts.
type OutputError struct {
	// Path is the output path as given.
	Path string
	// Err is why it could not be saved.
	Err error
}

// Error names the output and the problem.
func (e *OutputError) Error() string { return "output " + e.Path + ": " + e.Err.Error() }

// Unwrap returns the underlying problem.
func (e *OutputError) Unwrap() error { return e.Err }

// RunCommand runs argv as a tracked run, the way `lamin run` does: it
// resolves (or creates) the transform, starts a run, links o.Inputs,
// executes the command with the run context in its environment (see
// Run.Environ), keeps its output as the run's report, saves o.Outputs when
// it exits 0, and finishes the run with a status following its exit code.
// Lamin commands and SDK programs the command starts join the run.
//
// A script named on its own (step.py) runs as it is when it is executable,
// else through its interpreter: python3 for .py, Rscript for .R, sh for
// .sh. A notebook (argv[0] ending in .ipynb) runs as RunNotebook runs it.
//
// A command that cannot start returns a *StartError and records nothing.
// Otherwise the error is nil once the run is finished, whatever the
// command's outcome: the result says how it ended.
func (in *Instance) RunCommand(ctx context.Context, argv []string, o RunCommandOptions) (*RunResult, error) {
	if len(argv) == 0 || argv[0] == "" {
		return nil, invalidf("no command given; name the command to run")
	}
	if isNotebook(argv[0]) {
		if len(argv) > 1 {
			return nil, invalidf("a notebook takes no arguments; pass parameters through files or environment variables")
		}
		return in.RunNotebook(ctx, argv[0], o)
	}
	argv = withInterpreter(argv, o.Dir)
	if res, ok := capture.Check(capture.Spec{Args: argv, Dir: o.Dir, Env: o.environ(nil, nil)}); !ok {
		return nil, &StartError{ExitCode: res.ExitCode, Err: res.Err}
	}
	spec := o.TransformSpec
	if script, ok := capture.InterpretedIn(argv, o.Dir); ok {
		spec.Path = script
	} else if spec.Key == "" {
		spec.Key = filepath.Base(argv[0])
	}
	if err := o.checkOutputs(); err != nil {
		return nil, err
	}
	envFile := o.EnvFile
	if envFile == "" {
		dir := filepath.Join(in.CacheDir(), "environments", "pending-"+fmt.Sprint(os.Getpid()))
		if p, err := capture.Environment(ctx, argv, dir); err == nil && p != "" {
			envFile = p
			defer os.RemoveAll(dir)
		}
	}
	run, err := in.startRun(ctx, TrackOptions{TransformSpec: spec, EnvFile: envFile}, o.Inputs)
	if err != nil {
		return nil, err
	}
	run.LogPath = filepath.Join(in.CacheDir(), "run_logs_"+run.UID+".txt")
	res := capture.Run(context.WithoutCancel(ctx), capture.Spec{
		Args: argv, Dir: o.Dir, Stdin: o.Stdin, Stdout: o.Stdout, Stderr: o.Stderr,
		// Keep Python output live in the log rather than block-buffered.
		Env:     o.environ(run, map[string]string{"PYTHONUNBUFFERED": "1"}),
		LogPath: run.LogPath, Signals: o.Signals,
	})
	if !res.Started {
		// Only the start itself saw the problem: take back what was recorded.
		startErr := &StartError{ExitCode: res.ExitCode, Err: res.Err}
		if err := run.Discard(ctx); err != nil {
			return nil, errors.Join(startErr, err)
		}
		in.msg.Hint("removed run %s: its command did not start", run.UID)
		return nil, startErr
	}
	result := &RunResult{Run: run, Status: StatusCompleted, ExitCode: res.ExitCode, Signal: res.Signal}
	switch {
	case res.Signal != nil:
		result.Status = StatusAborted
	case res.ExitCode != 0:
		result.Status = StatusErrored
	}
	return in.finishRun(ctx, result, o)
}

// startRun tracks a run and links its inputs; when linking fails the run
// is taken back.
func (in *Instance) startRun(ctx context.Context, t TrackOptions, inputs []*Artifact) (*Run, error) {
	run, err := in.Track(ctx, t)
	if err != nil {
		return nil, err
	}
	if len(inputs) > 0 {
		yes := true
		if err := in.TrackInputs(ctx, inputs, CacheOptions{IsRunInput: &yes, Run: run}); err != nil {
			if derr := run.Discard(ctx); derr != nil {
				return nil, errors.Join(err, derr)
			}
			return nil, err
		}
	}
	return run, nil
}

// finishRun saves the outputs of a run whose command succeeded and
// finishes the run with the result's status.
func (in *Instance) finishRun(ctx context.Context, res *RunResult, o RunCommandOptions) (*RunResult, error) {
	if res.Status == StatusCompleted && len(o.Outputs) > 0 {
		arts, err := in.saveOutputs(ctx, res.Run, o)
		if err != nil {
			res.Status, res.ExitCode, res.Err = StatusErrored, 1, err
		}
		res.Outputs = arts
	}
	if err := res.Run.FinishStatus(ctx, res.Status); err != nil {
		return nil, err
	}
	return res, nil
}

// checkOutputs refuses outputs whose folder does not exist, before any
// record is made.
func (o *RunCommandOptions) checkOutputs() error {
	for _, p := range o.Outputs {
		if _, err := os.Stat(filepath.Dir(o.inDir(p))); err != nil {
			return &OutputError{Path: p, Err: invalidf("folder %s does not exist", filepath.Dir(p))}
		}
	}
	return nil
}

// saveOutputs saves the output paths as artifacts created by run.
func (in *Instance) saveOutputs(ctx context.Context, run *Run, o RunCommandOptions) ([]*Artifact, error) {
	var arts []*Artifact
	for _, p := range o.Outputs {
		a, err := in.NewArtifact(ctx, o.inDir(p), ArtifactOptions{Run: run})
		if err != nil {
			return nil, &OutputError{Path: p, Err: err}
		}
		arts = append(arts, a)
	}
	if err := in.SaveAll(ctx, arts); err != nil {
		return nil, err
	}
	return arts, nil
}

// inDir resolves a path the way the command sees it, from its working
// directory.
func (o *RunCommandOptions) inDir(p string) string {
	if o.Dir == "" || filepath.IsAbs(p) {
		return p
	}
	return filepath.Join(o.Dir, p)
}

// environ is the environment of a program the run starts: o.Env (or this
// process's) with the run context (run uid, instance), o.Executable's
// folder first on PATH and its path in LAMIN_BIN, plus extra.
func (o *RunCommandOptions) environ(run *Run, extra map[string]string) []string {
	base := o.Env
	if base == nil {
		base = os.Environ()
	}
	set := map[string]string{}
	if run != nil {
		for _, kv := range run.Environ() {
			k, v, _ := strings.Cut(kv, "=")
			set[k] = v
		}
	}
	if o.Executable != "" {
		set[BinEnv] = o.Executable
		path := filepath.Dir(o.Executable)
		if old := lookupEnv(base, "PATH"); old != "" {
			path += string(os.PathListSeparator) + old
		}
		set["PATH"] = path
	}
	for k, v := range extra {
		set[k] = v
	}
	return withEnv(base, set)
}

// lookupEnv returns the value of name in an environment list (the last
// one wins, as for exec).
func lookupEnv(env []string, name string) string {
	for i := len(env) - 1; i >= 0; i-- {
		if v, ok := strings.CutPrefix(env[i], name+"="); ok {
			return v
		}
	}
	return ""
}

// withEnv replaces or adds variables in an environment list.
func withEnv(base []string, set map[string]string) []string {
	out := make([]string, 0, len(base)+len(set))
	for _, kv := range base {
		k, _, _ := strings.Cut(kv, "=")
		if _, replaced := set[k]; !replaced {
			out = append(out, kv)
		}
	}
	for k, v := range set {
		out = append(out, k+"="+v)
	}
	return out
}

// interpreters run scripts named on their own that are not executable.
var interpreters = map[string]string{".py": "python3", ".R": "Rscript", ".r": "Rscript", ".sh": "sh"}

// withInterpreter puts the interpreter before a script named as the
// command (step.py) when the script is not executable itself, and runs an
// executable one from its folder rather than from PATH.
func withInterpreter(args []string, dir string) []string {
	interp, ok := interpreters[filepath.Ext(args[0])]
	if !ok {
		return args
	}
	p := args[0]
	if dir != "" && !filepath.IsAbs(p) {
		p = filepath.Join(dir, p)
	}
	st, err := os.Stat(p)
	switch {
	case err != nil || !st.Mode().IsRegular():
		return args
	case st.Mode().Perm()&0o111 == 0:
		return append([]string{interp}, args...)
	case !strings.ContainsRune(args[0], '/'):
		// The script here, not a program of that name on PATH.
		return append([]string{"./" + args[0]}, args[1:]...)
	}
	return args
}
