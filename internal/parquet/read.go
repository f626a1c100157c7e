package parquet

import (
	"encoding/binary"
	"errors"
	"fmt"
	"io"
	"math"
)

// Read reads a flat table written the way Write writes one: a schema of
// required INT64, DOUBLE and BYTE_ARRAY columns, PLAIN-encoded uncompressed
// data pages, any number of row groups and pages. Other files are refused
// with an error naming what is not supported.
func Read(r io.ReaderAt, size int64) ([]Column, error) {
	footer, err := footerBytes(r, size)
	if err != nil {
		return nil, err
	}
	var s shape // the checks Rows makes
	if err := s.read(footer); err != nil {
		return nil, fmt.Errorf("malformed footer: %w", err)
	}
	m := fileMeta{numRows: s.numRows}
	if err := m.read(footer); err != nil {
		return nil, fmt.Errorf("malformed footer: %w", err)
	}
	cols := make([]Column, len(m.leaves))
	seen := map[string]bool{}
	for i, l := range m.leaves {
		if err := checkName(l.name, seen); err != nil {
			return nil, err
		}
		cols[i].Name = l.name
		switch l.typ {
		case typeByteArray:
			cols[i].Strings = []string{}
		case typeInt64:
			cols[i].Int64s = []int64{}
		default:
			cols[i].Float64s = []float64{}
		}
	}
	for g, chunks := range m.rowGroups {
		if len(chunks) != len(cols) {
			return nil, fmt.Errorf("row group %d has %d column chunks for %d columns", g, len(chunks), len(cols))
		}
		for i, ch := range chunks {
			if ch.typ != m.leaves[i].typ {
				return nil, fmt.Errorf("column %q changes type in row group %d", cols[i].Name, g)
			}
			if ch.codec != 0 {
				return nil, fmt.Errorf("column %q is compressed (codec %d); only uncompressed files are supported", cols[i].Name, ch.codec)
			}
			if ch.offset < 4 || ch.length < 0 || ch.length > size-ch.offset {
				return nil, fmt.Errorf("column %q's chunk lies outside the file", cols[i].Name)
			}
			data := make([]byte, ch.length)
			if _, err := r.ReadAt(data, ch.offset); err != nil {
				return nil, err
			}
			if err := readPages(&cols[i], data, ch.values); err != nil {
				return nil, fmt.Errorf("column %q: %w", cols[i].Name, err)
			}
		}
	}
	for _, c := range cols {
		if _, n, _ := c.kind(); int64(n) != m.numRows {
			return nil, fmt.Errorf("column %q has %d values for %d rows", c.Name, n, m.numRows)
		}
	}
	return cols, nil
}

type leaf struct {
	name string
	typ  int32
}

type chunk struct {
	typ, codec     int32
	values         int64
	offset, length int64
}

// fileMeta is what Read needs of a footer; numRows comes from its shape.
type fileMeta struct {
	leaves    []leaf
	numRows   int64
	rowGroups [][]chunk
}

func (m *fileMeta) read(footer []byte) error {
	d := decoder{b: footer}
	return d.fields(0, func(id int16, t byte) error {
		switch {
		case id == 2 && t == tList:
			return m.schema(&d)
		case id == 4 && t == tList:
			return eachStruct(&d, func() error {
				var chunks []chunk
				err := d.fields(2, func(id int16, t byte) error {
					if id != 1 || t != tList {
						return d.skip(t, 3, false)
					}
					return eachStruct(&d, func() error {
						ch, err := readChunk(&d)
						chunks = append(chunks, ch)
						return err
					})
				})
				m.rowGroups = append(m.rowGroups, chunks)
				return err
			})
		}
		return d.skip(t, 1, false)
	})
}

// eachStruct reads a list of structs, calling fn at the start of each.
func eachStruct(d *decoder, fn func() error) error {
	et, n, err := d.list(1)
	if err != nil {
		return err
	}
	if n > 0 && et != tStruct {
		return fmt.Errorf("list of thrift type %d where structs belong", et)
	}
	for range n {
		if err := fn(); err != nil {
			return err
		}
	}
	return nil
}

