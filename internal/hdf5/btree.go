package hdf5

import (
	"errors"
	"fmt"
	"math/bits"
)

// symbolVisitor is called with each entry of a symbol-table group: the
// offset of its name in the local heap and its object header address. It
// returns true to stop the walk.
type symbolVisitor func(nameOff, addr uint64) (bool, error)

// walkGroupBTree calls visit for each entry of the group v1 B-tree at addr
// until visit returns true, and reports whether it did. level is the level
// the node must have, or -1 for the root; seen holds the nodes visited so
// far, so that a B-tree that loops is caught.
func (f *File) walkGroupBTree(addr uint64, level, depth int, seen map[uint64]bool, visit symbolVisitor) (bool, error) {
	if depth > maxDepth {
		return false, errors.New("HDF5 B-tree too deep")
	}
	if seen[addr] {
		return false, fmt.Errorf("malformed HDF5 group: B-tree node at %d is reached twice", addr)
	}
	seen[addr] = true
	head, err := f.read(addr, uint64(8+2*f.offSize))
	if err != nil {
		return false, err
	}
	d := f.decoder(head)
	d.signature("TREE")
	nodeType := d.u8()
	nodeLevel := int(d.u8())
	entries := int(d.u16())
	if d.err != nil {
		return false, fmt.Errorf("malformed HDF5 B-tree node: %w", d.err)
	}
	if nodeType != 0 {
		return false, fmt.Errorf("HDF5 B-tree node of type %d in a group", nodeType)
	}
	if level >= 0 && nodeLevel != level {
		return false, fmt.Errorf("HDF5 B-tree node at level %d, expected %d", nodeLevel, level)
	}
	body, err := f.read(addr+uint64(len(head)), uint64((entries+1)*f.lenSize+entries*f.offSize))
	if err != nil {
		return false, err
	}
	d = f.decoder(body)
	children := make([]uint64, entries)
	for i := range children {
		d.skip(f.lenSize) // key
		children[i] = d.addr()
	}
	if d.err != nil {
		return false, fmt.Errorf("malformed HDF5 B-tree node: %w", d.err)
	}
	for _, c := range children {
		var stop bool
		if nodeLevel > 0 {
			stop, err = f.walkGroupBTree(c, nodeLevel-1, depth+1, seen, visit)
		} else {
			stop, err = f.walkSymbolNode(c, seen, visit)
		}
		if stop || err != nil {
			return stop, err
		}
	}
	return false, nil
}

// walkSymbolNode visits the entries of the symbol table node at addr until
// visit returns true, and reports whether it did.
func (f *File) walkSymbolNode(addr uint64, seen map[uint64]bool, visit symbolVisitor) (bool, error) {
	if seen[addr] {
		return false, fmt.Errorf("malformed HDF5 group: symbol table node at %d is reached twice", addr)
	}
	seen[addr] = true
	head, err := f.read(addr, 8)
	if err != nil {
		return false, err
	}
	d := f.decoder(head)
	d.signature("SNOD")
	version := d.u8()
	d.skip(1) // reserved
	n := int(d.u16())
	if d.err != nil {
		return false, fmt.Errorf("malformed HDF5 symbol table node: %w", d.err)
	}
	if version != 1 {
		return false, fmt.Errorf("malformed HDF5 symbol table node at %d: version %d", addr, version)
	}
	entrySize := 2*f.offSize + 24
	body, err := f.read(addr+8, uint64(n*entrySize))
	if err != nil {
		return false, err
	}
	d = f.decoder(body)
	for range n {
		nameOff := d.uint(f.offSize)
		obj := d.addr()
		d.skip(24) // cache type, reserved, scratch pad
		if d.err != nil {
			return false, fmt.Errorf("malformed HDF5 symbol table node: %w", d.err)
		}
		if stop, err := visit(nameOff, obj); stop || err != nil {
			return stop, err
		}
	}
	return false, nil
}

// v2 B-tree record types of dense link and attribute storage.
const (
	btreeLinkName      = 5
	btreeLinkOrder     = 6
	btreeAttributeName = 8
	btreeAttrOrder     = 9
)

// denseObjects calls visit with each object of the fractal heap at heapAddr
// that the v2 B-tree at btreeAddr indexes, until visit returns true. Dense
// link and attribute storage keep their messages this way.
func (f *File) denseObjects(heapAddr, btreeAddr uint64, visit func(obj []byte) (bool, error)) error {
	fh, err := f.fractalHeap(heapAddr)
	if err != nil {
		return err
	}
	bt, err := f.btree2(btreeAddr)
	if err != nil {
		return err
	}
	var idOff int
	switch bt.typ {
	case btreeLinkName: // hash, heap ID
		idOff = 4
	case btreeLinkOrder: // creation order, heap ID
		idOff = 8
	case btreeAttributeName, btreeAttrOrder: // heap ID first
		idOff = 0
	default:
		return Unsupported("an HDF5 v2 B-tree of type %d", bt.typ)
	}
	attrs := bt.typ == btreeAttributeName || bt.typ == btreeAttrOrder
	if idOff+fh.idLen+btoi(attrs) > bt.recSize {
		return errors.New("malformed HDF5 v2 B-tree records")
	}
	_, err = bt.walk(bt.root, bt.depth, bt.rootRecs, 0, func(rec []byte) (bool, error) {
		if attrs && rec[fh.idLen]&MsgFlagShared != 0 {
			return false, Unsupported("a shared HDF5 attribute")
		}
		obj, err := fh.object(rec[idOff : idOff+fh.idLen])
		if err != nil {
			return false, err
		}
		return visit(obj)
	})
	return err
}

