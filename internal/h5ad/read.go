package h5ad

import (
	"fmt"
	"io"
	"math"
	"os"
	"slices"

	"github.com/lamin-go/lamin/internal/hdf5"
)

// This file reads AnnData files back: the layout Write produces and the
// same subset of what AnnData itself writes (a dense float32 X, dataframes
// of string, categorical and numeric columns, string entries in uns).
// node.go takes the HDF5 structures from internal/hdf5 and accepts only
// the files this package's own layout can describe: version 0 and 1
// superblocks, version 1 object headers, symbol-table groups, compact and
// contiguous datasets and fixed-point, IEEE float and string datatypes.
// Anything else is reported as unsupported rather than guessed at.

// File is an AnnData file read back.
type File struct {
	// X is the dense expression matrix, row-major.
	X Matrix
	// Obs and Var are the obs and var dataframes. Index always holds the
	// stored row names and Columns follow the column-order attribute.
	Obs, Var Frame
	// Uns holds the string entries of uns; it is never nil.
	Uns map[string]string
}

// Read reads the AnnData file at path.
//
// X must be a dense float32 dataset. Dataframe columns come back as
// Strings for string arrays and categoricals (decoded to their values), as
// Floats for floating-point arrays and as Ints for integer arrays. Every uns
// entry must be a string; obsm, varm, obsp, varp and layers must be empty.
// Files using other parts of AnnData or HDF5 (sparse or non-float32 X,
// boolean or nullable columns, nested uns, chunked or compressed datasets,
// version 2 object headers, ...) yield an error of the form
// "h5ad <path>: ...: <feature> is not supported" that matches
// errors.ErrUnsupported.
func Read(path string) (*File, error) {
	f, err := os.Open(path)
	if err != nil {
		return nil, fmt.Errorf("h5ad: %w", err)
	}
	defer f.Close()
	st, err := f.Stat()
	if err != nil {
		return nil, fmt.Errorf("h5ad: %w", err)
	}
	file, err := readAnnData(f, st.Size())
	if err != nil {
		return nil, fmt.Errorf("h5ad %s: %w", path, err)
	}
	return file, nil
}

// unsupported reports a well-formed file that uses a feature the reader
// does not implement; the error matches errors.ErrUnsupported.
func unsupported(format string, args ...any) error {
	return hdf5.Unsupported(format, args...)
}

// malformed reports a structure that violates the HDF5 or AnnData format.
func malformed(format string, args ...any) error {
	return fmt.Errorf("malformed file: "+format, args...)
}

// at prefixes err with the HDF5 path of the object it concerns.
func at(path string, err error) error {
	if err == nil {
		return nil
	}
	return fmt.Errorf("%s: %w", path, err)
}

// readAnnData reads an AnnData file of the given size from r.
func readAnnData(ra io.ReaderAt, size int64) (*File, error) {
	r, rootAddr, err := openReader(ra, size)
	if err != nil {
		return nil, err
	}
	root, err := r.node(rootAddr)
	if err != nil {
		return nil, at("root group", err)
	}
	if !root.isGroup {
		return nil, malformed("the root object is not a group")
	}
	links, err := r.groupLinks(root)
	if err != nil {
		return nil, at("root group", err)
	}
	if _, ok := links["raw"]; ok {
		return nil, unsupported("AnnData raw (the raw group)")
	}

	f := &File{}
	if f.X, err = r.readX(links); err != nil {
		return nil, err
	}
	if f.Obs, err = r.readFrame("obs", links); err != nil {
		return nil, err
	}
	if f.Var, err = r.readFrame("var", links); err != nil {
		return nil, err
	}
	if len(f.Obs.Index) != f.X.NObs {
		return nil, malformed("X has %d rows but obs has %d", f.X.NObs, len(f.Obs.Index))
	}
	if len(f.Var.Index) != f.X.NVars {
		return nil, malformed("X has %d columns but var has %d rows", f.X.NVars, len(f.Var.Index))
	}
	for _, name := range []string{"layers", "obsm", "obsp", "varm", "varp"} {
		if err := r.checkEmpty(name, links); err != nil {
			return nil, err
		}
	}
	if f.Uns, err = r.readUns(links); err != nil {
		return nil, err
	}
	return f, nil
}

