package h5ad

import "encoding/binary"

// This file encodes the individual on-disk structures of the HDF5 file
// format (superblock, object headers and their messages, symbol-table
// nodes, v1 B-tree nodes, local and global heaps). All addresses and
// lengths are 8 bytes and little-endian. hdf5.go decides where each
// structure goes; the functions here only turn one structure into bytes.

var le = binary.LittleEndian

const (
	// undefAddr is the "undefined address" of the format (all bits set).
	undefAddr = ^uint64(0)

	// leafK and internalK are the group B-tree parameters recorded in the
	// superblock: a symbol-table node holds up to 2*leafK entries and a
	// B-tree node up to 2*internalK children. They are libhdf5's defaults.
	leafK     = 4
	internalK = 16

	superblockSize      = 96
	symbolEntrySize     = 40
	snodSize            = 8 + 2*leafK*symbolEntrySize
	btreeNodeSize       = 24 + 2*internalK*8 + (2*internalK+1)*8
	localHeapHeaderSize = 32
	objectHeaderPrefix  = 16
	messageHeaderSize   = 8

	// globalHeapMinSize is the smallest global heap collection libhdf5
	// reads; smaller collections are padded with free space.
	globalHeapMinSize = 4096
	globalHeapObjHdr  = 16
	globalHeapHdrSize = 16
)

// Object header message types.
const (
	msgDataspace   = 0x0001
	msgDatatype    = 0x0003
	msgFillValue   = 0x0005
	msgLayout      = 0x0008
	msgAttribute   = 0x000C
	msgSymbolTable = 0x0011
)

// messageConstant is the header message flag marking a constant message.
const messageConstant = 0x01

// pad8 rounds n up to a multiple of eight.
func pad8[T int | uint64](n T) T { return (n + 7) &^ 7 }

// appendPadded appends b followed by zero bytes up to a multiple of eight.
func appendPadded(dst, b []byte) []byte {
	dst = append(dst, b...)
	return append(dst, make([]byte, pad8(len(b))-len(b))...)
}

// typeClass is an HDF5 datatype class.
type typeClass uint8

const (
	classFixed  typeClass = 0
	classFloat  typeClass = 1
	classEnum   typeClass = 8
	classVarLen typeClass = 9
)

// dtype is one of the few datatypes the writer emits.
type dtype struct {
	class  typeClass
	size   uint32   // bytes per element as stored in the file
	signed bool     // fixed-point and enum base types
	names  []string // enum members, valued 0, 1, ...
}

var (
	float32Type = dtype{class: classFloat, size: 4}
	float64Type = dtype{class: classFloat, size: 8}
	int8Type    = dtype{class: classFixed, size: 1, signed: true}
	int16Type   = dtype{class: classFixed, size: 2, signed: true}
	int32Type   = dtype{class: classFixed, size: 4, signed: true}
	int64Type   = dtype{class: classFixed, size: 8, signed: true}
	// boolType is the enum h5py uses for NumPy booleans.
	boolType = dtype{class: classEnum, size: 1, signed: true, names: []string{"FALSE", "TRUE"}}
	// stringType is a variable-length, null-terminated UTF-8 string. Each
	// element is a 4-byte length followed by a global heap ID.
	stringType = dtype{class: classVarLen, size: 16}
)

// encode returns the datatype message body (version 1 encodings).
func (t dtype) encode() []byte {
	b := []byte{byte(t.class) | 1<<4, 0, 0, 0}
	b = le.AppendUint32(b, t.size)
	bits := uint16(t.size * 8)
	switch t.class {
	case classFixed:
		if t.signed {
			b[1] = 0x08
		}
		b = le.AppendUint16(b, 0) // bit offset
		b = le.AppendUint16(b, bits)
	case classFloat:
		b[1] = 0x20               // little-endian, implied leading mantissa bit
		b[2] = byte(bits - 1)     // sign bit position
		b = le.AppendUint16(b, 0) // bit offset
		b = le.AppendUint16(b, bits)
		if t.size == 4 {
			b = append(b, 23, 8, 0, 23) // exponent at bit 23 (8 bits), mantissa at 0 (23 bits)
			b = le.AppendUint32(b, 127)
		} else {
			b = append(b, 52, 11, 0, 52)
			b = le.AppendUint32(b, 1023)
		}
	case classEnum:
		le.PutUint16(b[1:3], uint16(len(t.names)))
		b = append(b, dtype{class: classFixed, size: t.size, signed: t.signed}.encode()...)
		for _, n := range t.names {
			b = appendPadded(b, append([]byte(n), 0))
		}
		for i := range t.names {
			var v [8]byte
			le.PutUint64(v[:], uint64(i))
			b = append(b, v[:t.size]...)
		}
	case classVarLen:
		b[1] = 0x01 // string, null-terminated padding
		b[2] = 0x01 // UTF-8
		b = append(b, dtype{class: classFixed, size: 1}.encode()...)
	}
	return b
}

