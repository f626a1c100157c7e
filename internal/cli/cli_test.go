package cli

import (
	"context"
	"database/sql"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"strconv"
	"strings"
	"testing"

	"github.com/lamin-go/lamin/internal/testenv"
	"github.com/parquet-go/parquet-go"
	"github.com/rogpeppe/go-internal/testscript"
	_ "modernc.org/sqlite"
)

func TestMain(m *testing.M) {
	testscript.Main(reportSkips{m}, map[string]func(){
		"lamin": func() { os.Exit(Main()) },
	})
}

// reportSkips runs the tests through testenv.Run, which says afterwards
// which scripts did not run for want of a tool.
type reportSkips struct{ m *testing.M }

func (r reportSkips) Run() int { return testenv.Run(r.m) }

// tbKey is where Setup keeps each script's testing.TB for the need command.
type tbKey struct{}

// TestScripts runs the command-line scenarios in testdata/script: each reads
// like a terminal session and asserts output, files and database rows.
func TestScripts(t *testing.T) {
	testscript.Run(t, testscript.Params{
		Dir: "testdata/script",
		Setup: func(e *testscript.Env) error {
			e.Setenv("LAMIN_SETTINGS_DIR", filepath.Join(e.WorkDir, ".lamin"))
			e.Setenv("LAMIN_CACHE_DIR", filepath.Join(e.WorkDir, ".cache"))
			e.Setenv("HOME", e.WorkDir)
			e.Values[tbKey{}] = e.T()
			return nil
		},
		Cmds: map[string]func(ts *testscript.TestScript, neg bool, args []string){
			"need":       cmdNeed,
			"capture":    cmdCapture,
			"sql":        cmdSQL,
			"mkcsv":      cmdMkCSV,
			"mkparquet":  cmdMkParquet,
			"damagepage": cmdDamagePage,
		},
	})
}

// scriptNeeds are the tools a script can ask for with need, and what
// provides them.
var scriptNeeds = map[string]testenv.Need{
	"python3":           testenv.NeedPython,
	"jupyter-nbconvert": testenv.NeedJupyter,
}

// need TOOL: skips the script, recording it for the report at the end of
// the tests, when TOOL is not on PATH.
func cmdNeed(ts *testscript.TestScript, neg bool, args []string) {
	if len(args) != 1 || neg {
		ts.Fatalf("usage: need TOOL")
	}
	need, ok := scriptNeeds[args[0]]
	if !ok {
		ts.Fatalf("need: unknown tool %q; add it to scriptNeeds", args[0])
	}
	if _, err := exec.LookPath(args[0]); err != nil {
		tb, _ := ts.Value(tbKey{}).(testing.TB)
		if tb == nil {
			ts.Fatalf("need: no testing.TB for this script")
		}
		testenv.Skip(tb, need, args[0]+" not found on PATH")
	}
}

// capture VAR: sets $VAR to the last command's stdout, trimmed.
func cmdCapture(ts *testscript.TestScript, neg bool, args []string) {
	if len(args) != 1 {
		ts.Fatalf("usage: capture VAR")
	}
	ts.Setenv(args[0], strings.TrimSpace(ts.ReadFile("stdout")))
}

// sql ROOT QUERY: runs QUERY on ROOT/.lamindb/lamin.db and prints rows as
// '|'-separated lines to stdout. Only SELECTs open the database read-only,
// so scripts can also damage an instance on purpose.
func cmdSQL(ts *testscript.TestScript, neg bool, args []string) {
	if len(args) != 2 {
		ts.Fatalf("usage: sql ROOT QUERY")
	}
	dsn := "file:" + filepath.Join(ts.MkAbs(args[0]), ".lamindb", "lamin.db")
	if strings.HasPrefix(strings.ToUpper(strings.TrimSpace(args[1])), "SELECT") {
		dsn += "?mode=ro"
	}
	db, err := sql.Open("sqlite", dsn)
	ts.Check(err)
	defer db.Close()
	rows, err := db.QueryContext(context.Background(), args[1])
	ts.Check(err)
	defer rows.Close()
	cols, _ := rows.Columns()
	var out strings.Builder
	for rows.Next() {
		vals := make([]any, len(cols))
		ptrs := make([]any, len(cols))
		for i := range vals {
			ptrs[i] = &vals[i]
		}
		ts.Check(rows.Scan(ptrs...))
		parts := make([]string, len(vals))
		for i, v := range vals {
			if v == nil {
				parts[i] = "NULL"
			} else if b, ok := v.([]byte); ok {
				parts[i] = string(b)
			} else {
				parts[i] = fmt.Sprint(v)
			}
		}
		out.WriteString(strings.Join(parts, "|") + "\n")
	}
	ts.Check(rows.Err())
	ts.Stdout().Write([]byte(out.String()))
}

// mkcsv FILE N: writes a CSV with a header and N data rows.
func cmdMkCSV(ts *testscript.TestScript, neg bool, args []string) {
	n, err := strconv.Atoi(args[1])
	ts.Check(err)
	var b strings.Builder
	b.WriteString("gene,score\n")
	for i := 0; i < n; i++ {
		fmt.Fprintf(&b, "G%d,%d\n", i, i)
	}
	ts.Check(os.WriteFile(ts.MkAbs(args[0]), []byte(b.String()), 0o644))
}

// mkparquet FILE N: writes a Parquet file with N rows.
func cmdMkParquet(ts *testscript.TestScript, neg bool, args []string) {
	n, err := strconv.Atoi(args[1])
	ts.Check(err)
	type row struct {
		Gene  string  `parquet:"gene"`
		Score float64 `parquet:"score"`
	}
	rows := make([]row, n)
	for i := range rows {
		rows[i] = row{fmt.Sprintf("G%d", i), float64(i)}
	}
	ts.Check(parquet.WriteFile(ts.MkAbs(args[0]), rows))
}