// readX reads the dense matrix X.
func (r *reader) readX(links map[string]uint64) (Matrix, error) {
	addr, ok := links["X"]
	if !ok {
		return Matrix{}, unsupported("an AnnData file without X")
	}
	n, err := r.node(addr)
	if err != nil {
		return Matrix{}, at("X", err)
	}
	if n.isGroup {
		enc, err := r.encoding(n)
		if err != nil {
			return Matrix{}, at("X", err)
		}
		if enc == "csr_matrix" || enc == "csc_matrix" {
			return Matrix{}, unsupported("sparse X (%s)", enc)
		}
		return Matrix{}, unsupported("X stored as a group of encoding %q", enc)
	}
	if n.Type.Class != hdf5.ClassFloat || n.Type.Size != 4 {
		return Matrix{}, unsupported("X of type %s", n.Type)
	}
	dims := n.Space.Dims
	if n.Space.Null || len(dims) != 2 {
		return Matrix{}, malformed("X has %d dimensions, want 2", len(dims))
	}
	if dims[0] > math.MaxInt32 || dims[1] > math.MaxInt32 {
		return Matrix{}, malformed("X has implausible shape %d×%d", dims[0], dims[1])
	}
	count, err := r.f.Len(&n.Dataset)
	if err != nil {
		return Matrix{}, at("X", err)
	}
	x := Matrix{NObs: int(dims[0]), NVars: int(dims[1]), Data: make([]float32, count)}
	order := n.Type.Order
	err = r.f.Read(&n.Dataset, func(first int, b []byte) {
		for i := range len(b) / 4 {
			x.Data[first+i] = math.Float32frombits(order.Uint32(b[4*i:]))
		}
	})
	if err != nil {
		return Matrix{}, at("X", err)
	}
	return x, nil
}

// readFrame reads the dataframe group called name.
func (r *reader) readFrame(name string, links map[string]uint64) (Frame, error) {
	addr, ok := links[name]
	if !ok {
		return Frame{}, malformed("%s is missing", name)
	}
	g, err := r.node(addr)
	if err != nil {
		return Frame{}, at(name, err)
	}
	if !g.isGroup {
		return Frame{}, at(name, unsupported("a dataframe stored as a compound dataset (AnnData before 0.7)"))
	}
	if err := r.checkEncoding(g, "dataframe"); err != nil {
		return Frame{}, at(name, err)
	}
	indexName := "_index"
	if s, ok, err := r.stringAttr(g, "_index"); err != nil {
		return Frame{}, at(name, err)
	} else if ok {
		indexName = s
	}
	order, ok, err := r.stringsAttr(g, "column-order")
	if err != nil {
		return Frame{}, at(name, err)
	}
	if !ok {
		return Frame{}, at(name, malformed("the column-order attribute is missing"))
	}
	members, err := r.groupLinks(g)
	if err != nil {
		return Frame{}, at(name, err)
	}

	path := name + "/" + indexName
	addr, ok = members[indexName]
	if !ok {
		return Frame{}, at(path, malformed("the index dataset is missing"))
	}
	idx, err := r.node(addr)
	if err != nil {
		return Frame{}, at(path, err)
	}
	if idx.isGroup {
		return Frame{}, at(path, unsupported("an index stored as a group"))
	}
	if !idx.Type.IsString() {
		return Frame{}, at(path, unsupported("an index of type %s", idx.Type))
	}
	if err := checkRank1(idx); err != nil {
		return Frame{}, at(path, err)
	}
	index, err := r.readStrings(idx)
	if err != nil {
		return Frame{}, at(path, err)
	}

	f := Frame{Index: index, Columns: make([]Column, 0, len(order))}
	seen := make(map[string]bool, len(order))
	for _, col := range order {
		path := name + "/" + col
		if col == indexName || seen[col] {
			return Frame{}, at(name, malformed("column-order lists %q twice or as the index", col))
		}
		seen[col] = true
		addr, ok := members[col]
		if !ok {
			return Frame{}, at(path, malformed("the column listed in column-order is missing"))
		}
		c, err := r.readColumn(addr, len(index))
		if err != nil {
			return Frame{}, at(path, err)
		}
		c.Name = col
		f.Columns = append(f.Columns, c)
	}
	return f, nil
}

