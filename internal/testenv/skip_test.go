package testenv

import (
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"
)

func TestReportCountsSkippedTestsPerNeed(t *testing.T) {
	for _, name := range []string{"a", "b", "c"} {
		t.Run(name, func(t *testing.T) { Missing(t, NeedPostgres) })
	}
	t.Run("d", func(t *testing.T) { Missing(t, NeedJupyter); Missing(t, NeedJupyter) })
	got := report("example.com/pkg")
	want := []string{
		"example.com/pkg: skipped 1 test that needs jupyter nbconvert: install jupyter-nbconvert python3-ipykernel",
		"example.com/pkg: skipped 3 tests that need PostgreSQL: set LAMIN_TEST_POSTGRES (see docs/architecture.md)",
	}
	if strings.Join(got, "\n") != strings.Join(want, "\n") {
		t.Errorf("report:\n%s\nwant:\n%s", strings.Join(got, "\n"), strings.Join(want, "\n"))
	}
	if again := report("example.com/pkg"); len(again) != 0 {
		t.Errorf("a second report repeats %v", again)
	}
}

// TestPlainGoTestShowsTheSkips runs `go test` on a package whose tests
// need PostgreSQL and S3 without either, the way a developer runs the
// suite, and checks the summary is in what go test prints although the
// package passes.
func TestPlainGoTestShowsTheSkips(t *testing.T) {
	if testing.Short() {
		t.Skip("builds and runs a test binary with go test")
	}
	goTool := filepath.Join(os.Getenv("GOROOT"), "bin", "go")
	if _, err := os.Stat(goTool); err != nil {
		goTool = NeedCommand(t, "go", Need{"the go command", "put go on PATH"})
	}
	cmd := exec.Command(goTool, "test", "-count=1", "./testdata/skipper")
	var env []string
	for _, kv := range os.Environ() {
		if !strings.HasPrefix(kv, PostgresEnv+"=") && !strings.HasPrefix(kv, S3Env+"=") {
			env = append(env, kv)
		}
	}
	cmd.Env = env
	out, err := cmd.CombinedOutput()
	if err != nil {
		t.Fatalf("go test: %v\n%s", err, out)
	}
	const pkg = "github.com/lamin-go/lamin/internal/testenv/testdata/skipper"
	for _, want := range []string{
		pkg + ": skipped 2 tests that need PostgreSQL: set LAMIN_TEST_POSTGRES (see docs/architecture.md)\n",
		pkg + ": skipped 1 test that needs S3: set LAMIN_TEST_S3 (see docs/architecture.md)\n",
		"ok  \t" + pkg + "\t",
	} {
		if !strings.Contains(string(out), want) {
			t.Errorf("go test printed\n%s\nwithout %q", out, want)
		}
	}
}
