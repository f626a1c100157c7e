package capture

import (
	"os"
	"path/filepath"
	"strings"
	"testing"
)

// TestCheckRefusesWhatCannotStart checks that Check answers as Run would
// for commands that cannot start, before anything runs.
func TestCheckRefusesWhatCannotStart(t *testing.T) {
	dir := t.TempDir()
	bin := filepath.Join(dir, "bin")
	if err := os.Mkdir(bin, 0o755); err != nil {
		t.Fatal(err)
	}
	writeFile(t, filepath.Join(bin, "onlyhere"), "#!/bin/sh\necho here\n", 0o755)
	writeFile(t, filepath.Join(dir, "plain.txt"), "not a program\n", 0o644)
	childPath := []string{"PATH=" + bin + string(os.PathListSeparator) + os.Getenv("PATH")}
	cases := []struct {
		name string
		spec Spec
		ok   bool
		code int
		msg  string
	}{
		{"a command on lamin's PATH starts", Spec{Args: []string{"sh", "-c", "true"}}, true, 0, ""},
		{"a missing command is not found", Spec{Args: []string{"no-such-command-xyz"}}, false, ExitNotFound, "command not found: no-such-command-xyz"},
		{"a command only on the child's PATH starts", Spec{Args: []string{"onlyhere"}, Env: childPath}, true, 0, ""},
		{"without the child's PATH it is not found", Spec{Args: []string{"onlyhere"}}, false, ExitNotFound, "command not found: onlyhere"},
		{"a missing file is not found", Spec{Args: []string{"./missing.sh"}, Dir: dir}, false, ExitNotFound, "check that the file exists"},
		{"a folder cannot execute", Spec{Args: []string{"./bin"}, Dir: dir}, false, ExitNotExecutable, "it is a directory"},
		{"a file without x bits cannot execute", Spec{Args: []string{"./plain.txt"}, Dir: dir}, false, ExitNotExecutable, "permission denied"},
		{"no command is a setup failure", Spec{}, false, ExitSetupFailed, "no command given"},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			res, ok := Check(c.spec)
			if ok != c.ok || res.ExitCode != c.code {
				t.Fatalf("Check = %v, exit %d (%v); want %v, exit %d", ok, res.ExitCode, res.Err, c.ok, c.code)
			}
			if c.msg != "" && (res.Err == nil || !strings.Contains(res.Err.Error(), c.msg)) {
				t.Fatalf("error %v, want it to contain %q", res.Err, c.msg)
			}
		})
	}
}

// TestRunLooksUpTheCommandOnTheChildsPath checks that a program found only
// through the PATH given to the child is started.
func TestRunLooksUpTheCommandOnTheChildsPath(t *testing.T) {
	bin := t.TempDir()
	writeFile(t, filepath.Join(bin, "onlyhere"), "#!/bin/sh\necho here\n", 0o755)
	var out syncBuffer
	res := run(t, t.Context(), Spec{Args: []string{"onlyhere"}, Stdout: &out,
		Env: []string{"PATH=" + bin + string(os.PathListSeparator) + os.Getenv("PATH")}})
	if !res.Started || res.ExitCode != 0 || strings.TrimSpace(out.String()) != "here" {
		t.Fatalf("started %v, exit %d (%v), output %q", res.Started, res.ExitCode, res.Err, out.String())
	}
}