// readColumn reads a dataframe column of rows values.
func (r *reader) readColumn(addr uint64, rows int) (Column, error) {
	n, err := r.node(addr)
	if err != nil {
		return Column{}, err
	}
	enc, err := r.encoding(n)
	if err != nil {
		return Column{}, err
	}
	if n.isGroup {
		if enc != "categorical" {
			return Column{}, unsupported("column encoding %q", enc)
		}
		return r.readCategorical(n, rows)
	}
	switch enc {
	case "", "array", "string-array":
	default:
		return Column{}, unsupported("column encoding %q", enc)
	}
	if _, ok := n.attrs["categories"]; ok {
		return Column{}, unsupported("a categorical column of AnnData before 0.7")
	}
	if err := checkRows(n, rows); err != nil {
		return Column{}, err
	}
	var c Column
	switch {
	case n.Type.IsString():
		c.Strings, err = r.readStrings(n)
	case n.Type.Class == hdf5.ClassFloat:
		c.Floats, err = r.readFloats(n)
	case n.Type.Class == hdf5.ClassFixed:
		c.Ints, err = r.readInts(n)
	default:
		err = unsupported("a column of type %s", n.Type)
	}
	return c, err
}

// readCategorical decodes a categorical column group to its values.
func (r *reader) readCategorical(g *rdNode, rows int) (Column, error) {
	members, err := r.groupLinks(g)
	if err != nil {
		return Column{}, err
	}
	part := func(name string) (*rdNode, error) {
		addr, ok := members[name]
		if !ok {
			return nil, malformed("the categorical has no %s dataset", name)
		}
		n, err := r.node(addr)
		if err != nil {
			return nil, at(name, err)
		}
		if n.isGroup {
			return nil, at(name, malformed("a group where a dataset is expected"))
		}
		return n, nil
	}
	cn, err := part("categories")
	if err != nil {
		return Column{}, err
	}
	if !cn.Type.IsString() {
		return Column{}, at("categories", unsupported("categories of type %s", cn.Type))
	}
	if err := checkRank1(cn); err != nil {
		return Column{}, at("categories", err)
	}
	categories, err := r.readStrings(cn)
	if err != nil {
		return Column{}, at("categories", err)
	}
	kn, err := part("codes")
	if err != nil {
		return Column{}, err
	}
	if kn.Type.Class != hdf5.ClassFixed {
		return Column{}, at("codes", malformed("codes of type %s", kn.Type))
	}
	if err := checkRows(kn, rows); err != nil {
		return Column{}, at("codes", err)
	}
	codes, err := r.readInts(kn)
	if err != nil {
		return Column{}, at("codes", err)
	}
	values := make([]string, len(codes))
	for i, c := range codes {
		switch {
		case c == -1:
			return Column{}, unsupported("a categorical column with missing values")
		case c < 0 || c >= int64(len(categories)):
			return Column{}, at("codes", malformed("code %d of row %d is out of range for %d categories", c, i, len(categories)))
		}
		values[i] = categories[c]
	}
	return Column{Strings: values}, nil
}

// checkEmpty checks that the mapping group called name, if present, holds
// nothing: its contents could not be returned.
func (r *reader) checkEmpty(name string, links map[string]uint64) error {
	addr, ok := links[name]
	if !ok {
		return nil
	}
	n, err := r.node(addr)
	if err != nil {
		return at(name, err)
	}
	if !n.isGroup {
		return unsupported("%s stored as a dataset", name)
	}
	members, err := r.groupLinks(n)
	if err != nil {
		return at(name, err)
	}
	if len(members) > 0 {
		return unsupported("a non-empty %s", name)
	}
	return nil
}

