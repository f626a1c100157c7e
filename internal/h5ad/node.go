package h5ad

import (
	"errors"
	"fmt"
	"io"

	"github.com/lamin-go/lamin/internal/hdf5"
)

// This file takes an AnnData file's HDF5 structures from internal/hdf5 and
// holds them to the subset the reader accepts. The HDF5 reader bounds every
// structure by the file size and caps the reads; here the bytes read are
// capped at a small multiple of the file size.

// reader reads the objects of an HDF5 file.
type reader struct {
	f *hdf5.File
}

// openReader checks the superblock and returns a reader and the address
// of the root group's object header.
func openReader(ra io.ReaderAt, size int64) (*reader, uint64, error) {
	if size < 0 {
		return nil, 0, errors.New("negative file size")
	}
	f, err := hdf5.Open(ra, size, hdf5.Limits{Reads: 1 << 20, Bytes: 4*uint64(size) + 1<<20})
	if err != nil {
		return nil, 0, err
	}
	sb := f.Superblock
	switch {
	case sb.Version > 1:
		return nil, 0, unsupported("HDF5 superblock version %d", sb.Version)
	case sb.Driver != hdf5.Undefined:
		return nil, 0, unsupported("an HDF5 file driver information block")
	case sb.EOF == hdf5.Undefined || sb.EOF > f.Size()-sb.Base:
		return nil, 0, fmt.Errorf("file is truncated: it has %d bytes, its superblock records %d", size, sb.EOF)
	}
	return &reader{f: f}, sb.Root, nil
}

// rdNode is an object: a group or a dataset, with its attributes.
type rdNode struct {
	hdf5.Dataset
	obj     *hdf5.Object
	attrs   map[string]*hdf5.Attribute // by name
	isGroup bool
}

// node reads the object header at addr.
func (r *reader) node(addr uint64) (*rdNode, error) {
	o, err := r.f.Object(addr)
	if err != nil {
		return nil, err
	}
	if o.Version != 1 {
		return nil, unsupported("a version 2 object header")
	}
	n := &rdNode{obj: o, attrs: map[string]*hdf5.Attribute{}}
	var hasType, hasSpace, hasLayout, filtered bool
	for _, m := range o.Messages {
		switch m.Type {
		case hdf5.MsgSymbolTable:
			if _, _, err := r.f.SymbolTable(m); err != nil {
				return nil, err
			}
			n.isGroup = true
		case hdf5.MsgLinkInfo, hdf5.MsgLink:
			return nil, unsupported("a group with link messages (HDF5 1.8 link storage)")
		case hdf5.MsgDataspace, hdf5.MsgDatatype, hdf5.MsgLayout:
			if m.Shared() {
				return nil, unsupported("a shared object header message")
			}
			switch m.Type {
			case hdf5.MsgDataspace:
				n.Space, err = r.f.ParseDataspace(m.Data)
				hasSpace = true
			case hdf5.MsgDatatype:
				n.Type, err = r.f.ParseDatatype(m.Data)
				hasType = true
			case hdf5.MsgLayout:
				n.Layout, err = r.f.ParseLayout(m.Data)
				hasLayout = true
			}
			if err != nil {
				return nil, err
			}
		case hdf5.MsgExternalFiles:
			return nil, unsupported("external dataset storage")
		case hdf5.MsgFilterPipeline:
			filtered = true
		case hdf5.MsgAttributeInfo:
			heap, _, err := r.f.AttributeInfo(m)
			if err != nil {
				return nil, err
			}
			if heap != hdf5.Undefined {
				return nil, unsupported("dense attribute storage")
			}
		case hdf5.MsgAttribute:
			if m.Shared() {
				return nil, unsupported("a shared attribute message")
			}
			a, err := r.f.ParseAttribute(m.Data)
			if err != nil {
				return nil, err
			}
			if a.Shared {
				return nil, unsupported("an attribute with a shared datatype or dataspace")
			}
			n.attrs[a.Name] = a
		}
	}
	switch {
	case filtered:
		return nil, unsupported("a filtered (compressed) dataset")
	case hasLayout && n.Layout.Class == hdf5.LayoutChunked:
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

// groupLinks returns the members of group g by name.
func (r *reader) groupLinks(g *rdNode) (map[string]uint64, error) {
	links := map[string]uint64{}
	err := r.f.Links(g.obj, func(l hdf5.Link) (bool, error) {
		if !l.Hard() {
			return false, at(l.Name, unsupported("a soft link"))
		}
		if _, dup := links[l.Name]; dup {
			return false, malformed("group has two links called %q", l.Name)
		}
		links[l.Name] = l.Addr
		return false, nil
	})
	if err != nil {
		return nil, err
	}
	return links, nil
}

// stringAttr returns the scalar string attribute called name of n.
func (r *reader) stringAttr(n *rdNode, name string) (string, bool, error) {
	a, ok := n.attrs[name]
	if !ok {
		return "", false, nil
	}
	t, space, data, err := r.f.Value(a)
	if err != nil {
		return "", false, err
	}
	if !t.IsString() || space.Null || len(space.Dims) != 0 {
		return "", false, malformed("attribute %s is not a string", name)
	}
	out := make([]string, 1)
	if err := r.f.DecodeStrings(t, data, out); err != nil {
		return "", false, at("attribute "+name, err)
	}
	return out[0], true, nil
}

// stringsAttr returns the string array attribute called name of n. An
// empty array of any type counts as an empty string array, since AnnData
// writes an empty column-order as a float array.
func (r *reader) stringsAttr(n *rdNode, name string) ([]string, bool, error) {
	a, ok := n.attrs[name]
	if !ok {
		return nil, false, nil
	}
	t, space, data, err := r.f.Value(a)
	if err != nil {
		return nil, false, err
	}
	count, _ := space.Count()
	if count == 0 {
		return []string{}, true, nil
	}
	if !t.IsString() || len(space.Dims) != 1 {
		return nil, false, malformed("attribute %s is not a string array", name)
	}
	out := make([]string, count)
	if err := r.f.DecodeStrings(t, data, out); err != nil {
		return nil, false, at("attribute "+name, err)
	}
	return out, true, nil
}
