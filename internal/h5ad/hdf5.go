package h5ad

import (
	"bufio"
	"errors"
	"fmt"
	"io"
	"math"
	"sort"
	"strings"
)

// This file holds the in-memory tree of groups, datasets and attributes
// and lays it out as an HDF5 file. Layout runs in two passes: plan gives
// every structure an address (sizes never depend on addresses), then write
// encodes the structures in address order. The file is, in order: the
// superblock, every group's and dataset's metadata, the global heap
// collections holding variable-length strings, and the raw dataset data.

// value is the content of a dataset or attribute: a datatype, a shape (nil
// for a scalar) and the elements, either as little-endian bytes (raw) or,
// for stringType, as strings.
type value struct {
	typ  dtype
	dims []uint64
	raw  []byte
	strs []string

	refs []heapRef // global heap IDs of strs, assigned by plan
}

// count is the number of elements of v.
func (v *value) count() uint64 {
	n := uint64(1)
	for _, d := range v.dims {
		n *= d
	}
	return n
}

// bytes returns the elements as stored in the file; string elements become
// a length and a global heap ID each. With nil heaps the result has the
// right size but no heap addresses, which is all planning needs.
func (v *value) bytes(heaps []*heapCollection) []byte {
	if v.typ.class != classVarLen {
		return v.raw
	}
	b := make([]byte, 0, 16*len(v.strs))
	for i, s := range v.strs {
		r := v.refs[i]
		var addr uint64 // nil heaps: sizing only
		if heaps != nil {
			addr = heaps[r.collection].addr
		}
		b = le.AppendUint32(b, uint32(len(s)))
		b = le.AppendUint64(b, addr)
		b = le.AppendUint32(b, uint32(r.index))
	}
	return b
}

// attribute is a named value attached to a group or dataset.
type attribute struct {
	name string
	val  *value
}

// node is the part shared by groups and datasets.
type node struct {
	attrs  []attribute
	header uint64 // object header address, assigned by plan
}

// setAttr attaches a value under name, replacing an attribute of that name.
func (n *node) setAttr(name string, v *value) {
	for i := range n.attrs {
		if n.attrs[i].name == name {
			n.attrs[i].val = v
			return
		}
	}
	n.attrs = append(n.attrs, attribute{name: name, val: v})
}

// attrMessages returns the attribute messages of n.
func (n *node) attrMessages(heaps []*heapCollection) []message {
	msgs := make([]message, 0, len(n.attrs))
	for _, a := range n.attrs {
		body := encodeAttribute(a.name, a.val.typ, a.val.dims, a.val.bytes(heaps))
		msgs = append(msgs, message{typ: msgAttribute, body: body})
	}
	return msgs
}

// group is an HDF5 group stored as a symbol table.
type group struct {
	node
	links map[string]any // *group or *dataset

	// assigned by plan
	btree, heapHeader, heapData uint64
}

// dataset is a contiguous HDF5 dataset.
type dataset struct {
	node
	val  *value
	data uint64 // raw data address, assigned by plan
}

func newGroup() *group { return &group{links: map[string]any{}} }

// checkName rejects names HDF5 links cannot carry.
func (g *group) checkName(name string) error {
	switch {
	case name == "" || name == "." || strings.ContainsAny(name, "/\x00"):
		return fmt.Errorf("invalid HDF5 link name %q", name)
	case g.links[name] != nil:
		return fmt.Errorf("duplicate HDF5 link name %q", name)
	}
	return nil
}

// group adds and returns an empty child group.
func (g *group) group(name string) (*group, error) {
	if err := g.checkName(name); err != nil {
		return nil, err
	}
	c := newGroup()
	g.links[name] = c
	return c, nil
}

// dataset adds and returns a child dataset holding v.
func (g *group) dataset(name string, v *value) (*dataset, error) {
	if err := g.checkName(name); err != nil {
		return nil, err
	}
	d := &dataset{val: v}
	g.links[name] = d
	return d, nil
}

func (g *group) messages(heaps []*heapCollection) []message {
	msgs := []message{{typ: msgSymbolTable, body: encodeSymbolTableMessage(g.btree, g.heapHeader)}}
	return append(msgs, g.attrMessages(heaps)...)
}

