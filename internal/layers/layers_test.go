package layers

import (
	"encoding/json"
	"errors"
	"io"
	"os/exec"
	"strings"
	"testing"
)

// TestModule checks the module's real import graph against the rules.
func TestModule(t *testing.T) {
	g := moduleGraph(t)
	if len(g) < 10 {
		t.Fatalf("go list found only %d packages; is the module layout different?", len(g))
	}
	for _, v := range Check(g) {
		t.Error(v)
	}
	// Every layer entry must name a package that exists, so that the table
	// cannot rot into rules about nothing.
	for _, l := range Layers {
		for _, p := range l.Packages {
			path := Module
			if p != "" {
				path += "/" + p
			}
			if _, ok := g[path]; !ok {
				t.Errorf("layer %q lists %s, which is not a package of the module", l.Name, show(p))
			}
		}
	}
}

func moduleGraph(t *testing.T) Graph {
	t.Helper()
	cmd := exec.Command("go", "list", "-e", "-json=ImportPath,Imports,Error", Module+"/...")
	out, err := cmd.StdoutPipe()
	if err != nil {
		t.Fatal(err)
	}
	var stderr strings.Builder
	cmd.Stderr = &stderr
	if err := cmd.Start(); err != nil {
		t.Skipf("go command not available: %v", err)
	}
	g := Graph{}
	dec := json.NewDecoder(out)
	for {
		var p struct {
			ImportPath string
			Imports    []string
			Error      *struct{ Err string }
		}
		if err := dec.Decode(&p); errors.Is(err, io.EOF) {
			break
		} else if err != nil {
			t.Fatalf("decode go list output: %v", err)
		}
		if p.Error != nil {
			t.Errorf("go list %s: %s", p.ImportPath, p.Error.Err)
		}
		g[p.ImportPath] = p.Imports
	}
	if err := cmd.Wait(); err != nil {
		t.Fatalf("go list: %v: %s", err, stderr.String())
	}
	return g
}

// TestCheckFindsForbiddenEdges feeds a synthetic graph with one edge of each
// kind the rules forbid, and a clean graph.
func TestCheckFindsForbiddenEdges(t *testing.T) {
	m := func(rel string) string {
		if rel == "" {
			return Module
		}
		return Module + "/" + rel
	}
	clean := Graph{
		m("cmd/lamin"):            {m("internal/cli")},
		m("internal/cli"):         {m(""), m("internal/server"), m("internal/records"), "github.com/spf13/cobra"},
		m("internal/server"):      {m(""), "net/http"},
		m(""):                     {m("internal/meta"), m("internal/meta/sqlite"), m("internal/blob"), m("record")},
		m("internal/meta/sqlite"): {m("internal/meta"), "modernc.org/sqlite"},
		m("examples/track"):       {m(""), m("record"), "fmt"},
		m("bench/query"):          {m("internal/meta"), "modernc.org/sqlite"},
	}
	if v := Check(clean); len(v) != 0 {
		t.Fatalf("clean graph: %q", v)
	}
	cases := []struct {
		from, to, want string
	}{
		{"internal/cli", m("internal/meta"), "faces reach metadata through the SDK"},
		{"internal/server", m("internal/blob/s3"), "faces reach bytes through the SDK"},
		{"internal/server", "github.com/jackc/pgx/v5/stdlib", "faces never speak SQL"},
		{"", "github.com/spf13/cobra", "the domain knows no command line"},
		{"", "net/http", "the domain knows no HTTP"},
		{"", "modernc.org/sqlite", "the domain reaches SQL only through internal/meta"},
		{"internal/meta", m(""), `layer "stores" imports layer "SDK and domain" above it`},
		{"internal/query", m("internal/cli"), `layer "domain mechanics" imports layer "faces" above it`},
		{"internal/cli", m("examples/track"), "the product never imports the examples"},
		{"examples/track", m("internal/meta"), "examples use the public SDK only"},
		{"internal/newthing", "fmt", "internal/newthing is in no layer"},
	}
	for _, c := range cases {
		g := Graph{}
		for k, v := range clean {
			g[k] = append([]string(nil), v...)
		}
		g[m(c.from)] = append(g[m(c.from)], c.to)
		v := Check(g)
		if len(v) != 1 || !strings.Contains(v[0], c.want) {
			t.Errorf("%s -> %s: got %q, want one violation containing %q", show(c.from), c.to, v, c.want)
		}
	}
}
