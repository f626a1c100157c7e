package hdf5

import (
	"bytes"
	"fmt"
)

// Link is a member of a group.
type Link struct {
	Name string
	// Addr is the object header address of a hard link's target; it is
	// Undefined for soft and external links, which are not followed.
	Addr uint64
}

// Hard reports whether l is a hard link to an object in the file.
func (l Link) Hard() bool { return l.Addr != Undefined }

// IsGroup reports whether o describes a group: it has a symbol table, link
// messages or link info.
func (o *Object) IsGroup() bool {
	for _, m := range o.Messages {
		switch m.Type {
		case MsgSymbolTable, MsgLinkInfo, MsgLink:
			return true
		}
	}
	return false
}

// SymbolTable decodes a symbol table message: the addresses of the
// group's v1 B-tree and local heap.
func (f *File) SymbolTable(m Message) (btree, heap uint64, err error) {
	d := f.decoder(m.Data)
	btree, heap = d.addr(), d.addr()
	if d.err != nil {
		return 0, 0, fmt.Errorf("malformed HDF5 symbol table message: %w", d.err)
	}
	return btree, heap, nil
}

// Links calls visit with each member of group o, wherever the group keeps
// them (symbol table, link messages or dense link storage), until visit
// returns true.
func (f *File) Links(o *Object, visit func(Link) (bool, error)) error {
	for _, m := range o.Messages {
		var stop bool
		var err error
		switch m.Type {
		case MsgLink:
			var l Link
			if l, err = f.parseLink(m.Data); err == nil {
				stop, err = visit(l)
			}
		case MsgSymbolTable:
			stop, err = f.symbolTableLinks(m, visit)
		case MsgLinkInfo:
			stop, err = f.denseLinks(m, visit)
		}
		if stop || err != nil {
			return err
		}
	}
	return nil
}

// Lookup returns the member called name of group o.
func (f *File) Lookup(o *Object, name string) (Link, error) {
	var found Link
	ok := false
	err := f.Links(o, func(l Link) (bool, error) {
		if l.Name == name {
			found, ok = l, true
		}
		return ok, nil
	})
	if err != nil {
		return Link{}, err
	}
	if !ok {
		return Link{}, fmt.Errorf("no member %q", name)
	}
	return found, nil
}

// symbolTableLinks visits the members of a symbol-table group.
func (f *File) symbolTableLinks(m Message, visit func(Link) (bool, error)) (bool, error) {
	btree, heap, err := f.SymbolTable(m)
	if err != nil {
		return false, err
	}
	names, err := f.localHeap(heap)
	if err != nil {
		return false, err
	}
	return f.walkGroupBTree(btree, -1, 0, map[uint64]bool{}, func(nameOff, addr uint64) (bool, error) {
		if nameOff >= uint64(len(names)) {
			return false, fmt.Errorf("malformed HDF5 group: link name offset %d is outside the local heap", nameOff)
		}
		s := names[nameOff:]
		end := bytes.IndexByte(s, 0)
		if end < 0 {
			return false, fmt.Errorf("malformed HDF5 group: link name at %d is not terminated", nameOff)
		}
		return visit(Link{Name: string(s[:end]), Addr: addr})
	})
}

// denseLinks visits the members of a group that keeps its links in a
// fractal heap, as its link info message m says; it visits none when the
// links are link messages instead.
func (f *File) denseLinks(m Message, visit func(Link) (bool, error)) (bool, error) {
	d := f.decoder(m.Data)
	d.skip(1) // version
	if flags := d.u8(); flags&0x01 != 0 {
		d.skip(8) // maximum creation index
	}
	heap, nameIndex := d.addr(), d.addr()
	if d.err != nil {
		return false, fmt.Errorf("malformed HDF5 link info message: %w", d.err)
	}
	if heap == Undefined {
		return false, nil
	}
	stop := false
	err := f.denseObjects(heap, nameIndex, func(obj []byte) (bool, error) {
		l, err := f.parseLink(obj)
		if err != nil {
			return false, err
		}
		stop, err = visit(l)
		return stop, err
	})
	return stop, err
}

// parseLink decodes a link message.
func (f *File) parseLink(b []byte) (Link, error) {
	d := f.decoder(b)
	if v := d.u8(); v != 1 && d.err == nil {
		return Link{}, Unsupported("HDF5 link message version %d", v)
	}
	flags := d.u8()
	linkType := uint8(0)
	if flags&0x08 != 0 {
		linkType = d.u8()
	}
	if flags&0x04 != 0 {
		d.skip(8) // creation order
	}
	if flags&0x10 != 0 {
		d.skip(1) // name character set
	}
	n := d.uint(1 << (flags & 0x03))
	if d.err == nil && n > uint64(d.remaining()) {
		return Link{}, fmt.Errorf("malformed HDF5 link message: name of %d bytes", n)
	}
	l := Link{Name: string(d.take(int(n))), Addr: Undefined}
	if linkType == 0 {
		l.Addr = d.addr() // soft and external links are not followed
	}
	if d.err != nil {
		return Link{}, fmt.Errorf("malformed HDF5 link message: %w", d.err)
	}
	return l, nil
}
