package hdf5

import (
	"fmt"
	"math"
)

// Data layout classes.
const (
	LayoutCompact    = 0
	LayoutContiguous = 1
	LayoutChunked    = 2
)

// readChunk is the size of the pieces raw data is read in.
const readChunk = 1 << 20

// Layout is a data layout message. Chunked layouts are recognised but
// their index is not decoded.
type Layout struct {
	Class int
	// Compact is the data of a compact layout.
	Compact []byte
	// Addr and Size locate the data of a contiguous layout.
	Addr, Size uint64
}

// ParseLayout decodes a data layout message body.
func (f *File) ParseLayout(b []byte) (Layout, error) {
	d := f.decoder(b)
	version := d.u8()
	class := d.u8()
	if d.err != nil {
		return Layout{}, fmt.Errorf("malformed HDF5 data layout: %w", d.err)
	}
	if version != 3 && version != 4 {
		return Layout{}, Unsupported("data layout message version %d", version)
	}
	l := Layout{Class: int(class)}
	switch class {
	case LayoutCompact:
		size := int(d.u16())
		l.Compact = d.take(size)
	case LayoutContiguous:
		l.Addr, l.Size = d.addr(), d.length()
	case LayoutChunked:
		return l, nil
	case 3:
		return Layout{}, Unsupported("a virtual dataset")
	default:
		return Layout{}, fmt.Errorf("malformed HDF5 data layout class %d", class)
	}
	if d.err != nil {
		return Layout{}, fmt.Errorf("malformed HDF5 data layout: %w", d.err)
	}
	return l, nil
}

// Dataset is a dataset with compact or contiguous storage.
type Dataset struct {
	Type   *Datatype
	Space  Dataspace
	Layout Layout
}

// Len checks that ds stores all its elements and returns their number.
func (f *File) Len(ds *Dataset) (int, error) {
	count, ok := ds.Space.Count()
	if !ok || count > math.MaxUint64/ds.Type.Size {
		return 0, fmt.Errorf("malformed HDF5 dataset: shape %v overflows", ds.Space.Dims)
	}
	total := count * ds.Type.Size
	l := ds.Layout
	switch {
	case total == 0:
		return 0, nil
	case l.Class == LayoutCompact:
		if total > uint64(len(l.Compact)) {
			return 0, fmt.Errorf("malformed HDF5 dataset: compact data holds %d bytes, its shape needs %d", len(l.Compact), total)
		}
	case l.Class != LayoutContiguous:
		return 0, Unsupported("HDF5 data layout class %d", l.Class)
	case l.Addr == Undefined:
		return 0, fmt.Errorf("malformed HDF5 dataset: %d elements and no storage allocated", count)
	case total > l.Size || total > f.size:
		return 0, fmt.Errorf("malformed HDF5 dataset: %d bytes stored, its shape needs %d", l.Size, total)
	}
	if count > math.MaxInt {
		return 0, fmt.Errorf("malformed HDF5 dataset: %d elements", count)
	}
	return int(count), nil
}

// Read calls fn with the raw bytes of dataset ds in pieces of whole
// elements, first being the index of the piece's first element.
func (f *File) Read(ds *Dataset, fn func(first int, b []byte)) error {
	count, err := f.Len(ds)
	if err != nil || count == 0 {
		return err
	}
	size := ds.Type.Size
	total := uint64(count) * size
	if ds.Layout.Class == LayoutCompact {
		fn(0, ds.Layout.Compact[:total])
		return nil
	}
	chunk := max(size, readChunk/size*size)
	for off := uint64(0); off < total; off += chunk {
		m := min(chunk, total-off)
		if ds.Layout.Addr > math.MaxUint64-off {
			return fmt.Errorf("malformed HDF5 dataset: address %d is out of range", ds.Layout.Addr)
		}
		b, err := f.read(ds.Layout.Addr+off, m)
		if err != nil {
			return err
		}
		fn(int(off/size), b)
	}
	return nil
}
