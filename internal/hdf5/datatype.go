package hdf5

import (
	"bytes"
	"encoding/binary"
	"fmt"
	"math"
)

// Class is a datatype class.
type Class uint8

// Datatype classes.
const (
	ClassFixed     Class = 0
	ClassFloat     Class = 1
	ClassTime      Class = 2
	ClassString    Class = 3 // fixed-length string
	ClassBitfield  Class = 4
	ClassOpaque    Class = 5
	ClassCompound  Class = 6
	ClassReference Class = 7
	ClassEnum      Class = 8
	ClassVarLen    Class = 9
	ClassArray     Class = 10
)

// String padding of fixed-length strings and character sets of strings.
const (
	PadNullTerm  = 0
	PadNullPad   = 1
	PadSpacePad  = 2
	CharsetASCII = 0
	CharsetUTF8  = 1
)

// Datatype is a datatype the reader can decode: fixed-point and IEEE
// floating-point numbers and fixed- and variable-length strings. Enums are
// recognised but not decoded.
type Datatype struct {
	Class   Class
	Size    uint64 // bytes per element
	Order   binary.ByteOrder
	Signed  bool  // fixed-point numbers
	Pad     uint8 // fixed-length strings: PadNullTerm, PadNullPad or PadSpacePad
	Charset uint8 // strings: CharsetASCII or CharsetUTF8
}

// IsString reports whether t is a fixed- or variable-length string.
func (t *Datatype) IsString() bool { return t.Class == ClassString || t.Class == ClassVarLen }

func (t *Datatype) String() string {
	switch t.Class {
	case ClassFixed:
		if t.Signed {
			return fmt.Sprintf("int%d", 8*t.Size)
		}
		return fmt.Sprintf("uint%d", 8*t.Size)
	case ClassFloat:
		return fmt.Sprintf("float%d", 8*t.Size)
	case ClassString:
		return "fixed-length string"
	case ClassVarLen:
		return "variable-length string"
	case ClassEnum:
		return "enum (such as boolean)"
	}
	return fmt.Sprintf("class %d", t.Class)
}

// Float decodes one floating-point element.
func (t *Datatype) Float(b []byte) float64 {
	if t.Size == 4 {
		return float64(math.Float32frombits(t.Order.Uint32(b)))
	}
	return math.Float64frombits(t.Order.Uint64(b))
}

// Int decodes one integer element; ok is false for unsigned values that
// do not fit an int64.
func (t *Datatype) Int(b []byte) (v int64, ok bool) {
	var u uint64
	switch t.Size {
	case 1:
		u = uint64(b[0])
	case 2:
		u = uint64(t.Order.Uint16(b))
	case 4:
		u = uint64(t.Order.Uint32(b))
	default:
		u = t.Order.Uint64(b)
	}
	bits := 8 * t.Size
	if !t.Signed {
		return int64(u), u <= math.MaxInt64
	}
	// Sign-extend from the element width.
	return int64(u<<(64-bits)) >> (64 - bits), true
}

// ParseDatatype decodes a datatype message body.
func (f *File) ParseDatatype(b []byte) (*Datatype, error) {
	d := f.decoder(b)
	b0 := d.u8()
	bits := d.take(3)
	size := uint64(d.u32())
	if d.err != nil {
		return nil, fmt.Errorf("malformed HDF5 datatype: %w", d.err)
	}
	class, version := Class(b0&0x0f), b0>>4
	if version < 1 || version > 5 {
		return nil, fmt.Errorf("malformed HDF5 datatype version %d", version)
	}
	if size == 0 {
		return nil, fmt.Errorf("malformed HDF5 datatype of size 0")
	}
	t := &Datatype{Class: class, Size: size, Order: binary.LittleEndian}
	if bits[0]&0x01 != 0 {
		t.Order = binary.BigEndian
	}
	switch class {
	case ClassFixed:
		t.Signed = bits[0]&0x08 != 0
		offset, precision := d.u16(), d.u16()
		if d.err != nil {
			return nil, fmt.Errorf("malformed HDF5 datatype: %w", d.err)
		}
		if (size != 1 && size != 2 && size != 4 && size != 8) || offset != 0 || uint64(precision) != 8*size {
			return nil, Unsupported("a %d-byte integer type of %d-bit precision at bit offset %d", size, precision, offset)
		}
	case ClassFloat:
		if bits[0]&0x40 != 0 {
			return nil, Unsupported("VAX floating-point byte order")
		}
		offset, precision := d.u16(), d.u16()
		eLoc, eSize, mLoc, mSize := d.u8(), d.u8(), d.u8(), d.u8()
		bias := d.u32()
		if d.err != nil {
			return nil, fmt.Errorf("malformed HDF5 datatype: %w", d.err)
		}
		ieee := offset == 0 && uint64(precision) == 8*size && mLoc == 0 &&
			(size == 4 && eLoc == 23 && eSize == 8 && mSize == 23 && bias == 127 ||
				size == 8 && eLoc == 52 && eSize == 11 && mSize == 52 && bias == 1023)
		if !ieee {
			return nil, Unsupported("a %d-byte non-IEEE floating-point type", size)
		}
	case ClassString:
		t.Pad, t.Charset = bits[0]&0x0f, bits[0]>>4
		if t.Charset > CharsetUTF8 {
			return nil, Unsupported("string character set %d", t.Charset)
		}
	case ClassVarLen:
		if bits[0]&0x0f != 1 {
			return nil, Unsupported("a variable-length sequence datatype")
		}
		t.Charset = bits[1] & 0x0f
		if t.Charset > CharsetUTF8 {
			return nil, Unsupported("string character set %d", t.Charset)
		}
		if t.Size != uint64(4+f.offSize+4) {
			return nil, fmt.Errorf("malformed HDF5 variable-length string type of size %d", t.Size)
		}
	case ClassEnum:
		// Enums (booleans) are recognised so that errors can name them.
	default:
		names := map[Class]string{ClassTime: "time", ClassBitfield: "bitfield", ClassOpaque: "opaque",
			ClassCompound: "compound", ClassReference: "reference", ClassArray: "array"}
		if name, ok := names[class]; ok {
			return nil, Unsupported("the HDF5 %s datatype", name)
		}
		return nil, fmt.Errorf("malformed HDF5 datatype class %d", class)
	}
	return t, nil
}