func (d *dataset) messages(heaps []*heapCollection) []message {
	v := d.val
	size := v.count() * uint64(v.typ.size)
	msgs := []message{
		{typ: msgDataspace, body: encodeDataspace(v.dims)},
		{typ: msgDatatype, flags: messageConstant, body: v.typ.encode()},
		{typ: msgFillValue, flags: messageConstant, body: encodeFillValue()},
		{typ: msgLayout, body: encodeContiguousLayout(d.data, size)},
	}
	return append(msgs, d.attrMessages(heaps)...)
}

// heapRef identifies a string object in a global heap collection.
type heapRef struct {
	collection int
	index      uint16
}

// heapCollection is one global heap collection.
type heapCollection struct {
	objs []string
	used uint64 // header plus objects so far
	addr uint64
}

// size is the collection's on-disk size.
func (c *heapCollection) size() uint64 { return max(c.used, globalHeapMinSize) }

// maxCollectionSize bounds a collection (unless one object is larger), so
// that readers load strings in moderate pieces.
const maxCollectionSize = 1 << 20

// block is one encoded structure of the file, written at addr.
type block struct {
	addr   uint64
	size   uint64
	encode func() []byte
}

// layout assigns addresses and collects the blocks of a file.
type layout struct {
	next     uint64
	blocks   []block
	heaps    []*heapCollection
	datasets []*dataset
}

// alloc reserves size bytes (rounded up to eight) for a structure that
// encode produces at write time.
func (l *layout) alloc(size uint64, encode func() []byte) uint64 {
	addr := l.next
	l.blocks = append(l.blocks, block{addr: addr, size: size, encode: encode})
	l.next += pad8(size)
	return addr
}

// addStrings stores v's strings in the global heap.
func (l *layout) addStrings(v *value) {
	if v.typ.class != classVarLen {
		return
	}
	v.refs = make([]heapRef, len(v.strs))
	for i, s := range v.strs {
		need := globalHeapObjHdr + pad8(uint64(len(s)))
		var c *heapCollection
		if n := len(l.heaps); n > 0 {
			c = l.heaps[n-1]
		}
		if c == nil || len(c.objs) == 0xFFFF || (c.used+need > maxCollectionSize && len(c.objs) > 0) {
			c = &heapCollection{used: globalHeapHdrSize}
			l.heaps = append(l.heaps, c)
		}
		c.objs = append(c.objs, s)
		c.used += need
		v.refs[i] = heapRef{collection: len(l.heaps) - 1, index: uint16(len(c.objs))}
	}
}

// planHeader places the object header of n, made of the messages msgs
// returns; msgs is called again with the global heaps at write time.
func (l *layout) planHeader(n *node, msgs func(heaps []*heapCollection) []message) error {
	for _, a := range n.attrs {
		l.addStrings(a.val)
	}
	sizing := msgs(nil)
	for _, m := range sizing {
		if pad8(len(m.body)) > math.MaxUint16 {
			return fmt.Errorf("object header message of %d bytes exceeds the 64 KiB limit", len(m.body))
		}
	}
	n.header = l.alloc(objectHeaderSize(sizing), func() []byte {
		return encodeObjectHeader(msgs(l.heaps))
	})
	return nil
}

// planDataset places a dataset's object header; its raw data is placed
// after all metadata.
func (l *layout) planDataset(d *dataset) error {
	l.addStrings(d.val)
	l.datasets = append(l.datasets, d)
	return l.planHeader(&d.node, d.messages)
}

