package parquet

import (
	"encoding/binary"
	"errors"
	"fmt"
	"io"
	"math"
)

// Column is one column of a flat table; exactly one of the value slices is
// used, and all columns of a table have the same length.
type Column struct {
	Name     string
	Strings  []string
	Int64s   []int64
	Float64s []float64
}

// kind returns the column's physical type and its length, or an error when
// it holds no slice or more than one.
func (c Column) kind() (int32, int, error) {
	var typ int32
	n, set := 0, 0
	if c.Strings != nil {
		typ, n, set = typeByteArray, len(c.Strings), set+1
	}
	if c.Int64s != nil {
		typ, n, set = typeInt64, len(c.Int64s), set+1
	}
	if c.Float64s != nil {
		typ, n, set = typeDouble, len(c.Float64s), set+1
	}
	if set != 1 {
		return 0, 0, fmt.Errorf("column %q must hold exactly one kind of values", c.Name)
	}
	return typ, n, nil
}

// plain encodes the column's values with the PLAIN encoding.
func (c Column) plain() []byte {
	var b []byte
	switch {
	case c.Strings != nil:
		for _, s := range c.Strings {
			b = binary.LittleEndian.AppendUint32(b, uint32(len(s)))
			b = append(b, s...)
		}
	case c.Int64s != nil:
		for _, v := range c.Int64s {
			b = binary.LittleEndian.AppendUint64(b, uint64(v))
		}
	default:
		for _, v := range c.Float64s {
			b = binary.LittleEndian.AppendUint64(b, math.Float64bits(v))
		}
	}
	return b
}

// Write writes cols as a Parquet file with one row group: required columns,
// one PLAIN-encoded, uncompressed data page each, strings annotated as UTF-8.
func Write(w io.Writer, cols []Column) error {
	if len(cols) == 0 {
		return errors.New("parquet: a table needs at least one column")
	}
	rows := -1
	seen := map[string]bool{}
	for _, c := range cols {
		_, n, err := c.kind()
		if err != nil {
			return fmt.Errorf("parquet: %w", err)
		}
		if err := checkName(c.Name, seen); err != nil {
			return err
		}
		if rows >= 0 && n != rows {
			return fmt.Errorf("parquet: column %q has %d values, the others %d", c.Name, n, rows)
		}
		rows = n
	}
	if rows > math.MaxInt32 {
		return fmt.Errorf("parquet: %d rows exceed one data page", rows)
	}

	out := []byte("PAR1")
	var chunks encoder // the row group's column chunks, encoded as they are written
	var total int64
	for _, c := range cols {
		typ, _, _ := c.kind()
		data := c.plain()
		if len(data) > math.MaxInt32 {
			return fmt.Errorf("parquet: column %q holds more than 2 GiB", c.Name)
		}
		var h encoder
		h.begin()
		h.i32Field(1, 0) // DATA_PAGE
		h.i32Field(2, int32(len(data)))
		h.i32Field(3, int32(len(data)))
		h.field(5, tStruct)
		h.begin()
		h.i32Field(1, int32(rows))
		h.i32Field(2, 0) // PLAIN
		h.i32Field(3, 3) // RLE (no levels are written for required columns)
		h.i32Field(4, 3)
		h.end()
		h.end()
		offset := int64(len(out))
		size := int64(len(h.b) + len(data))
		out = append(append(out, h.b...), data...)
		total += size

		chunks.begin()
		chunks.i64Field(2, offset)
		chunks.field(3, tStruct)
		chunks.begin()
		chunks.i32Field(1, typ)
		chunks.field(2, tList)
		chunks.listHeader(tI32, 2)
		chunks.zigzag(0) // PLAIN
		chunks.zigzag(3) // RLE
		chunks.field(3, tList)
		chunks.listHeader(tBinary, 1)
		chunks.uvarint(uint64(len(c.Name)))
		chunks.b = append(chunks.b, c.Name...)
		chunks.i32Field(4, 0) // UNCOMPRESSED
		chunks.i64Field(5, int64(rows))
		chunks.i64Field(6, size)
		chunks.i64Field(7, size)
		chunks.i64Field(9, offset)
		chunks.end()
		chunks.end()
	}

	var m encoder
	m.begin()
	m.i32Field(1, 1) // version
	m.field(2, tList)
	m.listHeader(tStruct, len(cols)+1)
	m.begin()
	m.binaryField(4, "schema")
	m.i32Field(5, int32(len(cols)))
	m.end()
	for _, c := range cols {
		typ, _, _ := c.kind()
		m.begin()
		m.i32Field(1, typ)
		m.i32Field(3, 0) // REQUIRED
		m.binaryField(4, c.Name)
		if typ == typeByteArray {
			m.i32Field(6, 0) // UTF8
		}
		m.end()
	}
	m.i64Field(3, int64(rows))
	m.field(4, tList)
	m.listHeader(tStruct, 1)
	m.begin()
	m.field(1, tList)
	m.listHeader(tStruct, len(cols))
	m.b = append(m.b, chunks.b...)
	m.i64Field(2, total)
	m.i64Field(3, int64(rows))
	m.end()
	m.binaryField(6, "lamin")
	m.end()

	out = append(out, m.b...)
	out = binary.LittleEndian.AppendUint32(out, uint32(len(m.b)))
	out = append(out, "PAR1"...)
	_, err := w.Write(out)
	return err
}

// checkName refuses an empty column name or one already in seen, and adds
// name to seen: tables are written and read only with unique, non-empty
// names, so what Read returns can be written again.
func checkName(name string, seen map[string]bool) error {
	if name == "" || seen[name] {
		return fmt.Errorf("parquet: column names must be unique and not empty (%q)", name)
	}
	seen[name] = true
	return nil
}
