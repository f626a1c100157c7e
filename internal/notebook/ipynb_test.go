package notebook

import (
	"encoding/json"
	"os"
	"path/filepath"
	"strings"
	"testing"
)

// testCell is a notebook cell for fixtures; Source is stored as a list of
// lines (the usual on-disk form) unless AsString is set.
type testCell struct {
	Type     string
	Source   string
	AsString bool
}

func md(src string) testCell   { return testCell{Type: "markdown", Source: src} }
func code(src string) testCell { return testCell{Type: "code", Source: src} }
func raw(src string) testCell  { return testCell{Type: "raw", Source: src} }

// writeNotebook writes an nbformat 4 notebook with the given cells to
// dir/name and returns its path.
func writeNotebook(t *testing.T, dir, name string, cells ...testCell) string {
	t.Helper()
	var out []map[string]any
	for i, c := range cells {
		var src any = c.Source
		if !c.AsString {
			lines := strings.SplitAfter(c.Source, "\n")
			if lines[len(lines)-1] == "" {
				lines = lines[:len(lines)-1]
			}
			src = lines
		}
		m := map[string]any{
			"cell_type": c.Type,
			"id":        "cell" + string(rune('a'+i)),
			"metadata":  map[string]any{},
			"source":    src,
		}
		if c.Type == "code" {
			m["execution_count"] = nil
			m["outputs"] = []any{}
		}
		out = append(out, m)
	}
	nb := map[string]any{
		"cells": out,
		"metadata": map[string]any{
			"kernelspec": map[string]any{"name": "python3", "display_name": "Python 3", "language": "python"},
		},
		"nbformat":       4,
		"nbformat_minor": 5,
	}
	b, err := json.MarshalIndent(nb, "", " ")
	if err != nil {
		t.Fatal(err)
	}
	path := filepath.Join(dir, name)
	if err := os.WriteFile(path, b, 0o644); err != nil {
		t.Fatal(err)
	}
	return path
}

func TestTitle(t *testing.T) {
	tests := []struct {
		name  string
		cells []testCell
		want  string
	}{
		{"a heading in the first markdown cell is the title",
			[]testCell{md("# Analysis of cells\n\nSome text."), code("x = 1")}, "Analysis of cells"},
		{"a source stored as one string is read like a list",
			[]testCell{{Type: "markdown", Source: "# One string\nmore", AsString: true}}, "One string"},
		{"inline markdown is kept and white space trimmed",
			[]testCell{md("#   My **bold** `code` [link](x.md)  ")}, "My **bold** `code` [link](x.md)"},
		{"the heading may follow other lines and cells",
			[]testCell{code("# %% not markdown"), md("intro\n## Sub\n# Real title")}, "Real title"},
		{"only the first heading counts",
			[]testCell{md("text"), md("# First"), md("# Second")}, "First"},
		{"level-2 headings and hashes without a space are not titles",
			[]testCell{md("## Section\n#hashtag"), raw("# raw heading")}, ""},
		{"a notebook without markdown has no title",
			[]testCell{code("print(1)")}, ""},
		{"a notebook without cells has no title", nil, ""},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			path := writeNotebook(t, t.TempDir(), "nb.ipynb", tt.cells...)
			got, err := Title(path)
			if err != nil {
				t.Fatal(err)
			}
			if got != tt.want {
				t.Errorf("Title = %q, want %q", got, tt.want)
			}
		})
	}
}

func TestReadErrors(t *testing.T) {
	dir := t.TempDir()
	bad := filepath.Join(dir, "bad.ipynb")
	if err := os.WriteFile(bad, []byte(`{"cells": [`), 0o644); err != nil {
		t.Fatal(err)
	}
	badSource := filepath.Join(dir, "badsource.ipynb")
	if err := os.WriteFile(badSource, []byte(`{"cells": [{"cell_type": "code", "source": 3}]}`), 0o644); err != nil {
		t.Fatal(err)
	}
	tests := []struct {
		name string
		path string
		fn   func(string) (string, error)
	}{
		{"Title rejects invalid JSON naming the file", bad, Title},
		{"Source rejects invalid JSON naming the file", bad, Source},
		{"Title rejects a source that is neither string nor list", badSource, Title},
		{"Source reports a missing file", filepath.Join(dir, "missing.ipynb"), Source},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			_, err := tt.fn(tt.path)
			if err == nil {
				t.Fatal("no error")
			}
			if !strings.Contains(err.Error(), tt.path) {
				t.Errorf("error %q does not name %s", err, tt.path)
			}
		})
	}
}

func TestSource(t *testing.T) {
	tests := []struct {
		name  string
		cells []testCell
		want  string
	}{
		{"a titled notebook renders as percent cells with the title blanked",
			[]testCell{
				md("# My analysis\n\nLoads the **data**.\n"),
				code("import math\n\nx = 1 + 1"),
				md("## Results"),
				code("print(x)"),
			},
			"# %% [markdown]\n" +
				"#\n" +
				"#\n" +
				"# Loads the **data**.\n" +
				"\n" +
				"# %%\n" +
				"import math\n" +
				"\n" +
				"x = 1 + 1\n" +
				"\n" +
				"# %% [markdown]\n" +
				"# ## Results\n" +
				"\n" +
				"# %%\n" +
				"print(x)\n"},
		{"raw cells are commented and code comments kept",
			[]testCell{raw("key: value\n\nend"), code("# a comment\n!lamin save x.csv")},
			"# %% [raw]\n# key: value\n#\n# end\n\n# %%\n# a comment\n!lamin save x.csv\n"},
		{"only the title line is blanked, not a later equal heading",
			[]testCell{md("intro\n# T"), md("# T")},
			"# %% [markdown]\n# intro\n#\n\n# %% [markdown]\n# # T\n"},
		{"a string source renders like a list source",
			[]testCell{{Type: "code", Source: "a = 1\nb = 2\n", AsString: true}},
			"# %%\na = 1\nb = 2\n"},
		{"an empty cell is just its header",
			[]testCell{code(""), code("y = 2")},
			"# %%\n\n# %%\ny = 2\n"},
		{"a notebook without cells is empty", nil, ""},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			path := writeNotebook(t, t.TempDir(), "nb.ipynb", tt.cells...)
			got, err := Source(path)
			if err != nil {
				t.Fatal(err)
			}
			if got != tt.want {
				t.Errorf("Source =\n%s\nwant\n%s", got, tt.want)
			}
		})
	}
}
