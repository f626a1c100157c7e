package parquet

import (
	"encoding/binary"
	"errors"
	"fmt"
	"math"
)

// Thrift compact-protocol type codes.
const (
	tStop   = 0
	tTrue   = 1
	tFalse  = 2
	tByte   = 3
	tI16    = 4
	tI32    = 5
	tI64    = 6
	tDouble = 7
	tBinary = 8
	tList   = 9
	tSet    = 10
	tMap    = 11
	tStruct = 12
	tUUID   = 13
)

// Limits applied while reading Thrift data. The container limit matches the
// default of Apache Arrow's Parquet reader.
const (
	maxDepth     = 64
	maxContainer = 1_000_000
)

var errShort = errors.New("thrift data ends early")

// decoder reads Thrift compact-protocol values from b.
type decoder struct {
	b   []byte
	off int
	// boolean is the value of the last boolean field header read by fields.
	boolean bool
}

func (d *decoder) remaining() int { return len(d.b) - d.off }

func (d *decoder) next() (byte, error) {
	if d.off >= len(d.b) {
		return 0, errShort
	}
	v := d.b[d.off]
	d.off++
	return v, nil
}

func (d *decoder) bytes(n int) ([]byte, error) {
	if n < 0 || n > d.remaining() {
		return nil, errShort
	}
	v := d.b[d.off : d.off+n]
	d.off += n
	return v, nil
}

func (d *decoder) uvarint() (uint64, error) {
	var v uint64
	for shift := uint(0); shift < 64; shift += 7 {
		b, err := d.next()
		if err != nil {
			return 0, err
		}
		v |= uint64(b&0x7f) << shift
		if b < 0x80 {
			return v, nil
		}
	}
	return 0, errors.New("thrift varint too long")
}

func (d *decoder) i64() (int64, error) {
	u, err := d.uvarint()
	return int64(u>>1) ^ -int64(u&1), err
}

func (d *decoder) i32() (int32, error) {
	v, err := d.i64()
	if err != nil {
		return 0, err
	}
	if v < math.MinInt32 || v > math.MaxInt32 {
		return 0, fmt.Errorf("thrift i32 value %d out of range", v)
	}
	return int32(v), nil
}

// count reads a container or byte-string length and checks that at least
// perItem bytes per element remain.
func (d *decoder) count(perItem int) (int, error) {
	v, err := d.uvarint()
	if err != nil {
		return 0, err
	}
	if v > uint64(d.remaining()/perItem) {
		return 0, fmt.Errorf("thrift length %d exceeds the remaining %d bytes", v, d.remaining())
	}
	return int(v), nil
}

func (d *decoder) binary() ([]byte, error) {
	n, err := d.count(1)
	if err != nil {
		return nil, err
	}
	return d.bytes(n)
}

// fields calls fn for each field of the struct at the decoder's position;
// fn must consume the field's value (with skip when it does not want it).
// Boolean fields carry their value in the header: fn finds it in d.boolean.
func (d *decoder) fields(depth int, fn func(id int16, t byte) error) error {
	if depth > maxDepth {
		return errors.New("thrift structs nested too deeply")
	}
	var last int16
	for {
		h, err := d.next()
		if err != nil {
			return err
		}
		t := h & 0x0f
		if t == tStop {
			return nil
		}
		id := last + int16(h>>4)
		if h>>4 == 0 {
			v, err := d.i64()
			if err != nil {
				return err
			}
			if v < math.MinInt16 || v > math.MaxInt16 {
				return fmt.Errorf("thrift field id %d out of range", v)
			}
			id = int16(v)
		}
		last = id
		if t == tTrue || t == tFalse {
			d.boolean = t == tTrue
			if err := fn(id, tTrue); err != nil {
				return err
			}
			continue
		}
		if err := fn(id, t); err != nil {
			return err
		}
	}
}

