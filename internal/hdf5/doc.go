// Package hdf5 reads HDF5 files: a pure-Go, read-only decoder of the parts
// of the format that AnnData (.h5ad) files use.
//
// It locates superblocks of versions 0 to 3 (also after a user block),
// reads object headers of versions 1 and 2 with their continuation blocks,
// and follows groups stored as symbol tables (v1 B-tree, symbol-table nodes
// and local heap), as link messages, or densely (fractal heap indexed by a
// v2 B-tree). Attributes are found in object headers or in dense storage;
// datatypes (fixed-point, IEEE float, strings, with enums recognised),
// dataspaces and data layouts are decoded, as are compact and contiguous
// dataset data and variable-length strings in global heaps.
//
// The input is treated as hostile: every structure is bounds-checked
// against the file size, the number of reads and the bytes read are capped
// by Limits, recursion and cycles (B-trees, fractal heaps, object header
// continuations) are bounded, and malformed files yield errors, never
// panics or unbounded allocations. Well-formed files using parts of the
// format the reader lacks yield errors matching errors.ErrUnsupported.
package hdf5
