package h5ad

import (
	"bytes"
	"encoding/binary"
	"errors"
	"fmt"
	"io"
	"math"
	"os"
	"slices"
)

// This file reads AnnData files back: the layout Write produces and the
// same subset of what AnnData itself writes (a dense float32 X, dataframes
// of string, categorical and numeric columns, string entries in uns). The
// HDF5 reader understands version 0 and 1 superblocks, version 1 object
// headers, symbol-table groups, compact and contiguous datasets and
// fixed-point, IEEE float and string datatypes. Anything else is reported
// as unsupported rather than guessed at.
//
// Every structure is read through a bounds check against the file size,
// the total number of bytes read is capped at a small multiple of the
// file size, and every structure that can refer to another (B-trees,
// object header continuations) is guarded against cycles, so a corrupt
// file yields an error and never a panic or an unbounded allocation.

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

// unsupportedError reports a well-formed file that uses a feature the
// reader does not implement.
type unsupportedError struct{ feature string }

func (e *unsupportedError) Error() string { return e.feature + " is not supported" }

// Unwrap lets callers test for errors.ErrUnsupported.
func (e *unsupportedError) Unwrap() error { return errors.ErrUnsupported }

func unsupported(format string, args ...any) error {
	return &unsupportedError{feature: fmt.Sprintf(format, args...)}
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
	if n.typ.class != classFloat || n.typ.size != 4 {
		return Matrix{}, unsupported("X of type %s", n.typ)
	}
	dims := n.space.dims
	if n.space.null || len(dims) != 2 {
		return Matrix{}, malformed("X has %d dimensions, want 2", len(dims))
	}
	if dims[0] > math.MaxInt32 || dims[1] > math.MaxInt32 {
		return Matrix{}, malformed("X has implausible shape %d×%d", dims[0], dims[1])
	}
	count, err := r.checkStorage(n)
	if err != nil {
		return Matrix{}, at("X", err)
	}
	x := Matrix{NObs: int(dims[0]), NVars: int(dims[1]), Data: make([]float32, count)}
	order := n.typ.order
	err = r.elements(n, func(first int, b []byte) {
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
	if !idx.typ.isString() {
		return Frame{}, at(path, unsupported("an index of type %s", idx.typ))
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
	case n.typ.isString():
		c.Strings, err = r.readStrings(n)
	case n.typ.class == classFloat:
		c.Floats, err = r.readFloats(n)
	case n.typ.class == classFixed:
		c.Ints, err = r.readInts(n)
	default:
		err = unsupported("a column of type %s", n.typ)
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
	if !cn.typ.isString() {
		return Column{}, at("categories", unsupported("categories of type %s", cn.typ))
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
	if kn.typ.class != classFixed {
		return Column{}, at("codes", malformed("codes of type %s", kn.typ))
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
		case !n.typ.isString() || n.space.null || len(n.space.dims) != 0:
			return nil, at(path, unsupported("an uns entry of type %s and rank %d", n.typ, len(n.space.dims)))
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
	if n.space.null || len(n.space.dims) != 1 {
		return malformed("a dataset of rank %d where rank 1 is expected", len(n.space.dims))
	}
	return nil
}

// checkRows checks that dataset n is one-dimensional with rows elements.
func checkRows(n *rdNode, rows int) error {
	if err := checkRank1(n); err != nil {
		return err
	}
	if n.space.dims[0] != uint64(rows) {
		return malformed("%d values for %d rows", n.space.dims[0], rows)
	}
	return nil
}

// readFloats reads a floating-point dataset.
func (r *reader) readFloats(n *rdNode) ([]float64, error) {
	count, err := r.checkStorage(n)
	if err != nil {
		return nil, err
	}
	out := make([]float64, count)
	t := n.typ
	err = r.elements(n, func(first int, b []byte) {
		for i := range len(b) / int(t.size) {
			out[first+i] = t.float(b[i*int(t.size):])
		}
	})
	return out, err
}

// readInts reads an integer dataset.
func (r *reader) readInts(n *rdNode) ([]int64, error) {
	count, err := r.checkStorage(n)
	if err != nil {
		return nil, err
	}
	out := make([]int64, count)
	t := n.typ
	tooLarge := false
	err = r.elements(n, func(first int, b []byte) {
		for i := range len(b) / int(t.size) {
			v, ok := t.int(b[i*int(t.size):])
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
	count, err := r.checkStorage(n)
	if err != nil {
		return nil, err
	}
	out := make([]string, count)
	var derr error
	err = r.elements(n, func(first int, b []byte) {
		if derr == nil {
			derr = r.decodeStrings(n.typ, b, out[first:])
		}
	})
	if err == nil {
		err = derr
	}
	return out, err
}

// ---- HDF5 reading ----

const (
	hdf5Signature = "\x89HDF\r\n\x1a\n"

	// readMaxStructures caps the number of reads of one file.
	readMaxStructures = 1 << 20
	// readChunk is the size of the pieces raw data is read in.
	readChunk = 1 << 20
	// readMaxContinuations caps the blocks of one object header.
	readMaxContinuations = 1 << 10

	msgLinkInfo        = 0x0002
	msgLink            = 0x0006
	msgExternalFiles   = 0x0007
	msgFilterPipeline  = 0x000B
	msgContinuation    = 0x0010
	msgAttributeInfo   = 0x0015
	messageFlagShared  = 0x02
	classFixedString   = typeClass(3)
	stringPadNullTerm  = 0
	stringPadNullPad   = 1
	stringPadSpacePad  = 2
	stringCharsetASCII = 0
	stringCharsetUTF8  = 1
)

// reader reads structures of an HDF5 file.
type reader struct {
	r                io.ReaderAt
	size             uint64 // file size
	base             uint64 // absolute position addresses are relative to
	offSize, lenSize int    // bytes in an address and in a length
	budget           uint64 // bytes that may still be read
	reads            int
	heaps            map[uint64]map[uint32][]byte // global heap collections by address
}

// openReader checks the superblock and returns a reader and the address
// of the root group's object header.
func openReader(ra io.ReaderAt, size int64) (*reader, uint64, error) {
	if size < 0 {
		return nil, 0, errors.New("negative file size")
	}
	r := &reader{
		r:       ra,
		size:    uint64(size),
		offSize: 8,
		lenSize: 8,
		budget:  4*uint64(size) + 1<<20,
		heaps:   map[uint64]map[uint32][]byte{},
	}
	// The superblock is at 0 or, after a user block, at 512, 1024, ...
	var pos uint64
	for ; ; pos = max(512, 2*pos) {
		if pos >= r.size || r.size-pos < uint64(len(hdf5Signature)) {
			return nil, 0, errors.New("not an HDF5 file")
		}
		sig, err := r.readAbs(pos, uint64(len(hdf5Signature)))
		if err != nil {
			return nil, 0, err
		}
		if string(sig) == hdf5Signature {
			break
		}
	}
	b, err := r.readAbs(pos, min(r.size-pos, 128))
	if err != nil {
		return nil, 0, err
	}
	d := r.decoder(b)
	d.skip(len(hdf5Signature))
	version := d.u8()
	if d.err == nil && version > 1 {
		return nil, 0, unsupported("HDF5 superblock version %d", version)
	}
	d.skip(3) // free-space, root group symbol table entry and reserved versions
	d.skip(1) // shared header message version
	offSize, lenSize := int(d.u8()), int(d.u8())
	if d.err != nil {
		return nil, 0, malformed("the HDF5 superblock is truncated")
	}
	for _, s := range []int{offSize, lenSize} {
		switch s {
		case 2, 4, 8:
		case 16, 32:
			return nil, 0, unsupported("an HDF5 file with %d-byte addresses or lengths", s)
		default:
			return nil, 0, malformed("%d-byte HDF5 addresses or lengths", s)
		}
	}
	r.offSize, r.lenSize = offSize, lenSize
	d.skip(1 + 2 + 2 + 4) // reserved, group K values, consistency flags
	if version == 1 {
		d.skip(4) // indexed storage K and reserved
	}
	base := d.addr()
	d.skip(offSize) // free-space info
	eof := d.addr()
	driver := d.addr()
	d.skip(offSize) // root entry: link name offset
	root := d.addr()
	if d.err != nil {
		return nil, 0, malformed("the HDF5 superblock is truncated")
	}
	if base == undefAddr || base > r.size {
		return nil, 0, malformed("HDF5 base address %d is out of range", base)
	}
	if driver != undefAddr {
		return nil, 0, unsupported("an HDF5 file driver information block")
	}
	if eof == undefAddr || eof > r.size-base {
		return nil, 0, fmt.Errorf("file is truncated: it has %d bytes, its superblock records %d", r.size, eof)
	}
	r.base = base
	return r, root, nil
}

// readAbs reads n bytes at absolute position pos.
func (r *reader) readAbs(pos, n uint64) ([]byte, error) {
	if pos > r.size || n > r.size-pos {
		return nil, malformed("a structure at %d (%d bytes) extends past the end of the file", pos, n)
	}
	r.reads++
	if r.reads > readMaxStructures {
		return nil, malformed("too many HDF5 structures")
	}
	if n > r.budget {
		return nil, malformed("the file refers to more data than it holds")
	}
	r.budget -= n
	buf := make([]byte, n)
	if m, err := r.r.ReadAt(buf, int64(pos)); m < len(buf) {
		if err == nil || err == io.EOF {
			err = io.ErrUnexpectedEOF
		}
		return nil, err
	}
	return buf, nil
}

// pos returns the absolute position of address addr.
func (r *reader) pos(addr uint64) (uint64, error) {
	if addr == undefAddr || addr > r.size-r.base {
		return 0, malformed("address %d is out of range", addr)
	}
	return r.base + addr, nil
}

// read reads n bytes at address addr.
func (r *reader) read(addr, n uint64) ([]byte, error) {
	p, err := r.pos(addr)
	if err != nil {
		return nil, err
	}
	return r.readAbs(p, n)
}

// readUpTo reads n bytes at addr, fewer if the file ends first.
func (r *reader) readUpTo(addr, n uint64) ([]byte, error) {
	p, err := r.pos(addr)
	if err != nil {
		return nil, err
	}
	return r.readAbs(p, min(n, r.size-p))
}

// charge counts n bytes decoded without a read against the budget.
func (r *reader) charge(n uint64) error {
	if n > r.budget {
		return malformed("the file refers to more data than it holds")
	}
	r.budget -= n
	return nil
}

// rdDecoder reads little-endian fields from a byte slice. The first
// out-of-bounds access sets err and makes every later read return zero.
type rdDecoder struct {
	b                []byte
	off              int
	err              error
	offSize, lenSize int
}

func (r *reader) decoder(b []byte) *rdDecoder {
	return &rdDecoder{b: b, offSize: r.offSize, lenSize: r.lenSize}
}

func (d *rdDecoder) remaining() int { return len(d.b) - d.off }

func (d *rdDecoder) take(n int) []byte {
	if d.err != nil {
		return nil
	}
	if n < 0 || n > d.remaining() {
		d.err = errors.New("structure ends early")
		return nil
	}
	b := d.b[d.off : d.off+n]
	d.off += n
	return b
}

func (d *rdDecoder) skip(n int) { d.take(n) }

func (d *rdDecoder) u8() uint8   { return uint8(d.uint(1)) }
func (d *rdDecoder) u16() uint16 { return uint16(d.uint(2)) }
func (d *rdDecoder) u32() uint32 { return uint32(d.uint(4)) }

// uint reads an n-byte little-endian unsigned integer, 1 <= n <= 8.
func (d *rdDecoder) uint(n int) uint64 {
	b := d.take(n)
	if b == nil {
		return 0
	}
	var buf [8]byte
	copy(buf[:], b)
	return le.Uint64(buf[:])
}

// addr reads an address, mapping the all-ones value to undefAddr.
func (d *rdDecoder) addr() uint64 {
	v := d.uint(d.offSize)
	if d.offSize < 8 && v == 1<<(8*d.offSize)-1 {
		return undefAddr
	}
	return v
}

func (d *rdDecoder) length() uint64 { return d.uint(d.lenSize) }

// signature checks for a 4-byte structure signature.
func (d *rdDecoder) signature(sig string) {
	if b := d.take(len(sig)); b != nil && string(b) != sig {
		d.err = fmt.Errorf("signature %q where %q is expected", b, sig)
	}
}

// rdType is a datatype the reader can decode.
type rdType struct {
	class   typeClass
	size    uint64 // bytes per element
	order   binary.ByteOrder
	signed  bool
	pad     uint8 // fixed-length strings: padding
	charset uint8 // strings
}

func (t *rdType) isString() bool { return t.class == classFixedString || t.class == classVarLen }

func (t *rdType) String() string {
	switch t.class {
	case classFixed:
		if t.signed {
			return fmt.Sprintf("int%d", 8*t.size)
		}
		return fmt.Sprintf("uint%d", 8*t.size)
	case classFloat:
		return fmt.Sprintf("float%d", 8*t.size)
	case classFixedString:
		return "fixed-length string"
	case classVarLen:
		return "variable-length string"
	case classEnum:
		return "enum (such as boolean)"
	}
	return fmt.Sprintf("class %d", t.class)
}

// float decodes one floating-point element.
func (t *rdType) float(b []byte) float64 {
	if t.size == 4 {
		return float64(math.Float32frombits(t.order.Uint32(b)))
	}
	return math.Float64frombits(t.order.Uint64(b))
}

// int decodes one integer element; ok is false for unsigned values that
// do not fit an int64.
func (t *rdType) int(b []byte) (v int64, ok bool) {
	var u uint64
	switch t.size {
	case 1:
		u = uint64(b[0])
	case 2:
		u = uint64(t.order.Uint16(b))
	case 4:
		u = uint64(t.order.Uint32(b))
	default:
		u = t.order.Uint64(b)
	}
	bits := 8 * t.size
	if !t.signed {
		return int64(u), u <= math.MaxInt64
	}
	// Sign-extend from the element width.
	return int64(u<<(64-bits)) >> (64 - bits), true
}

// parseType decodes a datatype message body.
func (r *reader) parseType(b []byte) (*rdType, error) {
	d := r.decoder(b)
	b0 := d.u8()
	bits := d.take(3)
	size := uint64(d.u32())
	if d.err != nil {
		return nil, malformed("datatype: %v", d.err)
	}
	class, version := typeClass(b0&0x0f), b0>>4
	if version < 1 || version > 5 {
		return nil, malformed("datatype version %d", version)
	}
	if size == 0 {
		return nil, malformed("datatype of size 0")
	}
	t := &rdType{class: class, size: size, order: binary.LittleEndian}
	if bits[0]&0x01 != 0 {
		t.order = binary.BigEndian
	}
	switch class {
	case classFixed:
		t.signed = bits[0]&0x08 != 0
		offset, precision := d.u16(), d.u16()
		if d.err != nil {
			return nil, malformed("datatype: %v", d.err)
		}
		if (size != 1 && size != 2 && size != 4 && size != 8) || offset != 0 || uint64(precision) != 8*size {
			return nil, unsupported("a %d-byte integer type of %d-bit precision at bit offset %d", size, precision, offset)
		}
	case classFloat:
		if bits[0]&0x40 != 0 {
			return nil, unsupported("VAX floating-point byte order")
		}
		offset, precision := d.u16(), d.u16()
		eLoc, eSize, mLoc, mSize := d.u8(), d.u8(), d.u8(), d.u8()
		bias := d.u32()
		if d.err != nil {
			return nil, malformed("datatype: %v", d.err)
		}
		ieee := offset == 0 && uint64(precision) == 8*size && mLoc == 0 &&
			(size == 4 && eLoc == 23 && eSize == 8 && mSize == 23 && bias == 127 ||
				size == 8 && eLoc == 52 && eSize == 11 && mSize == 52 && bias == 1023)
		if !ieee {
			return nil, unsupported("a %d-byte non-IEEE floating-point type", size)
		}
	case classFixedString:
		t.pad, t.charset = bits[0]&0x0f, bits[0]>>4
		if t.charset > stringCharsetUTF8 {
			return nil, unsupported("string character set %d", t.charset)
		}
	case classVarLen:
		if bits[0]&0x0f != 1 {
			return nil, unsupported("a variable-length sequence datatype")
		}
		t.charset = bits[1] & 0x0f
		if t.charset > stringCharsetUTF8 {
			return nil, unsupported("string character set %d", t.charset)
		}
		if t.size != uint64(4+r.offSize+4) {
			return nil, malformed("variable-length string type of size %d", t.size)
		}
	case classEnum:
		// Enums (booleans) are recognised so that the error names them.
	default:
		names := map[typeClass]string{2: "time", 4: "bitfield", 5: "opaque", 6: "compound", 7: "reference", 10: "array"}
		if name, ok := names[class]; ok {
			return nil, unsupported("the HDF5 %s datatype", name)
		}
		return nil, malformed("datatype class %d", class)
	}
	return t, nil
}

// rdSpace is a dataspace: no dims for a scalar; null has no elements.
type rdSpace struct {
	dims []uint64
	null bool
}

// parseSpace decodes a dataspace message body.
func (r *reader) parseSpace(b []byte) (rdSpace, error) {
	d := r.decoder(b)
	version := d.u8()
	rank := int(d.u8())
	flags := d.u8()
	var s rdSpace
	switch version {
	case 1:
		d.skip(5)
	case 2:
		switch d.u8() {
		case 0: // scalar
			rank = 0
		case 1: // simple
		default:
			s.null = true
			rank = 0
		}
	default:
		if d.err == nil {
			return s, unsupported("dataspace message version %d", version)
		}
	}
	if rank > 32 {
		return s, malformed("dataspace of rank %d", rank)
	}
	s.dims = make([]uint64, rank)
	for i := range s.dims {
		s.dims[i] = d.length()
	}
	if flags&0x01 != 0 {
		d.skip(rank * r.lenSize) // maximum dimensions
	}
	if d.err != nil {
		return s, malformed("dataspace: %v", d.err)
	}
	return s, nil
}

// count returns the number of elements of s; ok is false on overflow.
func (s rdSpace) count() (n uint64, ok bool) {
	if s.null {
		return 0, true
	}
	n = 1
	for _, d := range s.dims {
		if d != 0 && n > math.MaxUint64/d {
			return 0, false
		}
		n *= d
	}
	return n, true
}

// rdNode is an object: a group or a dataset, with its attributes.
type rdNode struct {
	attrs map[string][]byte // attribute message bodies by name

	isGroup     bool
	btree, heap uint64

	typ   *rdType
	space rdSpace
	// storage: compact data, or contiguous data at addr of size bytes
	compact    []byte
	addr, size uint64
}

// node reads the object header at addr.
func (r *reader) node(addr uint64) (*rdNode, error) {
	msgs, err := r.objectHeader(addr)
	if err != nil {
		return nil, err
	}
	n := &rdNode{attrs: map[string][]byte{}}
	var hasType, hasSpace, hasLayout, filtered, chunked bool
	for _, m := range msgs {
		shared := m.flags&messageFlagShared != 0
		switch m.typ {
		case msgSymbolTable:
			d := r.decoder(m.data)
			n.btree, n.heap = d.addr(), d.addr()
			if d.err != nil {
				return nil, malformed("symbol table message: %v", d.err)
			}
			n.isGroup = true
		case msgLinkInfo, msgLink:
			return nil, unsupported("a group with link messages (HDF5 1.8 link storage)")
		case msgDataspace, msgDatatype, msgLayout:
			if shared {
				return nil, unsupported("a shared object header message")
			}
			switch m.typ {
			case msgDataspace:
				n.space, err = r.parseSpace(m.data)
				hasSpace = true
			case msgDatatype:
				n.typ, err = r.parseType(m.data)
				hasType = true
			case msgLayout:
				chunked, err = r.parseLayout(n, m.data)
				hasLayout = true
			}
			if err != nil {
				return nil, err
			}
		case msgExternalFiles:
			return nil, unsupported("external dataset storage")
		case msgFilterPipeline:
			filtered = true
		case msgAttributeInfo:
			d := r.decoder(m.data)
			d.skip(1) // version
			if d.u8()&0x01 != 0 {
				d.skip(2) // maximum creation index
			}
			if heap := d.addr(); d.err == nil && heap != undefAddr {
				return nil, unsupported("dense attribute storage")
			}
		case msgAttribute:
			if shared {
				return nil, unsupported("a shared attribute message")
			}
			name, err := r.attributeName(m.data)
			if err != nil {
				return nil, err
			}
			n.attrs[name] = m.data
		}
	}
	switch {
	case filtered:
		return nil, unsupported("a filtered (compressed) dataset")
	case chunked:
		return nil, unsupported("a chunked dataset")
	case n.isGroup && (hasType || hasSpace || hasLayout):
		return nil, malformed("object at %d is both a group and a dataset", addr)
	case n.isGroup:
		return n, nil
	case !hasType || !hasSpace || !hasLayout:
		return nil, unsupported("an HDF5 object that is neither a group nor a dataset")
	}
	return n, nil
}

// parseLayout decodes a data layout message into n; chunked reports
// chunked storage, which is not decoded.
func (r *reader) parseLayout(n *rdNode, b []byte) (chunked bool, err error) {
	d := r.decoder(b)
	version := d.u8()
	class := d.u8()
	if d.err != nil {
		return false, malformed("data layout: %v", d.err)
	}
	if version != 3 && version != 4 {
		return false, unsupported("data layout message version %d", version)
	}
	switch class {
	case 0:
		size := int(d.u16())
		n.compact = d.take(size)
		if n.compact == nil {
			n.compact = []byte{}
		}
	case 1:
		n.addr, n.size = d.addr(), d.length()
	case 2:
		return true, nil
	case 3:
		return false, unsupported("a virtual dataset")
	default:
		return false, malformed("data layout class %d", class)
	}
	if d.err != nil {
		return false, malformed("data layout: %v", d.err)
	}
	return false, nil
}

// rdMessage is one object header message.
type rdMessage struct {
	typ   uint16
	flags uint8
	data  []byte
}

// objectHeader returns the messages of the version 1 object header at
// addr, following continuation blocks.
func (r *reader) objectHeader(addr uint64) ([]rdMessage, error) {
	prefix, err := r.readUpTo(addr, 16)
	if err != nil {
		return nil, err
	}
	if bytes.HasPrefix(prefix, []byte("OHDR")) {
		return nil, unsupported("a version 2 object header")
	}
	d := r.decoder(prefix)
	version := d.u8()
	d.skip(1 + 2 + 4) // reserved, message count, reference count
	size := uint64(d.u32())
	d.skip(4) // alignment
	if d.err != nil || version != 1 {
		return nil, malformed("no object header at address %d", addr)
	}
	type span struct{ addr, size uint64 }
	spans := []span{{addr + 16, size}}
	seen := map[uint64]bool{}
	var msgs []rdMessage
	for i := 0; i < len(spans); i++ {
		s := spans[i]
		if i > readMaxContinuations || seen[s.addr] {
			return nil, malformed("object header continuations at %d loop or are too many", addr)
		}
		seen[s.addr] = true
		buf, err := r.read(s.addr, s.size)
		if err != nil {
			return nil, err
		}
		d := r.decoder(buf)
		for d.remaining() >= 8 {
			typ := d.u16()
			size := int(d.u16())
			flags := d.u8()
			d.skip(3)
			data := d.take(size)
			if d.err != nil {
				return nil, malformed("object header at %d: message of %d bytes overruns its block", addr, size)
			}
			switch typ {
			case 0: // NIL
			case msgContinuation:
				cd := r.decoder(data)
				next := span{cd.addr(), cd.length()}
				if cd.err != nil {
					return nil, malformed("object header continuation: %v", cd.err)
				}
				spans = append(spans, next)
			default:
				msgs = append(msgs, rdMessage{typ: typ, flags: flags, data: data})
			}
		}
	}
	return msgs, nil
}

// rdAttr is a decoded attribute message.
type rdAttr struct {
	typ   *rdType
	space rdSpace
	data  []byte
}

// attributeFields splits an attribute message body into its name,
// datatype, dataspace and data.
func attributeFields(r *reader, b []byte) (name, dt, ds, data []byte, err error) {
	d := r.decoder(b)
	version := d.u8()
	flags := d.u8()
	nameSize, dtSize, dsSize := int(d.u16()), int(d.u16()), int(d.u16())
	if d.err != nil {
		return nil, nil, nil, nil, malformed("attribute message: %v", d.err)
	}
	padded := func(n int) int { return n }
	switch version {
	case 1:
		padded = func(n int) int { return pad8(n) }
	case 2:
	case 3:
		d.skip(1) // name character set
	default:
		return nil, nil, nil, nil, unsupported("attribute message version %d", version)
	}
	if version > 1 && flags&0x03 != 0 {
		return nil, nil, nil, nil, unsupported("an attribute with a shared datatype or dataspace")
	}
	name = d.take(padded(nameSize))
	if i := bytes.IndexByte(name, 0); i >= 0 {
		name = name[:i]
	}
	dt = d.take(padded(dtSize))
	ds = d.take(padded(dsSize))
	if d.err != nil {
		return nil, nil, nil, nil, malformed("attribute message: %v", d.err)
	}
	return name, dt, ds, d.b[d.off:], nil
}

// attributeName returns the name of an attribute message body.
func (r *reader) attributeName(b []byte) (string, error) {
	name, _, _, _, err := attributeFields(r, b)
	return string(name), err
}

// attr decodes the attribute called name of n.
func (r *reader) attr(n *rdNode, name string) (*rdAttr, bool, error) {
	b, ok := n.attrs[name]
	if !ok {
		return nil, false, nil
	}
	_, dt, ds, data, err := attributeFields(r, b)
	if err != nil {
		return nil, false, err
	}
	a := &rdAttr{}
	if a.typ, err = r.parseType(dt); err != nil {
		return nil, false, at("attribute "+name, err)
	}
	if a.space, err = r.parseSpace(ds); err != nil {
		return nil, false, at("attribute "+name, err)
	}
	count, ok := a.space.count()
	if !ok || count > uint64(len(data))/a.typ.size {
		return nil, false, malformed("attribute %s holds fewer bytes than its shape needs", name)
	}
	a.data = data[:count*a.typ.size]
	return a, true, nil
}

// stringAttr returns the scalar string attribute called name of n.
func (r *reader) stringAttr(n *rdNode, name string) (string, bool, error) {
	a, ok, err := r.attr(n, name)
	if err != nil || !ok {
		return "", false, err
	}
	if !a.typ.isString() || a.space.null || len(a.space.dims) != 0 {
		return "", false, malformed("attribute %s is not a string", name)
	}
	out := make([]string, 1)
	if err := r.decodeStrings(a.typ, a.data, out); err != nil {
		return "", false, at("attribute "+name, err)
	}
	return out[0], true, nil
}

// stringsAttr returns the string array attribute called name of n. An
// empty array of any type counts as an empty string array, since AnnData
// writes an empty column-order as a float array.
func (r *reader) stringsAttr(n *rdNode, name string) ([]string, bool, error) {
	a, ok, err := r.attr(n, name)
	if err != nil || !ok {
		return nil, false, err
	}
	count, _ := a.space.count()
	if count == 0 {
		return []string{}, true, nil
	}
	if !a.typ.isString() || len(a.space.dims) != 1 {
		return nil, false, malformed("attribute %s is not a string array", name)
	}
	out := make([]string, count)
	if err := r.decodeStrings(a.typ, a.data, out); err != nil {
		return nil, false, at("attribute "+name, err)
	}
	return out, true, nil
}

// decodeStrings decodes len(out) string elements of type t from b.
func (r *reader) decodeStrings(t *rdType, b []byte, out []string) error {
	if uint64(len(b)) < uint64(len(out))*t.size {
		return malformed("string data is truncated")
	}
	if t.class == classFixedString {
		for i := range out {
			s := b[uint64(i)*t.size : uint64(i+1)*t.size]
			switch t.pad {
			case stringPadNullTerm:
				if j := bytes.IndexByte(s, 0); j >= 0 {
					s = s[:j]
				}
			case stringPadNullPad:
				s = bytes.TrimRight(s, "\x00")
			case stringPadSpacePad:
				s = bytes.TrimRight(s, " ")
			}
			out[i] = string(s)
		}
		return nil
	}
	d := r.decoder(b)
	for i := range out {
		n := uint64(d.u32())
		addr := d.addr()
		index := d.u32()
		if d.err != nil {
			return malformed("string data is truncated")
		}
		if n == 0 {
			out[i] = ""
			continue
		}
		obj, err := r.heapObject(addr, index)
		if err != nil {
			return err
		}
		if n > uint64(len(obj)) {
			return malformed("string of %d bytes in a global heap object of %d", n, len(obj))
		}
		if err := r.charge(n); err != nil {
			return err
		}
		out[i] = string(obj[:n])
	}
	return nil
}

// heapObject returns object index of the global heap collection at addr.
func (r *reader) heapObject(addr uint64, index uint32) ([]byte, error) {
	c, ok := r.heaps[addr]
	if !ok {
		hdrSize := uint64(8 + r.lenSize)
		hdr, err := r.read(addr, hdrSize)
		if err != nil {
			return nil, err
		}
		d := r.decoder(hdr)
		d.signature("GCOL")
		version := d.u8()
		d.skip(3)
		size := d.length()
		if d.err != nil || version != 1 || size < hdrSize {
			return nil, malformed("no global heap collection at address %d", addr)
		}
		buf, err := r.read(addr, size)
		if err != nil {
			return nil, err
		}
		c = map[uint32][]byte{}
		d = r.decoder(buf[hdrSize:])
		for d.remaining() >= 8+r.lenSize {
			id := d.u16()
			d.skip(2 + 4) // reference count, reserved
			n := d.length()
			if id == 0 {
				break // free space
			}
			if n > uint64(d.remaining()) {
				return nil, malformed("global heap object %d at %d overruns its collection", id, addr)
			}
			c[uint32(id)] = d.take(int(n))
			d.skip(min(pad8(int(n))-int(n), d.remaining()))
		}
		r.heaps[addr] = c
	}
	obj, ok := c[index]
	if !ok {
		return nil, malformed("global heap collection at %d has no object %d", addr, index)
	}
	return obj, nil
}

// checkStorage checks that dataset n stores all its elements and returns
// their number.
func (r *reader) checkStorage(n *rdNode) (int, error) {
	count, ok := n.space.count()
	if !ok || count > math.MaxUint64/n.typ.size {
		return 0, malformed("dataset shape %v overflows", n.space.dims)
	}
	total := count * n.typ.size
	switch {
	case total == 0:
		return 0, nil
	case n.compact != nil:
		if total > uint64(len(n.compact)) {
			return 0, malformed("compact dataset holds %d bytes, its shape needs %d", len(n.compact), total)
		}
	case n.addr == undefAddr:
		return 0, malformed("dataset of %d elements has no storage allocated", count)
	case total > n.size || total > r.size:
		return 0, malformed("dataset holds %d bytes, its shape needs %d", n.size, total)
	}
	return int(count), nil
}

// elements calls fn with the raw bytes of dataset n in pieces of whole
// elements, first being the index of the piece's first element.
func (r *reader) elements(n *rdNode, fn func(first int, b []byte)) error {
	count, err := r.checkStorage(n)
	if err != nil || count == 0 {
		return err
	}
	total := uint64(count) * n.typ.size
	if n.compact != nil {
		fn(0, n.compact[:total])
		return nil
	}
	chunk := max(n.typ.size, readChunk/n.typ.size*n.typ.size)
	for off := uint64(0); off < total; off += chunk {
		m := min(chunk, total-off)
		if n.addr > math.MaxUint64-off {
			return malformed("dataset address %d is out of range", n.addr)
		}
		b, err := r.read(n.addr+off, m)
		if err != nil {
			return err
		}
		fn(int(off/n.typ.size), b)
	}
	return nil
}

// groupLinks returns the members of symbol-table group g by name.
func (r *reader) groupLinks(g *rdNode) (map[string]uint64, error) {
	heap, err := r.localHeap(g.heap)
	if err != nil {
		return nil, err
	}
	links := map[string]uint64{}
	seen := map[uint64]bool{}
	var walk func(addr uint64, level int) error
	walk = func(addr uint64, level int) error {
		if seen[addr] {
			return malformed("group B-tree node at %d is reached twice", addr)
		}
		seen[addr] = true
		head, err := r.read(addr, uint64(8+2*r.offSize))
		if err != nil {
			return err
		}
		d := r.decoder(head)
		d.signature("TREE")
		typ := d.u8()
		nodeLevel := int(d.u8())
		entries := int(d.u16())
		if d.err != nil || typ != 0 || (level >= 0 && nodeLevel != level) {
			return malformed("no group B-tree node at %d", addr)
		}
		body, err := r.read(addr+uint64(len(head)), uint64(entries*(r.lenSize+r.offSize)+r.lenSize))
		if err != nil {
			return err
		}
		d = r.decoder(body)
		children := make([]uint64, entries)
		for i := range children {
			d.skip(r.lenSize) // key
			children[i] = d.addr()
		}
		for _, c := range children {
			if nodeLevel > 0 {
				err = walk(c, nodeLevel-1)
			} else {
				err = r.symbolNode(c, heap, links, seen)
			}
			if err != nil {
				return err
			}
		}
		return nil
	}
	if err := walk(g.btree, -1); err != nil {
		return nil, err
	}
	return links, nil
}

// symbolNode adds the entries of the symbol-table node at addr to links,
// reading names from the group's local heap.
func (r *reader) symbolNode(addr uint64, heap []byte, links map[string]uint64, seen map[uint64]bool) error {
	if seen[addr] {
		return malformed("symbol table node at %d is reached twice", addr)
	}
	seen[addr] = true
	head, err := r.read(addr, 8)
	if err != nil {
		return err
	}
	d := r.decoder(head)
	d.signature("SNOD")
	version := d.u8()
	d.skip(1)
	count := int(d.u16())
	if d.err != nil || version != 1 {
		return malformed("no symbol table node at %d", addr)
	}
	entrySize := 2*r.offSize + 24
	body, err := r.read(addr+8, uint64(count*entrySize))
	if err != nil {
		return err
	}
	d = r.decoder(body)
	for range count {
		nameOff := d.addr()
		header := d.addr()
		d.skip(24) // cache type, reserved, scratch pad
		if nameOff >= uint64(len(heap)) {
			return malformed("link name offset %d is outside the local heap", nameOff)
		}
		end := bytes.IndexByte(heap[nameOff:], 0)
		if end < 0 {
			return malformed("link name at %d is not terminated", nameOff)
		}
		name := string(heap[nameOff : nameOff+uint64(end)])
		if header == undefAddr {
			return at(name, unsupported("a soft link"))
		}
		if _, dup := links[name]; dup {
			return malformed("group has two links called %q", name)
		}
		links[name] = header
	}
	return nil
}

// localHeap returns the data segment of the local heap at addr.
func (r *reader) localHeap(addr uint64) ([]byte, error) {
	buf, err := r.read(addr, uint64(8+2*r.lenSize+r.offSize))
	if err != nil {
		return nil, err
	}
	d := r.decoder(buf)
	d.signature("HEAP")
	version := d.u8()
	d.skip(3)
	size := d.length()
	d.skip(r.lenSize) // free list head
	data := d.addr()
	if d.err != nil || version != 0 {
		return nil, malformed("no local heap at address %d", addr)
	}
	return r.read(data, size)
}
