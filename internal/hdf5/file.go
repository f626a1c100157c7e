package hdf5

import (
	"bytes"
	"errors"
	"fmt"
	"io"
)

// Signature is the 8-byte format signature that starts a superblock.
const Signature = "\x89HDF\r\n\x1a\n"

// Undefined is the format's "undefined address" (all bits set); addresses
// of fewer than 8 bytes with all bits set are read as Undefined too.
const Undefined = ^uint64(0)

// errShort reports a structure that ends before its fields do.
var errShort = errors.New("HDF5 structure ends early")

// UnsupportedError reports a well-formed file that uses a feature the
// reader (or a caller's policy) does not implement.
type UnsupportedError struct{ Feature string }

func (e *UnsupportedError) Error() string { return e.Feature + " is not supported" }

// Unwrap lets callers test for errors.ErrUnsupported.
func (e *UnsupportedError) Unwrap() error { return errors.ErrUnsupported }

// Unsupported returns an *UnsupportedError for the feature the format and
// args describe.
func Unsupported(format string, args ...any) error {
	return &UnsupportedError{Feature: fmt.Sprintf(format, args...)}
}

// Limits bounds the work done on one open file. A zero field means no
// limit of that kind.
type Limits struct {
	Reads     int    // structures (reads) in all
	Structure uint64 // bytes of one structure
	Bytes     uint64 // bytes read or decoded in all
}

// Superblock holds the fields of the superblock a reader needs.
type Superblock struct {
	Version int
	// Base is the absolute position file addresses are relative to.
	Base uint64
	// EOF is the end-of-file address the file records.
	EOF uint64
	// Driver is the address of the driver information block, Undefined
	// when there is none (always, from version 2 on).
	Driver uint64
	// Root is the address of the root group's object header.
	Root uint64
}

// File is an open HDF5 file.
type File struct {
	Superblock Superblock

	r       io.ReaderAt
	size    uint64
	offSize int // bytes in a file address
	lenSize int // bytes in a length
	limits  Limits
	reads   int                          // structures read so far
	nread   uint64                       // bytes read or decoded so far
	heaps   map[uint64]map[uint32][]byte // global heap collections by address
}

// Open locates and parses the superblock of the HDF5 file of the given
// size that r reads.
func Open(r io.ReaderAt, size int64, limits Limits) (*File, error) {
	if size < int64(len(Signature)) {
		return nil, errors.New("not an HDF5 file")
	}
	f := &File{r: r, size: uint64(size), limits: limits, heaps: map[uint64]map[uint32][]byte{}}
	// The superblock sits at 0 or, after a user block, at 512, 1024, 2048...
	var pos uint64
	for pos = 0; ; pos = max(512, pos*2) {
		if pos+uint64(len(Signature)) > f.size {
			return nil, errors.New("not an HDF5 file")
		}
		sig, err := f.readAbs(pos, uint64(len(Signature)))
		if err != nil {
			return nil, err
		}
		if string(sig) == Signature {
			break
		}
	}
	buf, err := f.readAbs(pos, min(f.size-pos, 256))
	if err != nil {
		return nil, err
	}
	if err := f.parseSuperblock(buf); err != nil {
		return nil, err
	}
	return f, nil
}

