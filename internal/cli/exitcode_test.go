package cli

import (
	"context"
	"path/filepath"
	"strings"
	"testing"
)

// TestMistakesOnTheCommandLineExitOne checks the README's promise that user
// errors exit 1 where a user meets them first: a mistyped command, an
// unknown subcommand, an unknown flag.
func TestMistakesOnTheCommandLineExitOne(t *testing.T) {
	dir := t.TempDir()
	env := map[string]string{"LAMIN_SETTINGS_DIR": filepath.Join(dir, "settings"), "LAMIN_CACHE_DIR": filepath.Join(dir, "cache")}
	for _, tc := range []struct {
		args   []string
		stderr string
	}{
		{[]string{"fliter", "artifact"}, "✗ unknown command \"fliter\" for \"lamin\"; did you mean filter? see `lamin --help`\n"},
		{[]string{"nosuch"}, "✗ unknown command \"nosuch\" for \"lamin\"; see `lamin --help`\n"},
		{[]string{"settings", "gett", "x"}, "✗ unknown command \"gett\" for \"lamin settings\"; see `lamin settings --help`\n"},
		{[]string{"completion", "tcsh"}, "✗ unknown command \"tcsh\" for \"lamin completion\"; see `lamin completion --help`\n"},
		{[]string{"filter", "artifact", "--nosuchflag"}, "✗ unknown flag: --nosuchflag; see `lamin filter --help`\n"},
		{[]string{"describe", "x", "--format", "csv"}, "✗ unknown --format \"csv\" for describe; use table or json\n"},
	} {
		t.Run(strings.Join(tc.args, " "), func(t *testing.T) {
			var out, errOut strings.Builder
			app := &App{In: strings.NewReader(""), Out: &out, Err: &errOut, Getenv: func(k string) string { return env[k] }}
			if code := app.Run(context.Background(), tc.args); code != 1 {
				t.Errorf("exit %d, want 1", code)
			}
			if errOut.String() != tc.stderr || out.Len() != 0 {
				t.Errorf("stdout %q, stderr %q; want stderr %q", out.String(), errOut.String(), tc.stderr)
			}
		})
	}
}