// schema reads a flat schema: a root group whose children are all required
// leaves of a supported type.
func (m *fileMeta) schema(d *decoder) error {
	i := 0
	rootChildren := int32(-1)
	err := eachStruct(d, func() error {
		var l leaf
		typ, rep, children := int32(-1), int32(0), int32(0)
		err := d.fields(2, func(id int16, t byte) error {
			var err error
			switch {
			case id == 1 && t == tI32:
				typ, err = d.i32()
			case id == 3 && t == tI32:
				rep, err = d.i32()
			case id == 4 && t == tBinary:
				var b []byte
				b, err = d.binary()
				l.name = string(b)
			case id == 5 && t == tI32:
				children, err = d.i32()
			default:
				err = d.skip(t, 3, false)
			}
			return err
		})
		if err != nil {
			return err
		}
		if i == 0 {
			rootChildren = children
		} else {
			if children != 0 {
				return errors.New("nested columns are not supported")
			}
			if rep != 0 {
				return fmt.Errorf("column %q is not required; only required columns are supported", l.name)
			}
			if typ != typeInt64 && typ != typeDouble && typ != typeByteArray {
				return fmt.Errorf("column %q has physical type %d; only INT64, DOUBLE and BYTE_ARRAY are supported", l.name, typ)
			}
			l.typ = typ
			m.leaves = append(m.leaves, l)
		}
		i++
		return nil
	})
	if err != nil {
		return err
	}
	if int(rootChildren) != len(m.leaves) {
		return fmt.Errorf("schema root has %d children for %d columns", rootChildren, len(m.leaves))
	}
	return nil
}

func readChunk(d *decoder) (chunk, error) {
	var ch chunk
	ch.codec = -1
	err := d.fields(3, func(id int16, t byte) error {
		if id != 3 || t != tStruct {
			return d.skip(t, 4, false)
		}
		return d.fields(4, func(id int16, t byte) error {
			var err error
			switch {
			case id == 1 && t == tI32:
				ch.typ, err = d.i32()
			case id == 4 && t == tI32:
				ch.codec, err = d.i32()
			case id == 5 && t == tI64:
				ch.values, err = d.i64()
			case id == 7 && t == tI64:
				ch.length, err = d.i64()
			case id == 9 && t == tI64:
				ch.offset, err = d.i64()
			case id == 11:
				err = errors.New("dictionary pages are not supported")
			default:
				err = d.skip(t, 5, false)
			}
			return err
		})
	})
	return ch, err
}

// readPages decodes the data pages in data, appending values to c until it
// holds the chunk's values.
func readPages(c *Column, data []byte, values int64) error {
	d := decoder{b: data}
	for read := int64(0); read < values; {
		var kind, size, plainSize, n, encoding int32 = -1, -1, -2, -1, -1
		err := d.fields(0, func(id int16, t byte) error {
			var err error
			switch {
			case id == 1 && t == tI32:
				kind, err = d.i32()
			case id == 2 && t == tI32:
				plainSize, err = d.i32()
			case id == 3 && t == tI32:
				size, err = d.i32()
			case id == 5 && t == tStruct:
				err = d.fields(1, func(id int16, t byte) error {
					var err error
					switch {
					case id == 1 && t == tI32:
						n, err = d.i32()
					case id == 2 && t == tI32:
						encoding, err = d.i32()
					default:
						err = d.skip(t, 2, false)
					}
					return err
				})
			default:
				err = d.skip(t, 1, false)
			}
			return err
		})
		if err != nil {
			return fmt.Errorf("page header: %w", err)
		}
		if kind != 0 || encoding != 0 || size != plainSize || n < 0 {
			return errors.New("only PLAIN-encoded, uncompressed data pages (version 1) are supported")
		}
		page, err := d.bytes(int(size))
		if err != nil {
			return fmt.Errorf("page of %d bytes: %w", size, err)
		}
		if int64(n) > values-read {
			return fmt.Errorf("pages hold more than the chunk's %d values", values)
		}
		if err := decodePlain(c, page, int(n)); err != nil {
			return err
		}
		read += int64(n)
	}
	return nil
}

// decodePlain appends n PLAIN-encoded values from page to c.
func decodePlain(c *Column, page []byte, n int) error {
	width := 8
	if c.Strings != nil {
		width = 4
	}
	if n > len(page)/width {
		return fmt.Errorf("page of %d bytes cannot hold %d values", len(page), n)
	}
	for i := 0; i < n; i++ {
		if len(page) < width {
			return errShort
		}
		var v uint64
		if width == 4 {
			v = uint64(binary.LittleEndian.Uint32(page))
		} else {
			v = binary.LittleEndian.Uint64(page)
		}
		page = page[width:]
		switch {
		case c.Strings != nil:
			if uint64(len(page)) < v {
				return fmt.Errorf("string of %d bytes beyond the page", v)
			}
			c.Strings = append(c.Strings, string(page[:v]))
			page = page[v:]
		case c.Int64s != nil:
			c.Int64s = append(c.Int64s, int64(v))
		default:
			c.Float64s = append(c.Float64s, math.Float64frombits(v))
		}
	}
	return nil
}
