package dataformat

import (
	"bytes"
	"context"
	"encoding/binary"
	"errors"
	"fmt"
	"io"
	"math/bits"
)

// This file holds a small, read-only HDF5 metadata reader: just enough of
// the format to follow group links from the root to a dataset and read its
// dataspace, which is how the number of observations of an .h5ad file is
// found. It reads superblocks of versions 0 to 3, object headers of versions
// 1 and 2, symbol-table groups (v1 B-tree and local heap), compact and dense
// link storage (link messages, fractal heap and v2 B-tree), compact and
// dense attributes, and string attributes stored inline or in the global
// heap. Raw data is never read. Every structure is bounds-checked and the
// number of structures read is capped, so malformed files produce errors.

var hdf5Signature = []byte("\x89HDF\r\n\x1a\n")

// errHDF5Unsupported marks well-formed files that use parts of the format
// this reader does not implement.
var errHDF5Unsupported = errors.New("unsupported HDF5 feature")

var errHDF5Short = errors.New("HDF5 structure ends early")

const (
	undefinedAddr = ^uint64(0)

	maxHDF5Reads     = 1 << 16   // structures read while resolving one path
	maxHDF5Structure = 64 << 20  // largest single structure read
	maxHDF5Bytes     = 256 << 20 // bytes read while resolving one path
	maxBTreeDepth    = 32
)

// Object header message types used here.
const (
	msgDataspace    = 0x0001
	msgLinkInfo     = 0x0002
	msgLink         = 0x0006
	msgAttribute    = 0x000C
	msgContinuation = 0x0010
	msgSymbolTable  = 0x0011
	msgAttrInfo     = 0x0015
)

// h5adObservations returns the number of observations of the AnnData file
// at path: the length of the obs index, that is the first dimension of the
// dataset obs/<name> where <name> is the obs group's "_index" attribute
// ("_index" when absent). Files written before AnnData 0.7 store obs as a
// compound dataset with one element per observation; its length is used.
func h5adObservations(ctx context.Context, path string) (int64, error) {
	return countInFile(ctx, path, "reading", h5adObsCount)
}

// h5adObsCount is h5adObservations on an open file of the given size. A
// failure inside the reader (a panic) becomes an error.
func h5adObsCount(r io.ReaderAt, size int64) (n int64, err error) {
	defer func() {
		if p := recover(); p != nil {
			n, err = 0, fmt.Errorf("malformed HDF5 file (reader failure: %v)", p)
		}
	}()
	return h5adObsLen(r, size)
}

// h5adObsLen is h5adObsCount without the recover: the fuzz target calls it,
// so a panic on some input fails the target instead of passing as an error.
func h5adObsLen(r io.ReaderAt, size int64) (int64, error) {
	h, root, err := openHDF5(r, size)
	if err != nil {
		return 0, err
	}
	rootMsgs, err := h.objectHeader(root)
	if err != nil {
		return 0, err
	}
	obsAddr, err := h.child(rootMsgs, "obs")
	if err != nil {
		return 0, fmt.Errorf("finding obs: %w", err)
	}
	obsMsgs, err := h.objectHeader(obsAddr)
	if err != nil {
		return 0, err
	}
	if dims, ok, err := dataspaceDims(h, obsMsgs); err != nil {
		return 0, err
	} else if ok {
		return firstDim(dims, "obs")
	}
	index := "_index"
	if v, ok, err := h.stringAttribute(obsMsgs, "_index"); err != nil {
		return 0, fmt.Errorf("reading obs attribute _index: %w", err)
	} else if ok {
		index = v
	}
	idxAddr, err := h.child(obsMsgs, index)
	if err != nil {
		return 0, fmt.Errorf("finding obs/%s: %w", index, err)
	}
	idxMsgs, err := h.objectHeader(idxAddr)
	if err != nil {
		return 0, err
	}
	dims, ok, err := dataspaceDims(h, idxMsgs)
	if err != nil {
		return 0, err
	}
	if !ok {
		return 0, fmt.Errorf("obs/%s is not a dataset", index)
	}
	return firstDim(dims, "obs/"+index)
}

func firstDim(dims []uint64, name string) (int64, error) {
	if len(dims) == 0 {
		return 0, fmt.Errorf("%s is a scalar", name)
	}
	if dims[0] > 1<<62 {
		return 0, fmt.Errorf("%s has implausible length %d", name, dims[0])
	}
	return int64(dims[0]), nil
}

// hdf5File is an open HDF5 file.
type hdf5File struct {
	r       io.ReaderAt
	size    uint64
	base    uint64 // absolute position that file addresses are relative to
	offSize int    // bytes in a file address
	lenSize int    // bytes in a length
	reads   int    // structures read so far
	nread   uint64 // bytes read so far
}

