package cli

import (
	"context"
	"errors"
	"fmt"
	"io"
	"os"
	"os/signal"
	"strings"
	"syscall"

	"github.com/lamin-go/lamin"
	"github.com/lamin-go/lamin/internal/settings"
	"github.com/lamin-go/lamin/internal/termtext"
	"github.com/spf13/cobra"
)

// Version is the lamin version, overridable at build time with
// -ldflags "-X github.com/lamin-go/lamin/internal/cli.Version=...".
var Version = "0.1.0-dev"

// App carries what every command needs: streams, the environment and SDK options.
type App struct {
	In     io.Reader
	Out    io.Writer
	Err    io.Writer
	Getenv func(string) string
	// Dir is the working directory commands resolve relative paths against
	// ("" = the process's).
	Dir string
}

// Main runs the lamin command line with os.Args and returns the exit code.
func Main() int {
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
	defer stop()
	app := &App{In: os.Stdin, Out: os.Stdout, Err: os.Stderr, Getenv: os.Getenv}
	return app.Run(ctx, os.Args[1:])
}

// Run executes one command line and returns its exit code.
func (app *App) Run(ctx context.Context, args []string) int {
	root := app.rootCmd()
	root.SetArgs(args)
	root.SetOut(app.Out)
	root.SetErr(app.Err)
	out := app.Out
	err := root.ExecuteContext(ctx)
	if t, ok := app.Out.(*termtext.Writer); ok {
		t.Flush()
	}
	app.Out = out
	if err == nil {
		return 0
	}
	var ee *exitError
	if errors.As(err, &ee) {
		if ee.msg != "" {
			fmt.Fprintln(app.Err, "✗ "+termtext.Line(ee.msg))
		}
		return ee.code
	}
	fmt.Fprintln(app.Err, "✗ "+termtext.Line(oneLine(err.Error())))
	return exitCode(err)
}

// exitError ends a command with a given code (and optional message).
type exitError struct {
	code int
	msg  string
}

func (e *exitError) Error() string { return e.msg }

// usageError marks bad command-line usage (exit 1).
type usageError struct{ msg string }

func (e *usageError) Error() string { return e.msg }

func usagef(format string, args ...any) error { return &usageError{fmt.Sprintf(format, args...)} }

// exitCode maps an error to the CLI contract: 1 for user errors (bad
// input, not found, conflicts), 2 for internal or environment errors.
func exitCode(err error) int {
	var ue *usageError
	switch {
	case errors.As(err, &ue),
		errors.Is(err, lamin.ErrInvalid), errors.Is(err, lamin.ErrNotFound),
		errors.Is(err, lamin.ErrConflict), errors.Is(err, lamin.ErrPermission):
		return 1
	case errors.Is(err, context.Canceled):
		return 130
	}
	return 2
}

func oneLine(s string) string {
	return strings.Join(strings.Fields(strings.ReplaceAll(s, "\n", " ")), " ")
}

func (app *App) options() lamin.Options {
	return lamin.Options{Messages: lamin.NewMessages(app.Err), Getenv: app.Getenv,
		SettingsDir: app.Getenv("LAMIN_SETTINGS_DIR"), CacheDir: app.Getenv("LAMIN_CACHE_DIR")}
}

// settingsDir is the settings folder this invocation uses.
func (app *App) settingsDir() (settings.Dir, error) {
	if p := app.Getenv("LAMIN_SETTINGS_DIR"); p != "" {
		return settings.Dir{Path: p}, nil
	}
	return settings.Open()
}

// open opens the instance a command works on: the one named by
// LAMIN_INSTANCE (set inside lamin run), else the current one.
func (app *App) open(ctx context.Context) (*lamin.Instance, error) {
	return lamin.Open(ctx, app.Getenv(instanceEnv), app.options())
}

func (app *App) rootCmd() *cobra.Command {
	root := &cobra.Command{
		Use:   "lamin",
		Short: "Data and code lineage for research projects",
		Long: `lamin registers files and folders (artifacts), the code that made them
(transforms) and each execution (runs), so every result can be traced to
its inputs, its code and its author.`,
		Version:       Version,
		SilenceUsage:  true,
		SilenceErrors: true,
	}
	root.SetVersionTemplate("lamin {{.Version}}\n")
	root.PersistentPreRunE = func(cmd *cobra.Command, _ []string) error {
		app.escapeHumanOutput(cmd)
		return nil
	}
	root.SetFlagErrorFunc(func(c *cobra.Command, err error) error {
		return usagef("%v; see `%s --help`", err, c.CommandPath())
	})
	root.AddCommand(
		app.initCmd(), app.connectCmd(), app.disconnectCmd(), app.loginCmd(), app.infoCmd(), app.settingsCmd(),
		app.saveCmd(), app.getCmd(), app.cacheCmd(), app.loadCmd(), app.describeCmd(), app.deleteCmd(), app.restoreCmd(),
		app.runCmd(), app.trackCmd(), app.finishCmd(), app.checkCmd(), app.migrateCmd(),
		app.filterCmd(), app.searchCmd(), app.lookupCmd(), app.viewCmd(),
		app.hashCmd(), app.demoCmd(),
		app.lineageCmd(), app.exportCmd(), app.serveCmd(),
	)
	return root
}

// exactArgs is cobra.ExactArgs with a usage error that says what to pass.
func exactArgs(n int, what string) cobra.PositionalArgs {
	return func(cmd *cobra.Command, args []string) error {
		if len(args) != n {
			return usagef("%s takes %s; see `%s --help`", cmd.CommandPath(), what, cmd.CommandPath())
		}
		return nil
	}
}