func btoi(b bool) int {
	if b {
		return 1
	}
	return 0
}

// btree2 is the header of a version 2 B-tree.
type btree2 struct {
	f          *File
	typ        uint8
	nodeSize   int
	recSize    int
	depth      int
	root       uint64
	rootRecs   int
	nrecBytes  int   // bytes of a child's record count in internal nodes
	totalBytes []int // per depth, bytes of a child's total record count
}

func (f *File) btree2(addr uint64) (*btree2, error) {
	buf, err := f.read(addr, uint64(4+1+1+4+2+2+1+1+f.offSize+2+f.lenSize))
	if err != nil {
		return nil, err
	}
	d := f.decoder(buf)
	d.signature("BTHD")
	if v := d.u8(); v != 0 && d.err == nil {
		return nil, Unsupported("HDF5 v2 B-tree version %d", v)
	}
	bt := &btree2{f: f}
	bt.typ = d.u8()
	bt.nodeSize = int(d.u32())
	bt.recSize = int(d.u16())
	bt.depth = int(d.u16())
	d.skip(2) // split and merge percentages
	bt.root = d.addr()
	bt.rootRecs = int(d.u16())
	if d.err != nil {
		return nil, fmt.Errorf("malformed HDF5 v2 B-tree: %w", d.err)
	}
	const prefix = 10 // signature, version, type, checksum
	if bt.recSize < 1 || bt.nodeSize <= prefix || bt.nodeSize > 64<<20 || bt.depth > maxDepth {
		return nil, errors.New("malformed HDF5 v2 B-tree parameters")
	}
	encSize := func(v uint64) int { return (bits.Len64(v)-1)/8 + 1 }
	leafMax := uint64((bt.nodeSize - prefix) / bt.recSize)
	if leafMax == 0 {
		return nil, errors.New("malformed HDF5 v2 B-tree parameters")
	}
	bt.nrecBytes = encSize(leafMax)
	bt.totalBytes = make([]int, bt.depth+1)
	cum := leafMax
	for u := 1; u <= bt.depth; u++ {
		ptr := f.offSize + bt.nrecBytes
		if u > 1 {
			ptr += bt.totalBytes[u-1]
		}
		if bt.nodeSize < prefix+ptr {
			return nil, errors.New("malformed HDF5 v2 B-tree parameters")
		}
		maxRecs := uint64((bt.nodeSize - (prefix + ptr)) / (bt.recSize + ptr))
		hi, lo := bits.Mul64(maxRecs+1, cum)
		if hi != 0 || lo+maxRecs < lo {
			return nil, errors.New("malformed HDF5 v2 B-tree parameters")
		}
		cum = lo + maxRecs
		bt.totalBytes[u] = encSize(cum)
	}
	return bt, nil
}

// walk visits the records of the node at addr, which is at the given depth
// (0 for leaves) and holds nrecs records, until visit returns true.
func (bt *btree2) walk(addr uint64, depth, nrecs, level int, visit func(rec []byte) (bool, error)) (bool, error) {
	f := bt.f
	if level > maxDepth {
		return false, errors.New("HDF5 v2 B-tree too deep")
	}
	buf, err := f.read(addr, uint64(bt.nodeSize))
	if err != nil {
		return false, err
	}
	d := f.decoder(buf)
	if depth == 0 {
		d.signature("BTLF")
	} else {
		d.signature("BTIN")
	}
	d.skip(1) // version
	if t := d.u8(); d.err == nil && t != bt.typ {
		return false, errors.New("HDF5 v2 B-tree node of the wrong type")
	}
	recs := d.take(nrecs * bt.recSize)
	if d.err != nil {
		return false, fmt.Errorf("malformed HDF5 v2 B-tree node: %w", d.err)
	}
	if depth == 0 {
		for i := range nrecs {
			if stop, err := visit(recs[i*bt.recSize : (i+1)*bt.recSize]); stop || err != nil {
				return stop, err
			}
		}
		return false, nil
	}
	type child struct {
		addr  uint64
		nrecs int
	}
	children := make([]child, nrecs+1)
	for i := range children {
		children[i].addr = d.addr()
		children[i].nrecs = int(d.uint(bt.nrecBytes))
		if depth > 1 {
			d.skip(bt.totalBytes[depth-1])
		}
	}
	if d.err != nil {
		return false, fmt.Errorf("malformed HDF5 v2 B-tree node: %w", d.err)
	}
	for i, c := range children {
		if stop, err := bt.walk(c.addr, depth-1, c.nrecs, level+1, visit); stop || err != nil {
			return stop, err
		}
		if i < nrecs {
			if stop, err := visit(recs[i*bt.recSize : (i+1)*bt.recSize]); stop || err != nil {
				return stop, err
			}
		}
	}
	return false, nil
}