// openHDF5 locates and parses the superblock and returns the address of
// the root group's object header.
func openHDF5(r io.ReaderAt, size int64) (*hdf5File, uint64, error) {
	if size < int64(len(hdf5Signature)) {
		return nil, 0, errors.New("not an HDF5 file")
	}
	h := &hdf5File{r: r, size: uint64(size)}
	// The superblock sits at 0 or, after a user block, at 512, 1024, 2048...
	var pos uint64
	for pos = 0; ; pos = max(512, pos*2) {
		if pos+uint64(len(hdf5Signature)) > h.size {
			return nil, 0, errors.New("not an HDF5 file")
		}
		sig, err := h.readAbs(pos, uint64(len(hdf5Signature)))
		if err != nil {
			return nil, 0, err
		}
		if bytes.Equal(sig, hdf5Signature) {
			break
		}
	}
	buf, err := h.readAbs(pos, min(h.size-pos, 256))
	if err != nil {
		return nil, 0, err
	}
	d := &hdf5Decoder{b: buf, off: len(hdf5Signature), h: h}
	version := d.u8()
	var root uint64
	switch version {
	case 0, 1:
		d.skip(3) // free-space, root symbol table entry and reserved versions
		d.skip(1) // shared header message format version
		h.offSize, h.lenSize = int(d.u8()), int(d.u8())
		d.skip(1 + 2 + 2 + 4) // reserved, group K values, consistency flags
		if version == 1 {
			d.skip(4) // indexed storage K and reserved
		}
		if err := h.checkSizes(); err != nil {
			return nil, 0, err
		}
		h.base = d.addr()
		d.skip(3 * h.offSize) // free-space info, end of file, driver info
		d.skip(h.offSize)     // root entry: link name offset
		root = d.addr()       // root entry: object header address
	case 2, 3:
		h.offSize, h.lenSize = int(d.u8()), int(d.u8())
		d.skip(1) // consistency flags
		if err := h.checkSizes(); err != nil {
			return nil, 0, err
		}
		h.base = d.addr()
		d.skip(2 * h.offSize) // superblock extension, end of file
		root = d.addr()
	default:
		if version < 16 && d.err == nil {
			return nil, 0, fmt.Errorf("%w: superblock version %d", errHDF5Unsupported, version)
		}
		return nil, 0, fmt.Errorf("malformed HDF5 superblock version %d", version)
	}
	if d.err != nil {
		return nil, 0, d.err
	}
	if h.base == undefinedAddr {
		return nil, 0, errors.New("undefined base address")
	}
	return h, root, nil
}

func (h *hdf5File) checkSizes() error {
	for _, s := range []int{h.offSize, h.lenSize} {
		switch s {
		case 2, 4, 8:
		case 16, 32:
			return fmt.Errorf("%w: %d-byte addresses or lengths", errHDF5Unsupported, s)
		default:
			return fmt.Errorf("malformed HDF5 superblock: %d-byte addresses or lengths", s)
		}
	}
	return nil
}

// readAbs reads n bytes at absolute file position pos.
func (h *hdf5File) readAbs(pos, n uint64) ([]byte, error) {
	h.reads++
	if h.reads > maxHDF5Reads {
		return nil, errors.New("too many HDF5 structures")
	}
	if n > maxHDF5Structure {
		return nil, fmt.Errorf("HDF5 structure of %d bytes is too large", n)
	}
	if pos > h.size || n > h.size-pos {
		return nil, fmt.Errorf("HDF5 structure at %d extends past the end of the file", pos)
	}
	h.nread += n
	if h.nread > maxHDF5Bytes {
		return nil, errors.New("too much HDF5 metadata")
	}
	buf := make([]byte, n)
	if m, err := h.r.ReadAt(buf, int64(pos)); m < len(buf) {
		if err == nil || err == io.EOF {
			err = io.ErrUnexpectedEOF
		}
		return nil, err
	}
	return buf, nil
}

// read reads n bytes at file address addr.
func (h *hdf5File) read(addr, n uint64) ([]byte, error) {
	if addr == undefinedAddr {
		return nil, errors.New("undefined HDF5 address")
	}
	pos := h.base + addr
	if pos < h.base {
		return nil, fmt.Errorf("HDF5 address %d out of range", addr)
	}
	return h.readAbs(pos, n)
}

// readUpTo reads at most n bytes at addr, fewer if the file ends first.
func (h *hdf5File) readUpTo(addr, n uint64) ([]byte, error) {
	pos := h.base + addr
	if addr == undefinedAddr || pos < h.base || pos >= h.size {
		return nil, fmt.Errorf("HDF5 address %d out of range", addr)
	}
	return h.readAbs(pos, min(n, h.size-pos))
}

// decoder returns a decoder over b.
func (h *hdf5File) decoder(b []byte) *hdf5Decoder {
	return &hdf5Decoder{b: b, h: h}
}

// hdf5Decoder reads little-endian fields from a byte slice; the first
// out-of-bounds access sets err and makes every later read return zero.
type hdf5Decoder struct {
	b   []byte
	off int
	err error
	h   *hdf5File
}

