package hdf5

import (
	"errors"
	"fmt"
	"math/bits"
)

// maxDepth bounds the levels of B-trees and fractal heaps.
const maxDepth = 32

// localHeap returns the data segment of the local heap at addr.
func (f *File) localHeap(addr uint64) ([]byte, error) {
	buf, err := f.read(addr, uint64(8+2*f.lenSize+f.offSize))
	if err != nil {
		return nil, err
	}
	d := f.decoder(buf)
	d.signature("HEAP")
	version := d.u8()
	d.skip(3) // reserved
	size := d.length()
	d.skip(f.lenSize) // free list head
	data := d.addr()
	if d.err != nil {
		return nil, fmt.Errorf("malformed HDF5 local heap: %w", d.err)
	}
	if version != 0 {
		return nil, fmt.Errorf("malformed HDF5 local heap at %d: version %d", addr, version)
	}
	return f.read(data, size)
}

// globalHeapObject returns object index of the global heap collection at
// addr. Collections are read once and kept.
func (f *File) globalHeapObject(addr uint64, index uint32) ([]byte, error) {
	c, ok := f.heaps[addr]
	if !ok {
		var err error
		if c, err = f.globalHeap(addr); err != nil {
			return nil, err
		}
		f.heaps[addr] = c
	}
	obj, ok := c[index]
	if !ok {
		return nil, fmt.Errorf("no object %d in HDF5 global heap at %d", index, addr)
	}
	return obj, nil
}

// globalHeap reads the objects of the global heap collection at addr.
func (f *File) globalHeap(addr uint64) (map[uint32][]byte, error) {
	hdrSize := uint64(8 + f.lenSize)
	head, err := f.read(addr, hdrSize)
	if err != nil {
		return nil, err
	}
	d := f.decoder(head)
	d.signature("GCOL")
	version := d.u8()
	d.skip(3) // reserved
	size := d.length()
	if d.err != nil {
		return nil, fmt.Errorf("malformed HDF5 global heap: %w", d.err)
	}
	if version != 1 || size < hdrSize {
		return nil, fmt.Errorf("malformed HDF5 global heap at %d", addr)
	}
	buf, err := f.read(addr, size)
	if err != nil {
		return nil, err
	}
	c := map[uint32][]byte{}
	d = f.decoder(buf[hdrSize:])
	for d.remaining() >= 8+f.lenSize {
		id := d.u16()
		d.skip(2 + 4) // reference count, reserved
		n := d.length()
		if id == 0 {
			break // free space runs to the end of the collection
		}
		if n > uint64(d.remaining()) {
			return nil, fmt.Errorf("malformed HDF5 global heap at %d: object %d overruns its collection", addr, id)
		}
		c[uint32(id)] = d.take(int(n))
		d.skip(min(int((n+7)&^7-n), d.remaining()))
	}
	return c, nil
}

// fractalHeap is the header of a fractal heap.
type fractalHeap struct {
	f             *File
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

func (f *File) fractalHeap(addr uint64) (*fractalHeap, error) {
	n := 4 + 1 + 2 + 2 + 1 + 4 + 12*f.lenSize + 3*f.offSize + 2 + 2 + 2 + 2
	buf, err := f.read(addr, uint64(n))
	if err != nil {
		return nil, err
	}
	d := f.decoder(buf)
	d.signature("FRHP")
	if v := d.u8(); v != 0 && d.err == nil {
		return nil, Unsupported("HDF5 fractal heap version %d", v)
	}
	fh := &fractalHeap{f: f}
	fh.idLen = int(d.u16())
	filterLen := d.u16()
	d.skip(1) // flags
	fh.maxManaged = uint64(d.u32())
	d.skip(f.lenSize + f.offSize) // next huge ID, huge object B-tree
	d.skip(f.lenSize + f.offSize) // free space, free-space manager
	d.skip(8 * f.lenSize)         // managed, huge and tiny object statistics
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
		return nil, Unsupported("a filtered HDF5 fractal heap")
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
		d := fh.f.decoder(id[1:])
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
	return nil, Unsupported("a huge HDF5 fractal heap object")
}

// managed returns the n-byte managed object at heap offset off.
func (fh *fractalHeap) managed(off, n uint64) ([]byte, error) {
	addr, blockOff, size := fh.rootAddr, uint64(0), fh.startBlock
	rows := fh.rootRows
	for depth := 0; rows > 0; depth++ {
		if depth > maxDepth {
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
	return fh.f.read(addr+(off-blockOff), n)
}

// indirectChild reads the indirect block at addr, which has rows rows and
// starts at heap offset blockOff, and returns the child block holding heap
// offset off: its address, heap offset and size, and its row count when it
// is itself an indirect block (0 for a direct block).
func (fh *fractalHeap) indirectChild(addr, blockOff uint64, rows int, off uint64) (childAddr, childOff, childSize uint64, childRows int, err error) {
	f := fh.f
	entries := uint64(rows) * fh.width
	head := uint64(4 + 1 + f.offSize + fh.offBytes)
	buf, err := f.read(addr, head+entries*uint64(f.offSize))
	if err != nil {
		return 0, 0, 0, 0, err
	}
	d := f.decoder(buf)
	d.signature("FHIB")
	d.skip(1 + f.offSize) // version, heap header address
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
				if child == Undefined {
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
