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
	// Executable is the path of the running lamin, put first on the PATH
	// of the programs `lamin run` starts ("" leaves PATH alone).
	Executable string
}

// Main runs the lamin command line with os.Args and returns the exit code.
func Main() int {
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
	defer stop()
	app := &App{In: os.Stdin, Out: os.Stdout, Err: os.Stderr, Getenv: os.Getenv, Executable: executable()}
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
	err = unknownCommandError(err)
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
	return lamin.Options{Messages: lamin.NewCLIMessages(app.Err), Getenv: app.Getenv,
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
	return lamin.Open(ctx, "", app.options())
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
		app.lineageCmd(), app.exportCmd(), app.serveCmd(), app.versionCmd(),
	)
	root.InitDefaultCompletionCmd()
	rejectUnknownSubcommands(root)
	app.addCompletions(root)
	return root
}

func (app *App) versionCmd() *cobra.Command {
	return &cobra.Command{
		Use:   "version",
		Short: "Print the lamin version (same as lamin --version)",
		Args:  exactArgs(0, "no arguments"),
		RunE: func(cmd *cobra.Command, args []string) error {
			_, err := fmt.Fprintf(app.Out, "lamin %s\n", Version)
			return err
		},
	}
}

// unknownCommandError turns cobra's "unknown command" error (a mistyped
// command) into a usage error, exit 1, keeping its suggestions on one line.
func unknownCommandError(err error) error {
	var ue *usageError
	msg := err.Error()
	if errors.As(err, &ue) || !strings.HasPrefix(msg, "unknown command ") {
		return err
	}
	first, rest, _ := strings.Cut(msg, "\n")
	var suggestions []string
	for _, l := range strings.Split(rest, "\n") {
		if strings.HasPrefix(l, "\t") && strings.TrimSpace(l) != "" {
			suggestions = append(suggestions, strings.TrimSpace(l))
		}
	}
	path := "lamin"
	if _, quoted, ok := strings.Cut(first, ` for "`); ok {
		path = strings.TrimSuffix(quoted, `"`)
	}
	if len(suggestions) > 0 {
		return usagef("%s; did you mean %s? see `%s --help`", first, strings.Join(suggestions, " or "), path)
	}
	return usagef("%s; see `%s --help`", first, path)
}

// rejectUnknownSubcommands makes a command group (settings, completion, ...)
// fail with a usage error on an unknown subcommand instead of printing its
// help and succeeding; without arguments it still prints its help.
func rejectUnknownSubcommands(cmd *cobra.Command) {
	for _, c := range cmd.Commands() {
		rejectUnknownSubcommands(c)
	}
	if cmd.HasParent() && cmd.HasSubCommands() && !cmd.Runnable() {
		cmd.RunE = func(c *cobra.Command, args []string) error {
			if len(args) == 0 {
				return c.Help()
			}
			return usagef("unknown command %q for %q; see `%s --help`", args[0], c.CommandPath(), c.CommandPath())
		}
	}
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
