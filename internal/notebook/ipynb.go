package notebook

import (
	"encoding/json"
	"fmt"
	"os"
	"strings"
)

// file is the subset of the nbformat 4 schema this package reads.
type file struct {
	Cells []cell `json:"cells"`
}

type cell struct {
	CellType string       `json:"cell_type"`
	Source   multiline    `json:"source"`
	Outputs  []cellOutput `json:"outputs"`
}

type cellOutput struct {
	OutputType string `json:"output_type"`
	EName      string `json:"ename"`
	EValue     string `json:"evalue"`
}

// multiline is an nbformat multiline string: either a single string or a
// list of strings that are concatenated as is (each usually ends in "\n").
type multiline string

func (m *multiline) UnmarshalJSON(b []byte) error {
	var s string
	if err := json.Unmarshal(b, &s); err == nil {
		*m = multiline(s)
		return nil
	}
	var parts []string
	if err := json.Unmarshal(b, &parts); err != nil {
		return fmt.Errorf("multiline string: want a string or a list of strings: %w", err)
	}
	*m = multiline(strings.Join(parts, ""))
	return nil
}

// lines splits the text into lines without their terminators. An empty
// text has no lines; a trailing newline does not start an extra line.
func (m multiline) lines() []string {
	s := strings.ReplaceAll(string(m), "\r\n", "\n")
	if s == "" {
		return nil
	}
	return strings.Split(strings.TrimSuffix(s, "\n"), "\n")
}

func readFile(path string) (*file, error) {
	b, err := os.ReadFile(path)
	if err != nil {
		return nil, err
	}
	var f file
	if err := json.Unmarshal(b, &f); err != nil {
		return nil, fmt.Errorf("%s: not a valid notebook: %w", path, err)
	}
	return &f, nil
}

// titleLine locates the title heading: the index of the markdown cell and
// of the line within it, or ok == false if the notebook has no title.
func (f *file) titleLine() (cellIdx, lineIdx int, ok bool) {
	for i, c := range f.Cells {
		if c.CellType != "markdown" {
			continue
		}
		for j, l := range c.Source.lines() {
			if strings.HasPrefix(l, "# ") {
				return i, j, true
			}
		}
	}
	return 0, 0, false
}

// Title returns the notebook's title: the text of the first line starting
// with "# " (a level-1 heading) in any markdown cell, searched in cell
// order, with the "# " prefix removed and surrounding white space trimmed.
// Inline markdown in the heading is kept as is. A notebook without such a
// heading has the empty title and a nil error.
func Title(path string) (string, error) {
	f, err := readFile(path)
	if err != nil {
		return "", err
	}
	i, j, ok := f.titleLine()
	if !ok {
		return "", nil
	}
	return strings.TrimSpace(strings.TrimPrefix(f.Cells[i].Source.lines()[j], "# ")), nil
}

// Source returns the notebook's source in the jupytext "py:percent" format
// that LaminDB saves for notebook transforms, without the metadata header.
// The rules are:
//
//   - each cell starts with a header line: "# %%" for a code cell,
//     "# %% [markdown]" for a markdown cell and "# %% [raw]" for a raw cell;
//   - code cell lines follow as is;
//   - markdown and raw cell lines follow commented out with "# ", and an
//     empty line becomes "#";
//   - the title heading (see Title) is replaced by a bare "#" line;
//   - cells are separated by one blank line and the text ends in a newline.
//
// Unlike jupytext, Source does not comment out magics ("%time", "!cmd") in
// code cells. A notebook without cells has an empty source.
func Source(path string) (string, error) {
	f, err := readFile(path)
	if err != nil {
		return "", err
	}
	ti, tj, hasTitle := f.titleLine()
	var b strings.Builder
	for i, c := range f.Cells {
		if i > 0 {
			b.WriteString("\n")
		}
		comment := true
		switch c.CellType {
		case "code":
			b.WriteString("# %%\n")
			comment = false
		case "markdown":
			b.WriteString("# %% [markdown]\n")
		case "raw":
			b.WriteString("# %% [raw]\n")
		default:
			return "", fmt.Errorf("%s: cell %d: unknown cell type %q", path, i+1, c.CellType)
		}
		for j, l := range c.Source.lines() {
			switch {
			case hasTitle && i == ti && j == tj:
				l = "#"
			case !comment:
			case l == "":
				l = "#"
			default:
				l = "# " + l
			}
			b.WriteString(l)
			b.WriteString("\n")
		}
	}
	return b.String(), nil
}

// firstError returns the first error output of a code cell, with the
// 1-based position of the cell, or nil if no cell failed.
func (f *file) firstError() *CellError {
	for i, c := range f.Cells {
		for _, o := range c.Outputs {
			if o.OutputType == "error" {
				return &CellError{Cell: i + 1, Name: o.EName, Value: o.EValue}
			}
		}
	}
	return nil
}