// encodeDataspace returns a version 1 dataspace message body; no dims
// means a scalar.
func encodeDataspace(dims []uint64) []byte {
	b := []byte{1, byte(len(dims)), 0, 0, 0, 0, 0, 0}
	for _, d := range dims {
		b = le.AppendUint64(b, d)
	}
	return b
}

// encodeFillValue returns a version 2 fill value message body that keeps
// the library default fill, as h5py writes it: late allocation, fill
// written if set, and a defined fill value of size zero.
func encodeFillValue() []byte {
	return []byte{2, 2, 2, 1, 0, 0, 0, 0}
}

// encodeContiguousLayout returns a version 3 data layout message body for
// contiguous storage of size bytes at addr.
func encodeContiguousLayout(addr, size uint64) []byte {
	b := []byte{3, 1}
	b = le.AppendUint64(b, addr)
	return le.AppendUint64(b, size)
}

// encodeSymbolTableMessage returns the body pointing a group at its B-tree
// and local heap.
func encodeSymbolTableMessage(btree, heap uint64) []byte {
	b := le.AppendUint64(nil, btree)
	return le.AppendUint64(b, heap)
}

// encodeAttribute returns a version 1 attribute message body.
func encodeAttribute(name string, t dtype, dims []uint64, data []byte) []byte {
	nameZ := append([]byte(name), 0)
	dt := t.encode()
	ds := encodeDataspace(dims)
	b := []byte{1, 0}
	b = le.AppendUint16(b, uint16(len(nameZ)))
	b = le.AppendUint16(b, uint16(len(dt)))
	b = le.AppendUint16(b, uint16(len(ds)))
	b = appendPadded(b, nameZ)
	b = appendPadded(b, dt)
	b = appendPadded(b, ds)
	return append(b, data...)
}

// message is one object header message.
type message struct {
	typ   uint16
	flags uint8
	body  []byte
}

// objectHeaderSize is the encoded size of a version 1 object header.
func objectHeaderSize(msgs []message) uint64 {
	n := uint64(objectHeaderPrefix)
	for _, m := range msgs {
		n += messageHeaderSize + pad8(uint64(len(m.body)))
	}
	return n
}

// encodeObjectHeader returns a version 1 object header holding msgs in a
// single chunk.
func encodeObjectHeader(msgs []message) []byte {
	size := objectHeaderSize(msgs)
	b := make([]byte, 0, size)
	b = append(b, 1, 0)
	b = le.AppendUint16(b, uint16(len(msgs)))
	b = le.AppendUint32(b, 1) // reference count
	b = le.AppendUint32(b, uint32(size-objectHeaderPrefix))
	b = append(b, 0, 0, 0, 0) // aligns the first message
	for _, m := range msgs {
		b = le.AppendUint16(b, m.typ)
		b = le.AppendUint16(b, uint16(pad8(len(m.body))))
		b = append(b, m.flags, 0, 0, 0)
		b = appendPadded(b, m.body)
	}
	return b
}