func (d *hdf5Decoder) remaining() int { return len(d.b) - d.off }

func (d *hdf5Decoder) take(n int) []byte {
	if d.err != nil {
		return nil
	}
	if n < 0 || n > d.remaining() {
		d.err = errHDF5Short
		return nil
	}
	b := d.b[d.off : d.off+n]
	d.off += n
	return b
}

func (d *hdf5Decoder) skip(n int) { d.take(n) }

func (d *hdf5Decoder) u8() uint8 {
	if b := d.take(1); b != nil {
		return b[0]
	}
	return 0
}

func (d *hdf5Decoder) u16() uint16 { return uint16(d.uint(2)) }

func (d *hdf5Decoder) u32() uint32 { return uint32(d.uint(4)) }

// uint reads an n-byte unsigned integer, 1 <= n <= 8.
func (d *hdf5Decoder) uint(n int) uint64 {
	if n < 1 || n > 8 {
		if d.err == nil {
			d.err = fmt.Errorf("%w: %d-byte integer", errHDF5Unsupported, n)
		}
		return 0
	}
	b := d.take(n)
	if b == nil {
		return 0
	}
	var buf [8]byte
	copy(buf[:], b)
	return binary.LittleEndian.Uint64(buf[:])
}

// addr reads a file address, mapping the all-ones value to undefinedAddr.
func (d *hdf5Decoder) addr() uint64 {
	v := d.uint(d.h.offSize)
	if d.h.offSize < 8 && v == 1<<(8*d.h.offSize)-1 {
		return undefinedAddr
	}
	return v
}

func (d *hdf5Decoder) length() uint64 { return d.uint(d.h.lenSize) }

func (d *hdf5Decoder) signature(sig string) {
	if b := d.take(len(sig)); b != nil && string(b) != sig {
		d.err = fmt.Errorf("expected HDF5 signature %q, found %q", sig, b)
	}
}

// hdf5Message is one object header message.
type hdf5Message struct {
	typ   uint16
	flags uint8
	data  []byte
}

const msgFlagShared = 0x02

// objectHeader returns the messages of the object header at addr,
// following continuation blocks.
func (h *hdf5File) objectHeader(addr uint64) ([]hdf5Message, error) {
	prefix, err := h.readUpTo(addr, 64)
	if err != nil {
		return nil, err
	}
	type block struct{ addr, size uint64 }
	var msgs []hdf5Message
	var pending []block
	var v2 bool
	var attrsOrdered bool

	d := h.decoder(prefix)
	if bytes.HasPrefix(prefix, []byte("OHDR")) {
		v2 = true
		d.skip(4)
		if v := d.u8(); v != 2 {
			return nil, fmt.Errorf("%w: object header version %d", errHDF5Unsupported, v)
		}
		flags := d.u8()
		attrsOrdered = flags&0x04 != 0
		if flags&0x20 != 0 {
			d.skip(16) // access, modification, change and birth times
		}
		if flags&0x10 != 0 {
			d.skip(4) // attribute phase change values
		}
		size := d.uint(1 << (flags & 0x03))
		if d.err != nil {
			return nil, d.err
		}
		pending = append(pending, block{addr + uint64(d.off), size})
	} else {
		if v := d.u8(); v != 1 {
			return nil, fmt.Errorf("no HDF5 object header at address %d (version byte %d)", addr, v)
		}
		d.skip(1 + 2 + 4) // reserved, message count, reference count
		size := uint64(d.u32())
		if d.err != nil {
			return nil, d.err
		}
		pending = append(pending, block{addr + 16, size})
	}

	for first := true; len(pending) > 0; first = false {
		blk := pending[0]
		pending = pending[1:]
		buf, err := h.read(blk.addr, blk.size)
		if err != nil {
			return nil, err
		}
		if v2 && !first {
			// A continuation block: "OCHK", messages, checksum.
			if len(buf) < 8 || string(buf[:4]) != "OCHK" {
				return nil, errors.New("malformed HDF5 object header continuation block")
			}
			buf = buf[4 : len(buf)-4]
		}
		d := h.decoder(buf)
		for {
			var typ uint16
			var flags uint8
			var size int
			if v2 {
				hdr := 4
				if attrsOrdered {
					hdr = 6
				}
				if d.remaining() < hdr {
					break // gap before the checksum
				}
				typ = uint16(d.u8())
				size = int(d.u16())
				flags = d.u8()
				if attrsOrdered {
					d.skip(2)
				}
			} else {
				if d.remaining() < 8 {
					break
				}
				typ = d.u16()
				size = int(d.u16())
				flags = d.u8()
				d.skip(3)
			}
			data := d.take(size)
			if d.err != nil {
				return nil, fmt.Errorf("malformed HDF5 object header at address %d: %w", addr, d.err)
			}
			if typ == msgContinuation {
				cd := h.decoder(data)
				next := block{cd.addr(), cd.length()}
				if cd.err != nil {
					return nil, cd.err
				}
				pending = append(pending, next)
				continue
			}
			msgs = append(msgs, hdf5Message{typ: typ, flags: flags, data: data})
		}
	}
	return msgs, nil
}