// planGroup places a group's object header, local heap, symbol-table nodes
// and B-tree, then its children.
func (l *layout) planGroup(g *group) error {
	if err := l.planHeader(&g.node, g.messages); err != nil {
		return err
	}

	// Names sorted bytewise, as the B-tree requires; the heap starts
	// with the empty name.
	names := make([]string, 0, len(g.links))
	for name := range g.links {
		names = append(names, name)
	}
	sort.Strings(names)
	heap := make([]byte, 8)
	offsets := make([]uint64, len(names))
	for i, name := range names {
		offsets[i] = uint64(len(heap))
		heap = appendPadded(heap, append([]byte(name), 0))
	}
	g.heapHeader = l.alloc(localHeapHeaderSize, func() []byte {
		return encodeLocalHeapHeader(uint64(len(heap)), g.heapData)
	})
	g.heapData = l.alloc(uint64(len(heap)), func() []byte { return heap })

	// Symbol-table nodes of up to 2*leafK names each, under a B-tree.
	var entries []btreeEntry
	for start := 0; start < len(names); start += 2 * leafK {
		end := min(start+2*leafK, len(names))
		syms := make([]symbol, end-start)
		targets := make([]any, end-start)
		for i := range syms {
			syms[i].nameOffset = offsets[start+i]
			targets[i] = g.links[names[start+i]]
		}
		addr := l.alloc(snodSize, func() []byte {
			for i, t := range targets {
				syms[i].header = headerOf(t)
			}
			return encodeSymbolNode(syms)
		})
		entries = append(entries, btreeEntry{child: addr, maxKey: offsets[end-1]})
	}
	g.btree = l.planBTree(entries)

	for _, name := range names {
		var err error
		switch c := g.links[name].(type) {
		case *group:
			err = l.planGroup(c)
		case *dataset:
			err = l.planDataset(c)
		}
		if err != nil {
			return fmt.Errorf("%s: %w", name, err)
		}
	}
	return nil
}

// headerOf returns the object header address of a link target.
func headerOf(t any) uint64 {
	switch c := t.(type) {
	case *group:
		return c.header
	case *dataset:
		return c.header
	}
	return undefAddr
}

// btreeEntry is a child of a B-tree node with the heap offset of the
// greatest name below it.
type btreeEntry struct {
	child  uint64
	maxKey uint64
}

// planBTree places the B-tree over the given symbol-table nodes, adding
// levels until one node holds everything, and returns the root address.
// An empty group gets a single empty leaf node.
func (l *layout) planBTree(entries []btreeEntry) uint64 {
	const fanout = 2 * internalK
	for level := uint8(0); ; level++ {
		count := max(1, (len(entries)+fanout-1)/fanout)
		nodes := make([]*btreeNode, count)
		parents := make([]btreeEntry, count)
		for i := range nodes {
			n := &btreeNode{level: level, left: undefAddr, right: undefAddr, keys: []uint64{0}}
			start, end := i*fanout, min((i+1)*fanout, len(entries))
			if start > 0 {
				n.keys[0] = entries[start-1].maxKey
			}
			for _, e := range entries[start:end] {
				n.children = append(n.children, e.child)
				n.keys = append(n.keys, e.maxKey)
			}
			n.addr = l.alloc(btreeNodeSize, n.encode)
			nodes[i] = n
			parents[i] = btreeEntry{child: n.addr, maxKey: n.keys[len(n.keys)-1]}
		}
		for i := 1; i < count; i++ {
			nodes[i-1].right = nodes[i].addr
			nodes[i].left = nodes[i-1].addr
		}
		if count == 1 {
			return nodes[0].addr
		}
		entries = parents
	}
}

// writeFile lays out the tree rooted at root and writes it to w.
func writeFile(w io.Writer, root *group) error {
	l := &layout{next: superblockSize}
	if err := l.planGroup(root); err != nil {
		return err
	}
	for _, c := range l.heaps {
		c.addr = l.alloc(c.size(), func() []byte { return encodeGlobalHeap(c.size(), c.objs) })
	}
	for _, d := range l.datasets {
		size := d.val.count() * uint64(d.val.typ.size)
		if size == 0 {
			d.data = undefAddr
			continue
		}
		d.data = l.alloc(size, func() []byte { return d.val.bytes(l.heaps) })
	}
	eof := l.next

	bw := bufio.NewWriterSize(w, 1<<16)
	sb := encodeSuperblock(eof, root.header, root.btree, root.heapHeader)
	if _, err := bw.Write(sb); err != nil {
		return err
	}
	pos := uint64(len(sb))
	for _, b := range l.blocks {
		if b.addr < pos {
			return errors.New("hdf5 layout: overlapping blocks")
		}
		if _, err := bw.Write(make([]byte, b.addr-pos)); err != nil {
			return err
		}
		data := b.encode()
		if uint64(len(data)) != b.size {
			return fmt.Errorf("hdf5 layout: block at %d encoded to %d bytes, planned %d", b.addr, len(data), b.size)
		}
		if _, err := bw.Write(data); err != nil {
			return err
		}
		pos = b.addr + b.size
	}
	if _, err := bw.Write(make([]byte, eof-pos)); err != nil {
		return err
	}
	return bw.Flush()
}