// readUns reads the string entries of uns.
func (r *reader) readUns(links map[string]uint64) (map[string]string, error) {
	uns := map[string]string{}
	addr, ok := links["uns"]
	if !ok {
		return uns, nil
	}
	g, err := r.node(addr)
	if err != nil {
		return nil, at("uns", err)
	}
	if !g.isGroup {
		return nil, at("uns", malformed("uns is not a group"))
	}
	members, err := r.groupLinks(g)
	if err != nil {
		return nil, at("uns", err)
	}
	names := make([]string, 0, len(members))
	for name := range members {
		names = append(names, name)
	}
	slices.Sort(names)
	for _, name := range names {
		path := "uns/" + name
		n, err := r.node(members[name])
		if err != nil {
			return nil, at(path, err)
		}
		enc, err := r.encoding(n)
		if err != nil {
			return nil, at(path, err)
		}
		switch {
		case n.isGroup:
			return nil, at(path, unsupported("a nested uns entry (encoding %q)", enc))
		case enc != "" && enc != "string":
			return nil, at(path, unsupported("an uns entry of encoding %q", enc))
		case !n.Type.IsString() || n.Space.Null || len(n.Space.Dims) != 0:
			return nil, at(path, unsupported("an uns entry of type %s and rank %d", n.Type, len(n.Space.Dims)))
		}
		ss, err := r.readStrings(n)
		if err != nil {
			return nil, at(path, err)
		}
		uns[name] = ss[0]
	}
	return uns, nil
}

// encoding returns the AnnData encoding-type of n, "" when it has none.
func (r *reader) encoding(n *rdNode) (string, error) {
	s, _, err := r.stringAttr(n, "encoding-type")
	return s, err
}

// checkEncoding checks that n has encoding-type want, or none.
func (r *reader) checkEncoding(n *rdNode, want string) error {
	enc, err := r.encoding(n)
	if err == nil && enc != "" && enc != want {
		err = unsupported("encoding %q where %q is expected", enc, want)
	}
	return err
}

// checkRank1 checks that dataset n is one-dimensional.
func checkRank1(n *rdNode) error {
	if n.Space.Null || len(n.Space.Dims) != 1 {
		return malformed("a dataset of rank %d where rank 1 is expected", len(n.Space.Dims))
	}
	return nil
}

// checkRows checks that dataset n is one-dimensional with rows elements.
func checkRows(n *rdNode, rows int) error {
	if err := checkRank1(n); err != nil {
		return err
	}
	if n.Space.Dims[0] != uint64(rows) {
		return malformed("%d values for %d rows", n.Space.Dims[0], rows)
	}
	return nil
}

// readFloats reads a floating-point dataset.
func (r *reader) readFloats(n *rdNode) ([]float64, error) {
	count, err := r.f.Len(&n.Dataset)
	if err != nil {
		return nil, err
	}
	out := make([]float64, count)
	t := n.Type
	err = r.f.Read(&n.Dataset, func(first int, b []byte) {
		for i := range len(b) / int(t.Size) {
			out[first+i] = t.Float(b[i*int(t.Size):])
		}
	})
	return out, err
}

// readInts reads an integer dataset.
func (r *reader) readInts(n *rdNode) ([]int64, error) {
	count, err := r.f.Len(&n.Dataset)
	if err != nil {
		return nil, err
	}
	out := make([]int64, count)
	t := n.Type
	tooLarge := false
	err = r.f.Read(&n.Dataset, func(first int, b []byte) {
		for i := range len(b) / int(t.Size) {
			v, ok := t.Int(b[i*int(t.Size):])
			tooLarge = tooLarge || !ok
			out[first+i] = v
		}
	})
	if err == nil && tooLarge {
		err = unsupported("an unsigned 64-bit value above the int64 range")
	}
	return out, err
}

// readStrings reads a string dataset.
func (r *reader) readStrings(n *rdNode) ([]string, error) {
	count, err := r.f.Len(&n.Dataset)
	if err != nil {
		return nil, err
	}
	out := make([]string, count)
	var derr error
	err = r.f.Read(&n.Dataset, func(first int, b []byte) {
		if derr == nil {
			derr = r.f.DecodeStrings(n.Type, b, out[first:])
		}
	})
	if err == nil {
		err = derr
	}
	return out, err
}