// list reads a list or set header: the element type and count.
func (d *decoder) list(depth int) (byte, int, error) {
	if depth > maxDepth {
		return 0, 0, errors.New("thrift containers nested too deeply")
	}
	h, err := d.next()
	if err != nil {
		return 0, 0, err
	}
	n := int(h >> 4)
	if n == 0x0f {
		if n, err = d.count(1); err != nil {
			return 0, 0, err
		}
	} else if n > d.remaining() {
		return 0, 0, errShort
	}
	if n > maxContainer {
		return 0, 0, fmt.Errorf("thrift list of %d elements exceeds the limit of %d", n, maxContainer)
	}
	return h & 0x0f, n, nil
}

// skip consumes one value of type t. For a field, a boolean (tTrue) has no
// bytes beyond its header; as a container element it has one.
func (d *decoder) skip(t byte, depth int, inContainer bool) error {
	switch t {
	case tTrue, tFalse:
		if inContainer {
			_, err := d.bytes(1)
			return err
		}
		return nil
	case tByte:
		_, err := d.bytes(1)
		return err
	case tI16, tI32, tI64:
		_, err := d.uvarint()
		return err
	case tDouble:
		_, err := d.bytes(8)
		return err
	case tBinary:
		_, err := d.binary()
		return err
	case tList, tSet:
		et, n, err := d.list(depth)
		if err != nil {
			return err
		}
		for range n {
			if err := d.skip(et, depth+1, true); err != nil {
				return err
			}
		}
		return nil
	case tMap:
		return d.skipMap(depth)
	case tStruct:
		return d.fields(depth+1, func(_ int16, t byte) error { return d.skip(t, depth+1, false) })
	case tUUID:
		_, err := d.bytes(16)
		return err
	}
	return fmt.Errorf("unknown thrift type %d", t)
}

func (d *decoder) skipMap(depth int) error {
	if depth > maxDepth {
		return errors.New("thrift containers nested too deeply")
	}
	n, err := d.count(2)
	if err != nil || n == 0 {
		return err
	}
	if n > maxContainer {
		return fmt.Errorf("thrift map of %d entries exceeds the limit of %d", n, maxContainer)
	}
	kv, err := d.next()
	if err != nil {
		return err
	}
	for range n {
		if err := d.skip(kv>>4, depth+1, true); err != nil {
			return err
		}
		if err := d.skip(kv&0x0f, depth+1, true); err != nil {
			return err
		}
	}
	return nil
}

// checkStruct walks one struct at the start of b without keeping anything:
// it fails on anything a decoder could not read and on containers that
// claim more elements than the remaining bytes could hold.
func checkStruct(b []byte) error {
	d := decoder{b: b}
	return d.skip(tStruct, 0, false)
}

// encoder writes Thrift compact-protocol values.
type encoder struct {
	b    []byte
	last []int16 // last field id of each open struct
}

func (e *encoder) uvarint(v uint64) { e.b = binary.AppendUvarint(e.b, v) }

func (e *encoder) zigzag(v int64) { e.uvarint(uint64(v<<1) ^ uint64(v>>63)) }

func (e *encoder) begin() { e.last = append(e.last, 0) }

func (e *encoder) end() {
	e.b = append(e.b, tStop)
	e.last = e.last[:len(e.last)-1]
}

func (e *encoder) field(id int16, t byte) {
	last := &e.last[len(e.last)-1]
	if d := id - *last; d > 0 && d <= 15 {
		e.b = append(e.b, byte(d)<<4|t)
	} else {
		e.b = append(e.b, t)
		e.zigzag(int64(id))
	}
	*last = id
}

func (e *encoder) i32Field(id int16, v int32) { e.field(id, tI32); e.zigzag(int64(v)) }
func (e *encoder) i64Field(id int16, v int64) { e.field(id, tI64); e.zigzag(v) }

func (e *encoder) binaryField(id int16, v string) {
	e.field(id, tBinary)
	e.uvarint(uint64(len(v)))
	e.b = append(e.b, v...)
}

func (e *encoder) listHeader(t byte, n int) {
	if n < 15 {
		e.b = append(e.b, byte(n)<<4|t)
		return
	}
	e.b = append(e.b, 0xf0|t)
	e.uvarint(uint64(n))
}