// dataspaceDims returns the dimensions of the object whose header messages
// are msgs; ok is false when it has no dataspace, that is, it is a group.
func dataspaceDims(h *hdf5File, msgs []hdf5Message) (dims []uint64, ok bool, err error) {
	for _, m := range msgs {
		if m.typ != msgDataspace {
			continue
		}
		if m.flags&msgFlagShared != 0 {
			return nil, false, fmt.Errorf("%w: shared dataspace", errHDF5Unsupported)
		}
		dims, err := parseDataspace(h, m.data)
		return dims, err == nil, err
	}
	return nil, false, nil
}

// parseDataspace decodes a dataspace message; a scalar or null dataspace
// has no dimensions.
func parseDataspace(h *hdf5File, b []byte) ([]uint64, error) {
	d := h.decoder(b)
	version := d.u8()
	rank := int(d.u8())
	d.skip(1) // flags
	switch version {
	case 1:
		d.skip(5) // reserved
	case 2:
		if typ := d.u8(); typ != 1 { // 0 scalar, 2 null
			rank = 0
		}
	default:
		if d.err == nil {
			return nil, fmt.Errorf("%w: dataspace version %d", errHDF5Unsupported, version)
		}
	}
	dims := make([]uint64, rank)
	for i := range dims {
		dims[i] = d.length()
	}
	if d.err != nil {
		return nil, fmt.Errorf("malformed dataspace: %w", d.err)
	}
	return dims, nil
}

// child returns the object header address of the group member called name;
// the group's object header messages are msgs. Only hard links are followed.
func (h *hdf5File) child(msgs []hdf5Message, name string) (uint64, error) {
	addr, err := h.lookup(msgs, name)
	if err == nil && addr == undefinedAddr {
		return 0, fmt.Errorf("%w: %q is a soft or external link", errHDF5Unsupported, name)
	}
	return addr, err
}

// lookup finds the group member called name in symbol-table, compact or
// dense link storage and returns its address, or undefinedAddr for a link
// that is not a hard link.
func (h *hdf5File) lookup(msgs []hdf5Message, name string) (uint64, error) {
	for _, m := range msgs {
		switch m.typ {
		case msgLink:
			lname, addr, err := h.parseLink(m.data)
			if err != nil {
				return 0, err
			}
			if lname == name {
				return addr, nil
			}
		case msgSymbolTable:
			d := h.decoder(m.data)
			btree, heap := d.addr(), d.addr()
			if d.err != nil {
				return 0, d.err
			}
			return h.symbolTableLookup(btree, heap, name)
		case msgLinkInfo:
			d := h.decoder(m.data)
			d.skip(1) // version
			flags := d.u8()
			if flags&0x01 != 0 {
				d.skip(8) // maximum creation index
			}
			heap, nameIndex := d.addr(), d.addr()
			if d.err != nil {
				return 0, d.err
			}
			if heap == undefinedAddr {
				continue // links are stored as link messages
			}
			var found uint64
			var ok bool
			err := h.denseObjects(heap, nameIndex, func(obj []byte) (bool, error) {
				lname, addr, err := h.parseLink(obj)
				if err != nil {
					return false, err
				}
				if lname == name {
					found, ok = addr, true
					return true, nil
				}
				return false, nil
			})
			if err != nil {
				return 0, err
			}
			if ok {
				return found, nil
			}
		}
	}
	return 0, fmt.Errorf("no member %q", name)
}

