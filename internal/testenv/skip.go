package testenv

import (
	"fmt"
	"io"
	"os"
	"os/exec"
	"runtime"
	"sort"
	"strings"
	"sync"
	"testing"
)

// Need is a service or tool some tests cannot run without, and what a
// developer does to provide it.
type Need struct {
	// What names the service or tool ("PostgreSQL").
	What string
	// Enable says how to provide it ("set LAMIN_TEST_POSTGRES").
	Enable string
}

// The services and tools tests skip without.
var (
	// NeedPostgres is a PostgreSQL server for team-mode metadata.
	NeedPostgres = Need{"PostgreSQL", "set " + PostgresEnv + " (see docs/architecture.md)"}
	// NeedS3 is an S3 server for team-mode storage.
	NeedS3 = Need{"S3", "set " + S3Env + " (see docs/architecture.md)"}
	// NeedJupyter is jupyter nbconvert with a Python kernel, which executes notebooks.
	NeedJupyter = Need{"jupyter nbconvert", "install jupyter-nbconvert python3-ipykernel"}
	// NeedPython is a python3 interpreter on PATH.
	NeedPython = Need{"python3", "install python3"}
	// NeedAnnData is Python's anndata and h5py, which check the .h5ad files written here.
	NeedAnnData = Need{"Python's anndata or h5py", "install python3-anndata python3-h5py"}
	// NeedProv is Python's prov package, which checks PROV-JSON exports.
	NeedProv = Need{"Python's prov package", "install python3-prov"}
)

// skipped collects, per need, the names of the tests skipped for it.
var skipped = struct {
	sync.Mutex
	names map[Need]map[string]bool
}{names: map[Need]map[string]bool{}}

// Skip records that t cannot run without need and skips it with a message
// naming need and how to provide it (detail, if any, is added). Run
// reports the recorded tests when the package's tests end.
func Skip(t testing.TB, need Need, detail string) {
	t.Helper()
	Missing(t, need)
	msg := fmt.Sprintf("needs %s: %s", need.What, need.Enable)
	if detail != "" {
		msg += " (" + detail + ")"
	}
	t.Skip(msg)
}

// Missing records that (part of) t does not run for want of need without
// skipping t, for tests that run their other parts anyway (e.g. on SQLite
// but not on PostgreSQL).
func Missing(t testing.TB, need Need) {
	skipped.Lock()
	defer skipped.Unlock()
	if skipped.names[need] == nil {
		skipped.names[need] = map[string]bool{}
	}
	skipped.names[need][t.Name()] = true
}

// NeedCommand skips t, recording need, when the named command is not on
// PATH; otherwise it returns the command's path.
func NeedCommand(t testing.TB, name string, need Need) string {
	t.Helper()
	p, err := exec.LookPath(name)
	if err != nil {
		Skip(t, need, name+" not found on PATH")
	}
	return p
}

// Runner is what TestMain gets: *testing.M, or anything with its Run.
type Runner interface{ Run() int }

// Run runs the package's tests with m.Run and then prints one line per
// missing service or tool saying how many tests did not run for want of it
// and how to provide it:
//
//	github.com/lamin-go/lamin/internal/meta/postgres: skipped 12 tests that need PostgreSQL: set LAMIN_TEST_POSTGRES (see docs/architecture.md)
//
// Use it as os.Exit(testenv.Run(m)) in TestMain. `go test ./...` hides a
// passing package's output unless -v is given, so when the tests pass
// without -v the lines go to the go command's own stderr (its terminal or
// pipe, found through /proc on Linux) where they are seen; otherwise, and
// when that is not possible, they go to stdout with the test output.
func Run(m Runner) int {
	pkg := callerPackage()
	code := m.Run()
	lines := report(pkg)
	if len(lines) == 0 {
		return code
	}
	var w io.Writer = os.Stdout
	if code == 0 && !testing.Verbose() {
		if f := goCommandStderr(); f != nil {
			defer f.Close()
			w = f
		}
	}
	for _, l := range lines {
		fmt.Fprintln(w, l)
	}
	return code
}

// report renders the recorded skips, one line per need, and forgets them.
func report(pkg string) []string {
	skipped.Lock()
	defer skipped.Unlock()
	var lines []string
	for need, names := range skipped.names {
		n := len(names)
		unit := "tests that need"
		if n == 1 {
			unit = "test that needs"
		}
		lines = append(lines, fmt.Sprintf("%s: skipped %d %s %s: %s", pkg, n, unit, need.What, need.Enable))
	}
	sort.Strings(lines)
	skipped.names = map[Need]map[string]bool{}
	return lines
}

// callerPackage is the import path of the package whose TestMain called Run.
func callerPackage() string {
	pcs := make([]uintptr, 16)
	frames := runtime.CallersFrames(pcs[:runtime.Callers(2, pcs)])
	for {
		f, more := frames.Next()
		if strings.HasSuffix(f.Function, ".TestMain") {
			return strings.TrimSuffix(strings.TrimSuffix(f.Function, ".TestMain"), "_test")
		}
		if !more {
			return "tests"
		}
	}
}

// goCommandStderr opens the stderr of the process that started the test
// binary (the go command under `go test`) when it is a terminal or a pipe,
// or returns nil. A regular file is left alone: writing to it through a
// second file description could overwrite what the go command writes.
// Stdout being a terminal means the binary runs by itself, not under
// `go test`, so its own stdout is seen.
func goCommandStderr() *os.File {
	if st, err := os.Stdout.Stat(); err == nil && st.Mode()&os.ModeCharDevice != 0 {
		return nil
	}
	p := fmt.Sprintf("/proc/%d/fd/2", os.Getppid())
	st, err := os.Stat(p)
	if err != nil || st.Mode()&(os.ModeCharDevice|os.ModeNamedPipe|os.ModeSocket) == 0 {
		return nil
	}
	f, err := os.OpenFile(p, os.O_WRONLY|os.O_APPEND, 0)
	if err != nil {
		return nil
	}
	return f
}