// Dataspace is the shape of a dataset or attribute: no dimensions for a
// scalar; a null dataspace has no elements.
type Dataspace struct {
	Dims []uint64
	Null bool
}

// maxRank is the largest rank the format allows.
const maxRank = 32

// ParseDataspace decodes a dataspace message body.
func (f *File) ParseDataspace(b []byte) (Dataspace, error) {
	d := f.decoder(b)
	version := d.u8()
	rank := int(d.u8())
	flags := d.u8()
	var s Dataspace
	switch version {
	case 1:
		d.skip(5) // reserved
	case 2:
		switch d.u8() {
		case 0: // scalar
			rank = 0
		case 1: // simple
		default:
			s.Null = true
			rank = 0
		}
	default:
		if d.err == nil {
			return s, Unsupported("HDF5 dataspace message version %d", version)
		}
	}
	if rank > maxRank {
		return s, fmt.Errorf("malformed HDF5 dataspace of rank %d", rank)
	}
	s.Dims = make([]uint64, rank)
	for i := range s.Dims {
		s.Dims[i] = d.length()
	}
	if flags&0x01 != 0 {
		d.skip(rank * f.lenSize) // maximum dimensions
	}
	if d.err != nil {
		return s, fmt.Errorf("malformed HDF5 dataspace: %w", d.err)
	}
	return s, nil
}

// Count returns the number of elements of s; ok is false on overflow.
func (s Dataspace) Count() (n uint64, ok bool) {
	if s.Null {
		return 0, true
	}
	n = 1
	for _, d := range s.Dims {
		if d != 0 && n > math.MaxUint64/d {
			return 0, false
		}
		n *= d
	}
	return n, true
}

// Dataspace returns the dataspace of o; ok is false when o has none, as
// groups do.
func (f *File) Dataspace(o *Object) (s Dataspace, ok bool, err error) {
	for _, m := range o.Messages {
		if m.Type != MsgDataspace {
			continue
		}
		if m.Shared() {
			return s, false, Unsupported("a shared HDF5 dataspace")
		}
		s, err = f.ParseDataspace(m.Data)
		return s, err == nil, err
	}
	return s, false, nil
}

// DecodeStrings decodes len(out) string elements of type t from b,
// reading variable-length strings from their global heaps.
func (f *File) DecodeStrings(t *Datatype, b []byte, out []string) error {
	if !t.IsString() {
		return fmt.Errorf("datatype %s is not a string", t)
	}
	if uint64(len(b))/t.Size < uint64(len(out)) {
		return fmt.Errorf("malformed HDF5 string data: %w", errShort)
	}
	if t.Class == ClassString {
		for i := range out {
			s := b[uint64(i)*t.Size : uint64(i+1)*t.Size]
			switch t.Pad {
			case PadNullTerm:
				if j := bytes.IndexByte(s, 0); j >= 0 {
					s = s[:j]
				}
			case PadNullPad:
				s = bytes.TrimRight(s, "\x00")
			case PadSpacePad:
				s = bytes.TrimRight(s, " ")
			}
			out[i] = string(s)
		}
		return nil
	}
	d := f.decoder(b)
	for i := range out {
		n := uint64(d.u32())
		coll := d.addr()
		index := d.u32()
		if d.err != nil {
			return fmt.Errorf("malformed HDF5 string reference: %w", d.err)
		}
		if n == 0 {
			out[i] = ""
			continue
		}
		obj, err := f.globalHeapObject(coll, index)
		if err != nil {
			return err
		}
		if n > uint64(len(obj)) {
			return fmt.Errorf("malformed HDF5 string of %d bytes in a global heap object of %d", n, len(obj))
		}
		if err := f.charge(n); err != nil {
			return err
		}
		out[i] = string(obj[:n])
	}
	return nil
}
