package hdf5

import (
	"encoding/binary"
	"fmt"
)

// decoder reads little-endian fields from a byte slice; the first
// out-of-bounds access sets err and makes every later read return zero.
type decoder struct {
	b       []byte
	off     int
	err     error
	offSize int // bytes in a file address
	lenSize int // bytes in a length
}

func (d *decoder) remaining() int { return len(d.b) - d.off }

// rest returns the bytes not read yet.
func (d *decoder) rest() []byte { return d.b[d.off:] }

func (d *decoder) take(n int) []byte {
	if d.err != nil {
		return nil
	}
	if n < 0 || n > d.remaining() {
		d.err = errShort
		return nil
	}
	b := d.b[d.off : d.off+n]
	d.off += n
	return b
}

func (d *decoder) skip(n int) { d.take(n) }

func (d *decoder) u8() uint8 {
	if b := d.take(1); b != nil {
		return b[0]
	}
	return 0
}

func (d *decoder) u16() uint16 { return uint16(d.uint(2)) }

func (d *decoder) u32() uint32 { return uint32(d.uint(4)) }

// uint reads an n-byte unsigned integer, 1 <= n <= 8.
func (d *decoder) uint(n int) uint64 {
	if n < 1 || n > 8 {
		if d.err == nil {
			d.err = Unsupported("a %d-byte integer field", n)
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

// addr reads a file address, mapping the all-ones value to Undefined.
func (d *decoder) addr() uint64 {
	v := d.uint(d.offSize)
	if d.offSize < 8 && v == 1<<(8*d.offSize)-1 {
		return Undefined
	}
	return v
}

func (d *decoder) length() uint64 { return d.uint(d.lenSize) }

// signature checks for a structure signature.
func (d *decoder) signature(sig string) {
	if b := d.take(len(sig)); b != nil && string(b) != sig {
		d.err = fmt.Errorf("expected HDF5 signature %q, found %q", sig, b)
	}
}
