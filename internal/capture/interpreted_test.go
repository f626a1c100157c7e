package capture

import (
	"os"
	"path/filepath"
	"testing"
)

func TestInterpreted(t *testing.T) {
	dir := t.TempDir()
	files := map[string]struct {
		content string
		mode    os.FileMode
	}{
		"step.py": {"print('step')\n", 0o644},
		"x.R":     {"cat('x')\n", 0o644},
		"x.sh":    {"#!/bin/sh\necho x\n", 0o755},
		"x.go":    {"package main\n\nfunc main() {}\n", 0o644},
		"app.js":  {"console.log(1)\n", 0o644},
		"bin":     {"\x7fELF\x02\x01\x01\x00\x00\x00", 0o755},
	}
	for name, f := range files {
		if err := os.WriteFile(filepath.Join(dir, name), []byte(f.content), f.mode); err != nil {
			t.Fatal(err)
		}
	}
	if err := os.Mkdir(filepath.Join(dir, "pkg"), 0o755); err != nil {
		t.Fatal(err)
	}
	t.Chdir(dir)

	tests := []struct {
		name       string
		args       []string
		wantScript string
		wantOK     bool
	}{
		{"python3 runs its script argument", []string{"python3", "step.py"}, "step.py", true},
		{"python3 options before the script are skipped", []string{"python3", "-u", "step.py"}, "step.py", true},
		{"a python option value is not taken for the script", []string{"python3.12", "-X", "dev", "step.py", "x.R"}, "step.py", true},
		{"python given by path is recognised", []string{"/usr/bin/python3", "step.py"}, "step.py", true},
		{"python -c runs no script", []string{"python3", "-c", "print(1)"}, "", false},
		{"python -m runs a module, not a file argument", []string{"python3", "-m", "pytest", "step.py"}, "", false},
		{"python with a missing script has none", []string{"python3", "missing.py"}, "", false},
		{"Rscript runs its script argument", []string{"Rscript", "x.R"}, "x.R", true},
		{"Rscript options before the script are skipped", []string{"Rscript", "--vanilla", "x.R"}, "x.R", true},
		{"R -f names the script", []string{"R", "--vanilla", "-f", "x.R"}, "x.R", true},
		{"R --file= names the script", []string{"R", "--file=x.R"}, "x.R", true},
		{"R CMD BATCH names the script", []string{"R", "CMD", "BATCH", "--vanilla", "x.R"}, "x.R", true},
		{"R without -f runs no script", []string{"R", "--no-save", "x.R"}, "", false},
		{"bash runs its script argument", []string{"bash", "x.sh"}, "x.sh", true},
		{"a shell option value is not taken for the script", []string{"sh", "-o", "errexit", "x.sh"}, "x.sh", true},
		{"bash -c runs no script", []string{"bash", "-c", "echo hi", "x.sh"}, "", false},
		{"node runs its script argument", []string{"node", "--enable-source-maps", "app.js"}, "app.js", true},
		{"node -e runs no script", []string{"node", "-e", "1"}, "", false},
		{"go run runs its first .go file", []string{"go", "run", "-tags", "dev", "x.go", "step.py"}, "x.go", true},
		{"go run of a package has no script", []string{"go", "run", "./pkg"}, "", false},
		{"go build is not a script run", []string{"go", "build", "x.go"}, "", false},
		{"env before the interpreter is skipped", []string{"env", "-u", "HOME", "FOO=1", "python3", "step.py"}, "step.py", true},
		{"an executable text file is its own script", []string{"./x.sh"}, "./x.sh", true},
		{"a text file in the current directory is its own script", []string{"x.sh"}, "x.sh", true},
		{"a command found only in PATH is no script", []string{"true"}, "", false},
		{"a binary file is no script", []string{"./bin"}, "", false},
		{"a directory is no script", []string{"./pkg"}, "", false},
		{"an empty command line has no script", nil, "", false},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			script, ok := Interpreted(tt.args)
			if script != tt.wantScript || ok != tt.wantOK {
				t.Errorf("Interpreted(%q) = %q, %v; want %q, %v", tt.args, script, ok, tt.wantScript, tt.wantOK)
			}
		})
	}
}

func TestInterpretedInResolvesScriptsFromTheCommandsDirectory(t *testing.T) {
	dir := t.TempDir()
	if err := os.WriteFile(filepath.Join(dir, "step.py"), []byte("print(1)\n"), 0o644); err != nil {
		t.Fatal(err)
	}
	t.Chdir(t.TempDir()) // not where the script is
	for _, tt := range []struct {
		args       []string
		wantScript string
		wantOK     bool
	}{
		{[]string{"python3", "step.py"}, filepath.Join(dir, "step.py"), true},
		{[]string{"python3", filepath.Join(dir, "step.py")}, filepath.Join(dir, "step.py"), true},
		{[]string{"python3", "other.py"}, "", false},
	} {
		script, ok := InterpretedIn(tt.args, dir)
		if script != tt.wantScript || ok != tt.wantOK {
			t.Errorf("InterpretedIn(%q, dir) = %q, %v; want %q, %v", tt.args, script, ok, tt.wantScript, tt.wantOK)
		}
	}
	if script, ok := Interpreted([]string{"python3", "step.py"}); ok {
		t.Errorf("Interpreted found %q outside the command's directory", script)
	}
}
