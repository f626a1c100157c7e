package h5ad

import (
	"errors"
	"fmt"
	"io"
	"math"
	"os"
	"path/filepath"
	"slices"
	"sort"
	"strconv"
	"unicode/utf8"
)

// Matrix is the dense expression matrix X: NObs rows (cells) by NVars
// columns (genes), stored row-major in Data.
type Matrix struct {
	NObs, NVars int
	Data        []float32
}

// Frame is an obs or var dataframe. Index names the rows; a nil Index
// stands for the positional names "0", "1", ... as AnnData uses them.
type Frame struct {
	Index   []string
	Columns []Column
}

// Column is one dataframe column. Exactly one of Strings, Floats and Ints
// must be non-nil and hold one value per row. A string column whose values
// repeat is stored as a categorical, as AnnData does when it writes; other
// string columns are stored as string arrays.
type Column struct {
	Name    string
	Strings []string
	Floats  []float64
	Ints    []int64
}

// Write writes an AnnData file with matrix x, the obs and var dataframes
// and the string entries of uns to path. The file replaces path atomically:
// it is written to a temporary file in the same directory and renamed.
func Write(path string, x Matrix, obs, vars Frame, uns map[string]string) error {
	root, err := buildAnnData(x, obs, vars, uns)
	if err != nil {
		return fmt.Errorf("h5ad: %w", err)
	}
	if err := writeAtomic(path, func(w io.Writer) error { return writeFile(w, root) }); err != nil {
		return fmt.Errorf("h5ad: write %s: %w", path, err)
	}
	return nil
}

// buildAnnData lays out the AnnData groups and datasets.
func buildAnnData(x Matrix, obs, vars Frame, uns map[string]string) (*group, error) {
	if err := checkUTF8(obs, vars, uns); err != nil {
		return nil, err
	}
	if x.NObs < 0 || x.NVars < 0 || len(x.Data) != x.NObs*x.NVars {
		return nil, fmt.Errorf("X is %d×%d but holds %d values", x.NObs, x.NVars, len(x.Data))
	}
	root := newGroup()
	setEncoding(&root.node, "anndata", "0.1.0")

	raw := make([]byte, 4*len(x.Data))
	for i, f := range x.Data {
		le.PutUint32(raw[4*i:], math.Float32bits(f))
	}
	xd, err := root.dataset("X", &value{typ: float32Type, dims: []uint64{uint64(x.NObs), uint64(x.NVars)}, raw: raw})
	if err != nil {
		return nil, err
	}
	setEncoding(&xd.node, "array", "0.2.0")

	if err := addFrame(root, "obs", obs, x.NObs); err != nil {
		return nil, err
	}
	if err := addFrame(root, "var", vars, x.NVars); err != nil {
		return nil, err
	}
	for _, name := range []string{"obsm", "varm", "obsp", "varp", "layers"} {
		g, err := root.group(name)
		if err != nil {
			return nil, err
		}
		setEncoding(&g.node, "dict", "0.1.0")
	}

	g, err := root.group("uns")
	if err != nil {
		return nil, err
	}
	setEncoding(&g.node, "dict", "0.1.0")
	keys := make([]string, 0, len(uns))
	for k := range uns {
		keys = append(keys, k)
	}
	sort.Strings(keys)
	for _, k := range keys {
		d, err := g.dataset(k, stringScalar(uns[k]))
		if err != nil {
			return nil, fmt.Errorf("uns: %w", err)
		}
		setEncoding(&d.node, "string", "0.2.0")
	}
	return root, nil
}

// checkUTF8 rejects strings that are not valid UTF-8: they are stored as
// UTF-8 and readers decode them as such.
func checkUTF8(obs, vars Frame, uns map[string]string) error {
	check := func(what string, ss ...string) error {
		for i, s := range ss {
			if !utf8.ValidString(s) {
				return fmt.Errorf("%s: value %d (%q) is not valid UTF-8", what, i, s)
			}
		}
		return nil
	}
	for _, f := range []struct {
		name  string
		frame Frame
	}{{"obs", obs}, {"var", vars}} {
		if err := check(f.name+" index", f.frame.Index...); err != nil {
			return err
		}
		for _, c := range f.frame.Columns {
			if err := check(f.name+" column names", c.Name); err != nil {
				return err
			}
			if err := check(fmt.Sprintf("%s column %q", f.name, c.Name), c.Strings...); err != nil {
				return err
			}
		}
	}
	for k, v := range uns {
		if err := check("uns", k, v); err != nil {
			return err
		}
	}
	return nil
}