// parseSuperblock decodes the superblock in buf, which starts with the
// signature.
func (f *File) parseSuperblock(buf []byte) error {
	d := &decoder{b: buf, off: len(Signature)}
	version := d.u8()
	sb := &f.Superblock
	sb.Version = int(version)
	switch version {
	case 0, 1:
		d.skip(3) // free-space, root symbol table entry and reserved versions
		d.skip(1) // shared header message format version
		f.offSize, f.lenSize = int(d.u8()), int(d.u8())
		d.skip(1 + 2 + 2 + 4) // reserved, group K values, consistency flags
		if version == 1 {
			d.skip(4) // indexed storage K and reserved
		}
		if err := f.checkSizes(); err != nil {
			return err
		}
		d.offSize, d.lenSize = f.offSize, f.lenSize
		sb.Base = d.addr()
		d.skip(f.offSize) // free-space info
		sb.EOF = d.addr()
		sb.Driver = d.addr()
		d.skip(f.offSize) // root entry: link name offset
		sb.Root = d.addr()
	case 2, 3:
		f.offSize, f.lenSize = int(d.u8()), int(d.u8())
		d.skip(1) // consistency flags
		if err := f.checkSizes(); err != nil {
			return err
		}
		d.offSize, d.lenSize = f.offSize, f.lenSize
		sb.Base = d.addr()
		d.skip(f.offSize) // superblock extension
		sb.EOF = d.addr()
		sb.Driver = Undefined
		sb.Root = d.addr()
	default:
		if version < 16 && d.err == nil {
			return Unsupported("HDF5 superblock version %d", version)
		}
		return fmt.Errorf("malformed HDF5 superblock version %d", version)
	}
	if d.err != nil {
		return fmt.Errorf("malformed HDF5 superblock: %w", d.err)
	}
	if sb.Base == Undefined {
		return errors.New("malformed HDF5 superblock: undefined base address")
	}
	if sb.Base > f.size {
		return fmt.Errorf("malformed HDF5 superblock: base address %d is out of range", sb.Base)
	}
	return nil
}

func (f *File) checkSizes() error {
	for _, s := range []int{f.offSize, f.lenSize} {
		switch s {
		case 2, 4, 8:
		case 16, 32:
			return Unsupported("an HDF5 file with %d-byte addresses or lengths", s)
		default:
			return fmt.Errorf("malformed HDF5 superblock: %d-byte addresses or lengths", s)
		}
	}
	return nil
}

// Size returns the size of the file in bytes.
func (f *File) Size() uint64 { return f.size }

// readAbs reads n bytes at absolute file position pos.
func (f *File) readAbs(pos, n uint64) ([]byte, error) {
	f.reads++
	if f.limits.Reads > 0 && f.reads > f.limits.Reads {
		return nil, errors.New("too many HDF5 structures")
	}
	if f.limits.Structure > 0 && n > f.limits.Structure {
		return nil, fmt.Errorf("HDF5 structure of %d bytes is too large", n)
	}
	if pos > f.size || n > f.size-pos {
		return nil, fmt.Errorf("HDF5 structure at %d (%d bytes) extends past the end of the file", pos, n)
	}
	if err := f.charge(n); err != nil {
		return nil, err
	}
	buf := make([]byte, n)
	if m, err := f.r.ReadAt(buf, int64(pos)); m < len(buf) {
		if err == nil || err == io.EOF {
			err = io.ErrUnexpectedEOF
		}
		return nil, err
	}
	return buf, nil
}

// charge counts n bytes read or decoded against the byte limit.
func (f *File) charge(n uint64) error {
	if f.limits.Bytes > 0 && (n > f.limits.Bytes || f.nread > f.limits.Bytes-n) {
		return errors.New("too much HDF5 data: the file refers to more than it holds")
	}
	f.nread += n
	return nil
}

// pos returns the absolute position of file address addr; readAbs checks
// it against the end of the file.
func (f *File) pos(addr uint64) (uint64, error) {
	if addr == Undefined {
		return 0, errors.New("undefined HDF5 address")
	}
	pos := f.Superblock.Base + addr
	if pos < f.Superblock.Base {
		return 0, fmt.Errorf("HDF5 address %d is out of range", addr)
	}
	return pos, nil
}

// read reads n bytes at file address addr.
func (f *File) read(addr, n uint64) ([]byte, error) {
	pos, err := f.pos(addr)
	if err != nil {
		return nil, err
	}
	return f.readAbs(pos, n)
}

// readUpTo reads at most n bytes at addr, fewer if the file ends first.
func (f *File) readUpTo(addr, n uint64) ([]byte, error) {
	pos, err := f.pos(addr)
	if err != nil {
		return nil, err
	}
	if pos >= f.size {
		return nil, fmt.Errorf("HDF5 address %d is out of range", addr)
	}
	return f.readAbs(pos, min(n, f.size-pos))
}

// decoder returns a decoder over b with the file's address and length
// sizes.
func (f *File) decoder(b []byte) *decoder {
	return &decoder{b: b, offSize: f.offSize, lenSize: f.lenSize}
}

// hasPrefix reports whether b starts with the signature sig.
func hasPrefix(b []byte, sig string) bool { return bytes.HasPrefix(b, []byte(sig)) }
