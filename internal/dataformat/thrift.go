package dataformat

import (
	"errors"
	"fmt"
)

// Limits applied while checking Thrift compact-protocol data. The container
// limit matches the default of Apache Arrow's Parquet reader.
const (
	maxThriftDepth     = 64
	maxThriftContainer = 1_000_000
)

var errThriftShort = errors.New("thrift data ends early")

// checkCompactStruct walks one Thrift compact-protocol struct at the start
// of b without decoding it. It fails on anything a decoder could not read
// and on containers that claim more elements than the remaining bytes could
// hold, so that decoding b afterwards allocates memory in proportion to
// len(b) only.
func checkCompactStruct(b []byte) error {
	c := compactChecker{b: b}
	return c.structure(0)
}

type compactChecker struct {
	b   []byte
	off int
}

func (c *compactChecker) remaining() int { return len(c.b) - c.off }

func (c *compactChecker) next() (byte, error) {
	if c.off >= len(c.b) {
		return 0, errThriftShort
	}
	v := c.b[c.off]
	c.off++
	return v, nil
}

func (c *compactChecker) skip(n int) error {
	if n < 0 || n > c.remaining() {
		return errThriftShort
	}
	c.off += n
	return nil
}

func (c *compactChecker) uvarint() (uint64, error) {
	var v uint64
	for shift := uint(0); shift < 64; shift += 7 {
		b, err := c.next()
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

// count reads a container or byte-string length and checks that at least
// perItem bytes per element remain.
func (c *compactChecker) count(perItem int) (int, error) {
	v, err := c.uvarint()
	if err != nil {
		return 0, err
	}
	if v > uint64(c.remaining()/perItem) {
		return 0, fmt.Errorf("thrift length %d exceeds the remaining %d bytes", v, c.remaining())
	}
	return int(v), nil
}

func (c *compactChecker) structure(depth int) error {
	if depth > maxThriftDepth {
		return errors.New("thrift structs nested too deeply")
	}
	for {
		h, err := c.next()
		if err != nil {
			return err
		}
		t := h & 0x0f
		if t == 0 { // stop
			return nil
		}
		if h>>4 == 0 { // field id follows as a varint
			if _, err := c.uvarint(); err != nil {
				return err
			}
		}
		if t == 1 || t == 2 { // boolean held in the field header
			continue
		}
		if err := c.value(t, depth+1); err != nil {
			return err
		}
	}
}

func (c *compactChecker) value(t byte, depth int) error {
	switch t {
	case 1, 2, 3: // boolean container element, i8
		return c.skip(1)
	case 4, 5, 6: // i16, i32, i64
		_, err := c.uvarint()
		return err
	case 7: // double
		return c.skip(8)
	case 8: // binary
		n, err := c.count(1)
		if err != nil {
			return err
		}
		return c.skip(n)
	case 9, 10: // list, set
		return c.list(depth)
	case 11:
		return c.mapping(depth)
	case 12:
		return c.structure(depth)
	case 13: // uuid
		return c.skip(16)
	}
	return fmt.Errorf("unknown thrift type %d", t)
}

func (c *compactChecker) list(depth int) error {
	if depth > maxThriftDepth {
		return errors.New("thrift containers nested too deeply")
	}
	h, err := c.next()
	if err != nil {
		return err
	}
	n := int(h >> 4)
	if n == 0x0f {
		if n, err = c.count(1); err != nil {
			return err
		}
	} else if n > c.remaining() {
		return errThriftShort
	}
	if n > maxThriftContainer {
		return fmt.Errorf("thrift list of %d elements exceeds the limit of %d", n, maxThriftContainer)
	}
	for range n {
		if err := c.value(h&0x0f, depth+1); err != nil {
			return err
		}
	}
	return nil
}

func (c *compactChecker) mapping(depth int) error {
	if depth > maxThriftDepth {
		return errors.New("thrift containers nested too deeply")
	}
	n, err := c.count(2)
	if err != nil {
		return err
	}
	if n == 0 {
		return nil
	}
	if n > maxThriftContainer {
		return fmt.Errorf("thrift map of %d entries exceeds the limit of %d", n, maxThriftContainer)
	}
	kv, err := c.next()
	if err != nil {
		return err
	}
	for range n {
		if err := c.value(kv>>4, depth+1); err != nil {
			return err
		}
		if err := c.value(kv&0x0f, depth+1); err != nil {
			return err
		}
	}
	return nil
}