// encodeSuperblock returns a version 0 superblock whose root group entry
// caches the root's B-tree and local heap addresses.
func encodeSuperblock(eof, rootHeader, rootBTree, rootHeap uint64) []byte {
	b := []byte("\x89HDF\r\n\x1a\n")
	b = append(b, 0, 0, 0, 0, 0, 8, 8, 0) // versions, offset and length sizes
	b = le.AppendUint16(b, leafK)
	b = le.AppendUint16(b, internalK)
	b = le.AppendUint32(b, 0) // consistency flags
	b = le.AppendUint64(b, 0) // base address
	b = le.AppendUint64(b, undefAddr)
	b = le.AppendUint64(b, eof)
	b = le.AppendUint64(b, undefAddr) // driver information block
	return appendSymbolEntry(b, 0, rootHeader, &[2]uint64{rootBTree, rootHeap})
}

// appendSymbolEntry appends a symbol table entry. A non-nil stab caches a
// group's B-tree and local heap addresses (cache type 1).
func appendSymbolEntry(b []byte, nameOffset, header uint64, stab *[2]uint64) []byte {
	b = le.AppendUint64(b, nameOffset)
	b = le.AppendUint64(b, header)
	if stab == nil {
		return append(b, make([]byte, 24)...)
	}
	b = le.AppendUint32(b, 1)
	b = le.AppendUint32(b, 0)
	b = le.AppendUint64(b, stab[0])
	return le.AppendUint64(b, stab[1])
}

// symbol is one link of a group as a symbol-table node stores it.
type symbol struct {
	nameOffset uint64 // into the group's local heap
	header     uint64 // object header address of the target
}

// encodeSymbolNode returns a symbol-table node (full size) for up to
// 2*leafK symbols.
func encodeSymbolNode(syms []symbol) []byte {
	b := make([]byte, 0, snodSize)
	b = append(b, "SNOD"...)
	b = append(b, 1, 0)
	b = le.AppendUint16(b, uint16(len(syms)))
	for _, s := range syms {
		b = appendSymbolEntry(b, s.nameOffset, s.header, nil)
	}
	return b[:snodSize]
}

// btreeNode is a group (type 0) v1 B-tree node. keys holds one more entry
// than children: child i covers names greater than keys[i] and at most
// keys[i+1], each key being a local heap offset of a name.
type btreeNode struct {
	addr        uint64
	level       uint8
	left, right uint64
	keys        []uint64
	children    []uint64
}

// encode returns the node at its full on-disk size.
func (n *btreeNode) encode() []byte {
	b := make([]byte, 0, btreeNodeSize)
	b = append(b, "TREE"...)
	b = append(b, 0, n.level)
	b = le.AppendUint16(b, uint16(len(n.children)))
	b = le.AppendUint64(b, n.left)
	b = le.AppendUint64(b, n.right)
	for i, c := range n.children {
		b = le.AppendUint64(b, n.keys[i])
		b = le.AppendUint64(b, c)
	}
	b = le.AppendUint64(b, n.keys[len(n.children)])
	return b[:btreeNodeSize]
}

// localHeapFreeNull marks an empty free list in a local heap header.
const localHeapFreeNull = 1

// encodeLocalHeapHeader returns a local heap header for a data segment of
// size bytes at data, with no free space.
func encodeLocalHeapHeader(size, data uint64) []byte {
	b := append([]byte("HEAP"), 0, 0, 0, 0)
	b = le.AppendUint64(b, size)
	b = le.AppendUint64(b, localHeapFreeNull)
	return le.AppendUint64(b, data)
}

// encodeGlobalHeap returns a global heap collection of size bytes holding
// objs as objects 1..len(objs), with the rest marked as free space.
func encodeGlobalHeap(size uint64, objs []string) []byte {
	b := make([]byte, 0, size)
	b = append(b, "GCOL"...)
	b = append(b, 1, 0, 0, 0)
	b = le.AppendUint64(b, size)
	for i, o := range objs {
		b = le.AppendUint16(b, uint16(i+1))
		b = le.AppendUint16(b, 0) // reference count
		b = le.AppendUint32(b, 0)
		b = le.AppendUint64(b, uint64(len(o)))
		b = appendPadded(b, []byte(o))
	}
	if free := size - uint64(len(b)); free >= globalHeapObjHdr {
		b = le.AppendUint16(b, 0)
		b = append(b, 0, 0, 0, 0, 0, 0)
		b = le.AppendUint64(b, free)
	}
	return b[:size]
}
