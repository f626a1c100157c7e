package capture

import (
	"bytes"
	"context"
	"debug/buildinfo"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"time"
)

// Environment writes what can be learned cheaply about the tools a command
// uses into dir and returns the file's path, or "" when nothing is known:
// the package list of a Python or R interpreter, or the module list of a Go
// binary. It never records the process environment (which may hold
// secrets).
func Environment(ctx context.Context, args []string, dir string) (string, error) {
	if len(args) == 0 {
		return "", nil
	}
	text := environmentText(ctx, args)
	if text == "" {
		return "", nil
	}
	if err := os.MkdirAll(dir, 0o755); err != nil {
		return "", err
	}
	p := filepath.Join(dir, "requirements.txt")
	if err := os.WriteFile(p, []byte(text), 0o644); err != nil {
		return "", err
	}
	return p, nil
}

func environmentText(ctx context.Context, args []string) string {
	base := filepath.Base(args[0])
	switch {
	case strings.HasPrefix(base, "python"):
		return commandOutput(ctx, args[0], "-m", "pip", "freeze", "--disable-pip-version-check")
	case base == "Rscript" || base == "R":
		return commandOutput(ctx, "Rscript", "-e",
			`ip <- installed.packages()[, c("Package", "Version")]; writeLines(paste0(ip[, 1], "==", ip[, 2]))`)
	case base == "go" && len(args) > 1 && args[1] == "run":
		return commandOutput(ctx, "go", "version")
	}
	path, err := exec.LookPath(args[0])
	if err != nil {
		return ""
	}
	info, err := buildinfo.ReadFile(path)
	if err != nil {
		return ""
	}
	var b strings.Builder
	fmt.Fprintf(&b, "%s %s\n", info.Path, info.GoVersion)
	for _, d := range info.Deps {
		fmt.Fprintf(&b, "%s==%s\n", d.Path, d.Version)
	}
	return b.String()
}

// commandOutput runs a short query command; failures and slow answers give "".
func commandOutput(ctx context.Context, name string, args ...string) string {
	if _, err := exec.LookPath(name); err != nil {
		return ""
	}
	ctx, cancel := context.WithTimeout(ctx, 30*time.Second)
	defer cancel()
	var out bytes.Buffer
	cmd := exec.CommandContext(ctx, name, args...)
	cmd.Stdout = &out
	if err := cmd.Run(); err != nil || out.Len() == 0 {
		return ""
	}
	return out.String()
}