// parseLink decodes a link message and returns its name and, for a hard
// link, the target's object header address.
func (h *hdf5File) parseLink(b []byte) (string, uint64, error) {
	d := h.decoder(b)
	if v := d.u8(); v != 1 && d.err == nil {
		return "", 0, fmt.Errorf("%w: link message version %d", errHDF5Unsupported, v)
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
	if n > uint64(d.remaining()) {
		return "", 0, errors.New("malformed HDF5 link message")
	}
	name := string(d.take(int(n)))
	var addr uint64
	if linkType == 0 {
		addr = d.addr()
	} else {
		addr = undefinedAddr // soft and external links are not followed
	}
	if d.err != nil {
		return "", 0, fmt.Errorf("malformed HDF5 link message: %w", d.err)
	}
	return name, addr, nil
}

// symbolTableLookup finds name in a symbol-table group given its v1 B-tree
// and local heap addresses.
func (h *hdf5File) symbolTableLookup(btree, heap uint64, name string) (uint64, error) {
	names, err := h.localHeap(heap)
	if err != nil {
		return 0, err
	}
	var found uint64
	stop, err := h.walkGroupBTree(btree, -1, 0, func(nameOff, addr uint64) bool {
		if nameOff >= uint64(len(names)) {
			return false
		}
		s := names[nameOff:]
		if i := bytes.IndexByte(s, 0); i >= 0 && string(s[:i]) == name {
			found = addr
			return true
		}
		return false
	})
	if err != nil {
		return 0, err
	}
	if !stop {
		return 0, fmt.Errorf("no member %q", name)
	}
	return found, nil
}

// localHeap returns the data segment of the local heap at addr.
func (h *hdf5File) localHeap(addr uint64) ([]byte, error) {
	buf, err := h.read(addr, uint64(8+2*h.lenSize+h.offSize))
	if err != nil {
		return nil, err
	}
	d := h.decoder(buf)
	d.signature("HEAP")
	d.skip(4) // version, reserved
	size := d.length()
	d.skip(h.lenSize) // free list head
	data := d.addr()
	if d.err != nil {
		return nil, fmt.Errorf("malformed HDF5 local heap: %w", d.err)
	}
	return h.read(data, size)
}

// walkGroupBTree calls visit for each entry (link name offset, object
// header address) of the group v1 B-tree at addr until visit returns true,
// and reports whether it did. level is the level the node must have, or -1
// for the root.
func (h *hdf5File) walkGroupBTree(addr uint64, level, depth int, visit func(nameOff, addr uint64) bool) (bool, error) {
	if depth > maxBTreeDepth {
		return false, errors.New("HDF5 B-tree too deep")
	}
	head, err := h.read(addr, uint64(8+2*h.offSize))
	if err != nil {
		return false, err
	}
	d := h.decoder(head)
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
	body, err := h.read(addr+uint64(len(head)), uint64((entries+1)*h.lenSize+entries*h.offSize))
	if err != nil {
		return false, err
	}
	d = h.decoder(body)
	children := make([]uint64, entries)
	for i := range children {
		d.skip(h.lenSize) // key
		children[i] = d.addr()
	}
	if d.err != nil {
		return false, d.err
	}
	for _, c := range children {
		var stop bool
		if nodeLevel > 0 {
			stop, err = h.walkGroupBTree(c, nodeLevel-1, depth+1, visit)
		} else {
			stop, err = h.walkSymbolNode(c, visit)
		}
		if stop || err != nil {
			return stop, err
		}
	}
	return false, nil
}

// walkSymbolNode visits the entries of the symbol table node at addr until
// visit returns true, and reports whether it did.
func (h *hdf5File) walkSymbolNode(addr uint64, visit func(nameOff, addr uint64) bool) (bool, error) {
	head, err := h.read(addr, 8)
	if err != nil {
		return false, err
	}
	d := h.decoder(head)
	d.signature("SNOD")
	d.skip(2) // version, reserved
	n := int(d.u16())
	if d.err != nil {
		return false, fmt.Errorf("malformed HDF5 symbol table node: %w", d.err)
	}
	entrySize := 2*h.offSize + 24
	body, err := h.read(addr+8, uint64(n*entrySize))
	if err != nil {
		return false, err
	}
	d = h.decoder(body)
	for range n {
		nameOff := d.uint(h.offSize)
		obj := d.addr()
		d.skip(24) // cache type, reserved, scratch pad
		if d.err != nil {
			return false, d.err
		}
		if visit(nameOff, obj) {
			return true, nil
		}
	}
	return false, nil
}

// stringAttribute returns the value of the scalar string attribute called
// name among the object header messages msgs; ok is false when there is no
// such attribute.
func (h *hdf5File) stringAttribute(msgs []hdf5Message, name string) (value string, ok bool, err error) {
	for _, m := range msgs {
		switch m.typ {
		case msgAttribute:
			if m.flags&msgFlagShared != 0 {
				continue
			}
			if value, ok, err = h.parseStringAttribute(m.data, name); ok || err != nil {
				return value, ok, err
			}
		case msgAttrInfo:
			d := h.decoder(m.data)
			d.skip(1) // version
			flags := d.u8()
			if flags&0x01 != 0 {
				d.skip(2) // maximum creation index
			}
			heap, nameIndex := d.addr(), d.addr()
			if d.err != nil {
				return "", false, d.err
			}
			if heap == undefinedAddr {
				continue
			}
			err := h.denseObjects(heap, nameIndex, func(obj []byte) (bool, error) {
				value, ok, err = h.parseStringAttribute(obj, name)
				return ok, err
			})
			if ok || err != nil {
				return value, ok, err
			}
		}
	}
	return "", false, nil
}

// parseStringAttribute decodes an attribute message. When the attribute is
// called name it returns its value, which must be a single string.
func (h *hdf5File) parseStringAttribute(b []byte, name string) (string, bool, error) {
	d := h.decoder(b)
	version := d.u8()
	flags := d.u8()
	nameSize := int(d.u16())
	typeSize := int(d.u16())
	spaceSize := int(d.u16())
	pad := func(n int) int { return n }
	switch version {
	case 1:
		pad = func(n int) int { return (n + 7) &^ 7 }
	case 2:
	case 3:
		d.skip(1) // name character set
	default:
		if d.err != nil {
			return "", false, fmt.Errorf("malformed HDF5 attribute: %w", d.err)
		}
		return "", false, fmt.Errorf("%w: attribute message version %d", errHDF5Unsupported, version)
	}
	rawName := d.take(nameSize)
	d.skip(pad(nameSize) - nameSize)
	if d.err != nil {
		return "", false, fmt.Errorf("malformed HDF5 attribute: %w", d.err)
	}
	if string(bytes.TrimRight(rawName, "\x00")) != name {
		return "", false, nil
	}
	if flags&0x03 != 0 {
		return "", false, fmt.Errorf("%w: attribute with shared type or space", errHDF5Unsupported)
	}
	dtype := d.take(typeSize)
	d.skip(pad(typeSize) - typeSize)
	space := d.take(spaceSize)
	d.skip(pad(spaceSize) - spaceSize)
	if d.err != nil {
		return "", false, fmt.Errorf("malformed HDF5 attribute: %w", d.err)
	}
	dims, err := parseDataspace(h, space)
	if err != nil {
		return "", false, err
	}
	for _, n := range dims {
		if n != 1 {
			return "", false, fmt.Errorf("attribute %q is not a single value", name)
		}
	}
	v, err := h.decodeString(dtype, d.b[d.off:])
	if err != nil {
		return "", false, fmt.Errorf("attribute %q: %w", name, err)
	}
	return v, true, nil
}

// decodeString decodes one string element of the given datatype from data.
func (h *hdf5File) decodeString(dtype, data []byte) (string, error) {
	t := h.decoder(dtype)
	classVersion := t.u8()
	bits0 := t.u8()
	t.skip(2)
	size := uint64(t.u32())
	if t.err != nil {
		return "", fmt.Errorf("malformed HDF5 datatype: %w", t.err)
	}
	switch classVersion & 0x0f {
	case 3: // fixed-length string
		if size > uint64(len(data)) {
			return "", errHDF5Short
		}
		s := data[:size]
		if i := bytes.IndexByte(s, 0); i >= 0 {
			s = s[:i]
		}
		if bits0&0x0f == 2 { // space padded
			s = bytes.TrimRight(s, " ")
		}
		return string(s), nil
	case 9: // variable-length
		if bits0&0x0f != 1 {
			return "", errors.New("variable-length sequence where a string was expected")
		}
		d := h.decoder(data)
		n := uint64(d.u32())
		coll := d.addr()
		index := d.u32()
		if d.err != nil {
			return "", fmt.Errorf("malformed HDF5 string reference: %w", d.err)
		}
		if n == 0 {
			return "", nil
		}
		obj, err := h.globalHeapObject(coll, index)
		if err != nil {
			return "", err
		}
		if n > uint64(len(obj)) {
			return "", errors.New("HDF5 string longer than its heap object")
		}
		return string(obj[:n]), nil
	}
	return "", fmt.Errorf("datatype class %d is not a string", classVersion&0x0f)
}

// globalHeapObject returns object index of the global heap collection at
// addr.
func (h *hdf5File) globalHeapObject(addr uint64, index uint32) ([]byte, error) {
	head, err := h.read(addr, uint64(8+h.lenSize))
	if err != nil {
		return nil, err
	}
	d := h.decoder(head)
	d.signature("GCOL")
	d.skip(4) // version, reserved
	size := d.length()
	if d.err != nil {
		return nil, fmt.Errorf("malformed HDF5 global heap: %w", d.err)
	}
	if size < uint64(len(head)) {
		return nil, errors.New("malformed HDF5 global heap")
	}
	coll, err := h.read(addr, size)
	if err != nil {
		return nil, err
	}
	d = h.decoder(coll)
	d.skip(len(head))
	for d.remaining() >= 8+h.lenSize {
		id := d.u16()
		d.skip(6) // reference count, reserved
		n := d.length()
		if id == 0 || d.err != nil {
			break // free space runs to the end of the collection
		}
		if n > uint64(d.remaining()) {
			break
		}
		obj := d.take(int(n))
		if uint32(id) == index {
			return obj, nil
		}
		d.skip(int((n+7)&^7 - n))
	}
	return nil, fmt.Errorf("no object %d in HDF5 global heap at %d", index, addr)
}

// denseObjects calls visit with each object of the fractal heap at heapAddr
// that the v2 B-tree at btreeAddr indexes, until visit returns true. Dense
// link and attribute storage keep their messages this way.
func (h *hdf5File) denseObjects(heapAddr, btreeAddr uint64, visit func(obj []byte) (bool, error)) error {
	fh, err := h.fractalHeap(heapAddr)
	if err != nil {
		return err
	}
	bt, err := h.btree2(btreeAddr)
	if err != nil {
		return err
	}
	var idOff int
	switch bt.typ {
	case 5: // link name: hash, heap ID
		idOff = 4
	case 6: // link creation order: order, heap ID
		idOff = 8
	case 8, 9: // attribute name or creation order: heap ID first
		idOff = 0
	default:
		return fmt.Errorf("%w: v2 B-tree of type %d", errHDF5Unsupported, bt.typ)
	}
	if idOff+fh.idLen > bt.recSize {
		return errors.New("malformed HDF5 v2 B-tree records")
	}
	_, err = bt.walk(bt.root, bt.depth, bt.rootRecs, 0, func(rec []byte) (bool, error) {
		if bt.typ == 8 || bt.typ == 9 {
			if rec[fh.idLen]&msgFlagShared != 0 {
				return false, fmt.Errorf("%w: shared attribute", errHDF5Unsupported)
			}
		}
		obj, err := fh.object(rec[idOff : idOff+fh.idLen])
		if err != nil {
			return false, err
		}
		return visit(obj)
	})
	return err
}

// fractalHeap is the header of a fractal heap.
type fractalHeap struct {
	h             *hdf5File
	idLen         int
	maxManaged    uint64
	width         uint64
	startBlock    uint64
	maxDirect     uint64
	heapBits      int
	rootAddr      uint64
	rootRows      int
	offBytes      int // bytes of a heap offset in IDs and block headers
	lenBytes      int // bytes of an object length in IDs
	maxDirectRows int
	firstRowBits  int
}

func (h *hdf5File) fractalHeap(addr uint64) (*fractalHeap, error) {
	n := 4 + 1 + 2 + 2 + 1 + 4 + 12*h.lenSize + 3*h.offSize + 2 + 2 + 2 + 2
	buf, err := h.read(addr, uint64(n))
	if err != nil {
		return nil, err
	}
	d := h.decoder(buf)
	d.signature("FRHP")
	if v := d.u8(); v != 0 && d.err == nil {
		return nil, fmt.Errorf("%w: fractal heap version %d", errHDF5Unsupported, v)
	}
	fh := &fractalHeap{h: h}
	fh.idLen = int(d.u16())
	filterLen := d.u16()
	d.skip(1) // flags
	fh.maxManaged = uint64(d.u32())
	d.skip(h.lenSize + h.offSize) // next huge ID, huge object B-tree
	d.skip(h.lenSize + h.offSize) // free space, free-space manager
	d.skip(8 * h.lenSize)         // managed, huge and tiny object statistics
	fh.width = uint64(d.u16())
	fh.startBlock = d.length()
	fh.maxDirect = d.length()
	fh.heapBits = int(d.u16())
	d.skip(2) // starting rows of the root indirect block
	fh.rootAddr = d.addr()
	fh.rootRows = int(d.u16())
	if d.err != nil {
		return nil, fmt.Errorf("malformed HDF5 fractal heap: %w", d.err)
	}
	if filterLen != 0 {
		return nil, fmt.Errorf("%w: filtered fractal heap", errHDF5Unsupported)
	}
	pow2 := func(v uint64) bool { return v != 0 && v&(v-1) == 0 }
	if !pow2(fh.width) || !pow2(fh.startBlock) || !pow2(fh.maxDirect) || fh.maxDirect < fh.startBlock ||
		fh.heapBits < 1 || fh.heapBits > 64 || fh.rootRows > 64 || fh.idLen < 1 || fh.maxManaged == 0 {
		return nil, errors.New("malformed HDF5 fractal heap parameters")
	}
	log2 := func(v uint64) int { return bits.Len64(v) - 1 }
	fh.offBytes = (fh.heapBits + 7) / 8
	fh.lenBytes = min((log2(fh.maxDirect)+7)/8, log2(fh.maxManaged)/8+1)
	fh.maxDirectRows = log2(fh.maxDirect) - log2(fh.startBlock) + 2
	fh.firstRowBits = log2(fh.startBlock) + log2(fh.width)
	return fh, nil
}

// rowBlockSize is the size of the blocks in row r of the doubling table.
func (fh *fractalHeap) rowBlockSize(r int) (uint64, bool) {
	if r <= 1 {
		return fh.startBlock, true
	}
	if r-1 >= 64-bits.Len64(fh.startBlock) {
		return 0, false
	}
	return fh.startBlock << (r - 1), true
}

// object returns the heap object that id refers to.
func (fh *fractalHeap) object(id []byte) ([]byte, error) {
	if len(id) == 0 || id[0]>>6 != 0 {
		return nil, errors.New("malformed HDF5 fractal heap ID")
	}
	switch (id[0] >> 4) & 0x03 {
	case 0: // managed
		d := fh.h.decoder(id[1:])
		off := d.uint(fh.offBytes)
		n := d.uint(fh.lenBytes)
		if d.err != nil {
			return nil, fmt.Errorf("malformed HDF5 fractal heap ID: %w", d.err)
		}
		return fh.managed(off, n)
	case 2: // tiny, stored in the ID itself
		var n int
		var data []byte
		if len(id) <= 18 {
			n, data = int(id[0]&0x0f)+1, id[1:]
		} else {
			n, data = (int(id[0]&0x0f)<<8|int(id[1]))+1, id[2:]
		}
		if n > len(data) {
			return nil, errors.New("malformed HDF5 tiny heap object")
		}
		return data[:n], nil
	}
	return nil, fmt.Errorf("%w: huge fractal heap object", errHDF5Unsupported)
}

// managed returns the n-byte managed object at heap offset off.
func (fh *fractalHeap) managed(off, n uint64) ([]byte, error) {
	addr, blockOff, size := fh.rootAddr, uint64(0), fh.startBlock
	rows := fh.rootRows
	for depth := 0; rows > 0; depth++ {
		if depth > maxBTreeDepth {
			return nil, errors.New("HDF5 fractal heap too deep")
		}
		var err error
		addr, blockOff, size, rows, err = fh.indirectChild(addr, blockOff, rows, off)
		if err != nil {
			return nil, err
		}
	}
	if off < blockOff || off-blockOff > size || n > size-(off-blockOff) {
		return nil, errors.New("HDF5 fractal heap object outside its block")
	}
	return fh.h.read(addr+(off-blockOff), n)
}

// indirectChild reads the indirect block at addr, which has rows rows and
// starts at heap offset blockOff, and returns the child block holding heap
// offset off: its address, heap offset and size, and its row count when it
// is itself an indirect block (0 for a direct block).
func (fh *fractalHeap) indirectChild(addr, blockOff uint64, rows int, off uint64) (childAddr, childOff, childSize uint64, childRows int, err error) {
	h := fh.h
	entries := uint64(rows) * fh.width
	head := uint64(4 + 1 + h.offSize + fh.offBytes)
	buf, err := h.read(addr, head+entries*uint64(h.offSize))
	if err != nil {
		return 0, 0, 0, 0, err
	}
	d := h.decoder(buf)
	d.signature("FHIB")
	d.skip(1 + h.offSize) // version, heap header address
	if got := d.uint(fh.offBytes); d.err == nil && got != blockOff {
		return 0, 0, 0, 0, errors.New("HDF5 fractal heap block at unexpected offset")
	}
	if d.err != nil {
		return 0, 0, 0, 0, fmt.Errorf("malformed HDF5 fractal heap block: %w", d.err)
	}
	start := blockOff
	for r := range rows {
		size, ok := fh.rowBlockSize(r)
		if !ok {
			break
		}
		for range fh.width {
			child := d.addr()
			if d.err != nil {
				return 0, 0, 0, 0, d.err
			}
			if off >= start && off-start < size {
				if child == undefinedAddr {
					return 0, 0, 0, 0, errors.New("HDF5 fractal heap object in an unallocated block")
				}
				if r < fh.maxDirectRows {
					return child, start, size, 0, nil
				}
				childRows := bits.Len64(size) - fh.firstRowBits
				if childRows < 1 || childRows > 64 {
					return 0, 0, 0, 0, errors.New("malformed HDF5 fractal heap")
				}
				return child, start, size, childRows, nil
			}
			if start+size < start {
				return 0, 0, 0, 0, errors.New("malformed HDF5 fractal heap")
			}
			start += size
		}
	}
	return 0, 0, 0, 0, errors.New("HDF5 fractal heap offset out of range")
}

// btree2 is the header of a version 2 B-tree.
type btree2 struct {
	h          *hdf5File
	typ        uint8
	nodeSize   int
	recSize    int
	depth      int
	root       uint64
	rootRecs   int
	nrecBytes  int   // bytes of a child's record count in internal nodes
	totalBytes []int // per depth, bytes of a child's total record count
}

func (h *hdf5File) btree2(addr uint64) (*btree2, error) {
	buf, err := h.read(addr, uint64(4+1+1+4+2+2+1+1+h.offSize+2+h.lenSize))
	if err != nil {
		return nil, err
	}
	d := h.decoder(buf)
	d.signature("BTHD")
	if v := d.u8(); v != 0 && d.err == nil {
		return nil, fmt.Errorf("%w: v2 B-tree version %d", errHDF5Unsupported, v)
	}
	bt := &btree2{h: h}
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
	if bt.recSize < 1 || bt.nodeSize <= prefix || bt.nodeSize > maxHDF5Structure || bt.depth > maxBTreeDepth {
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
		ptr := h.offSize + bt.nrecBytes
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
	h := bt.h
	if level > maxBTreeDepth {
		return false, errors.New("HDF5 v2 B-tree too deep")
	}
	buf, err := h.read(addr, uint64(bt.nodeSize))
	if err != nil {
		return false, err
	}
	d := h.decoder(buf)
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