// addFrame writes a dataframe group with n rows.
func addFrame(root *group, name string, f Frame, n int) error {
	g, err := root.group(name)
	if err != nil {
		return err
	}
	setEncoding(&g.node, "dataframe", "0.2.0")
	g.setAttr("_index", stringScalar("_index"))
	order := make([]string, len(f.Columns))
	for i, c := range f.Columns {
		order[i] = c.Name
	}
	g.setAttr("column-order", stringArray(order))

	index := f.Index
	if index == nil {
		index = make([]string, n)
		for i := range index {
			index[i] = strconv.Itoa(i)
		}
	}
	if len(index) != n {
		return fmt.Errorf("%s: index has %d names for %d rows", name, len(index), n)
	}
	d, err := g.dataset("_index", stringArray(index))
	if err != nil {
		return err
	}
	setEncoding(&d.node, "string-array", "0.2.0")

	for _, c := range f.Columns {
		if err := addColumn(g, c, n); err != nil {
			return fmt.Errorf("%s: column %q: %w", name, c.Name, err)
		}
	}
	return nil
}

// addColumn writes one dataframe column with n rows.
func addColumn(g *group, c Column, n int) error {
	if c.Name == "_index" {
		return errors.New("name is reserved for the index")
	}
	set, rows := 0, 0
	if c.Strings != nil {
		set, rows = set+1, len(c.Strings)
	}
	if c.Floats != nil {
		set, rows = set+1, len(c.Floats)
	}
	if c.Ints != nil {
		set, rows = set+1, len(c.Ints)
	}
	if set != 1 {
		return fmt.Errorf("%d of Strings, Floats and Ints are set, want exactly one", set)
	}
	if rows != n {
		return fmt.Errorf("has %d values for %d rows", rows, n)
	}

	switch {
	case c.Floats != nil:
		raw := make([]byte, 0, 8*n)
		for _, f := range c.Floats {
			raw = le.AppendUint64(raw, math.Float64bits(f))
		}
		return addArray(g, c.Name, &value{typ: float64Type, dims: []uint64{uint64(n)}, raw: raw})
	case c.Ints != nil:
		raw := make([]byte, 0, 8*n)
		for _, v := range c.Ints {
			raw = le.AppendUint64(raw, uint64(v))
		}
		return addArray(g, c.Name, &value{typ: int64Type, dims: []uint64{uint64(n)}, raw: raw})
	}

	categories := slices.Clone(c.Strings)
	slices.Sort(categories)
	categories = slices.Compact(categories)
	if len(categories) == len(c.Strings) {
		d, err := g.dataset(c.Name, stringArray(c.Strings))
		if err != nil {
			return err
		}
		setEncoding(&d.node, "string-array", "0.2.0")
		return nil
	}
	return addCategorical(g, c.Name, c.Strings, categories)
}

// addCategorical writes values as a categorical group: sorted categories
// and, per row, the code of its category in the narrowest integer type,
// as pandas chooses it.
func addCategorical(g *group, name string, values, categories []string) error {
	cg, err := g.group(name)
	if err != nil {
		return err
	}
	setEncoding(&cg.node, "categorical", "0.2.0")
	cg.setAttr("ordered", &value{typ: boolType, raw: []byte{0}})

	code := make(map[string]uint64, len(categories))
	for i, c := range categories {
		code[c] = uint64(i)
	}
	t := int32Type
	switch {
	case len(categories) < math.MaxInt8:
		t = int8Type
	case len(categories) < math.MaxInt16:
		t = int16Type
	}
	raw := make([]byte, 0, len(values)*int(t.size))
	for _, v := range values {
		var b [8]byte
		le.PutUint64(b[:], code[v])
		raw = append(raw, b[:t.size]...)
	}
	if err := addArray(cg, "codes", &value{typ: t, dims: []uint64{uint64(len(values))}, raw: raw}); err != nil {
		return err
	}
	d, err := cg.dataset("categories", stringArray(categories))
	if err != nil {
		return err
	}
	setEncoding(&d.node, "string-array", "0.2.0")
	return nil
}

// addArray writes a numeric dataset with the "array" encoding.
func addArray(g *group, name string, v *value) error {
	d, err := g.dataset(name, v)
	if err != nil {
		return err
	}
	setEncoding(&d.node, "array", "0.2.0")
	return nil
}

// setEncoding sets the AnnData encoding attributes of a group or dataset.
func setEncoding(n *node, typ, version string) {
	n.setAttr("encoding-type", stringScalar(typ))
	n.setAttr("encoding-version", stringScalar(version))
}

// stringScalar is a scalar variable-length string.
func stringScalar(s string) *value {
	return &value{typ: stringType, strs: []string{s}}
}

// stringArray is a 1-D array of variable-length strings.
func stringArray(ss []string) *value {
	return &value{typ: stringType, dims: []uint64{uint64(len(ss))}, strs: ss}
}

// writeAtomic writes path through a temporary file in the same directory
// that is synced and renamed into place, so readers never see a partial
// file.
func writeAtomic(path string, write func(io.Writer) error) error {
	f, err := os.CreateTemp(filepath.Dir(path), "."+filepath.Base(path)+".*.tmp")
	if err != nil {
		return err
	}
	tmp := f.Name()
	err = write(f)
	if err == nil {
		err = f.Chmod(0o644)
	}
	if err == nil {
		err = f.Sync()
	}
	if cerr := f.Close(); err == nil {
		err = cerr
	}
	if err == nil {
		err = os.Rename(tmp, path)
	}
	if err != nil {
		os.Remove(tmp)
	}
	return err
}
