package parquet

import (
	"encoding/binary"
	"errors"
	"fmt"
	"io"
)

// MaxNesting is how deeply groups may nest in a schema this package reads.
const MaxNesting = 64

// Parquet physical types (the Type enum of parquet.thrift).
const (
	typeInt64     = 2
	typeDouble    = 5
	typeByteArray = 6
)

// footerBytes checks the magic bytes around the size-byte file r and returns
// its footer, checked to be one well-formed Thrift struct.
func footerBytes(r io.ReaderAt, size int64) ([]byte, error) {
	// "PAR1", footer, footer length (4 bytes), "PAR1".
	const minSize = 4 + 4 + 4
	if size < minSize {
		return nil, fmt.Errorf("file of %d bytes is too small to be parquet", size)
	}
	var head [4]byte
	if _, err := r.ReadAt(head[:], 0); err != nil {
		return nil, err
	}
	var trailer [8]byte
	if _, err := r.ReadAt(trailer[:], size-8); err != nil {
		return nil, err
	}
	tail := trailer[4:]
	if string(head[:]) != "PAR1" || string(tail) != "PAR1" {
		if string(head[:]) == "PARE" || string(tail) == "PARE" {
			return nil, errors.New("encrypted parquet files are not supported")
		}
		return nil, fmt.Errorf("missing parquet magic bytes (found %q and %q)", head[:], tail)
	}
	footerLen := int64(binary.LittleEndian.Uint32(trailer[:4]))
	if footerLen > size-minSize {
		return nil, fmt.Errorf("footer length %d exceeds file size %d", footerLen, size)
	}
	footer := make([]byte, footerLen)
	if _, err := r.ReadAt(footer, size-8-footerLen); err != nil {
		return nil, err
	}
	if err := checkStruct(footer); err != nil {
		return nil, fmt.Errorf("malformed footer: %w", err)
	}
	return footer, nil
}

// Rows returns the row count recorded in the footer of the size-byte
// Parquet file r, after checking that the footer is well formed: a schema
// whose groups close, nested at most MaxNesting deep, and row groups with one
// column chunk per leaf column. Only the footer is read.
func Rows(r io.ReaderAt, size int64) (int64, error) {
	footer, err := footerBytes(r, size)
	if err != nil {
		return 0, err
	}
	var s shape
	if err := s.read(footer); err != nil {
		return 0, fmt.Errorf("malformed footer: %w", err)
	}
	return s.numRows, nil
}

// shape is what Rows keeps of a footer: counts, never the elements.
type shape struct {
	numRows   int64
	hasRows   bool
	hasSchema bool
	leaves    int
	chunks    []int // column chunks per row group
	open      []int32
}

func (s *shape) read(footer []byte) error {
	d := decoder{b: footer}
	err := d.fields(0, func(id int16, t byte) error {
		switch {
		case id == 2 && t == tList:
			s.hasSchema = true
			return s.schema(&d)
		case id == 3 && t == tI64:
			n, err := d.i64()
			s.numRows, s.hasRows = n, true
			return err
		case id == 4 && t == tList:
			return s.rowGroups(&d)
		}
		return d.skip(t, 1, false)
	})
	if err != nil {
		return err
	}
	switch {
	case !s.hasSchema:
		return errors.New("no schema")
	case !s.hasRows:
		return errors.New("no row count")
	case s.numRows < 0:
		return fmt.Errorf("negative row count %d", s.numRows)
	}
	for i, n := range s.chunks {
		if n != s.leaves {
			return fmt.Errorf("row group %d has %d column chunks for %d leaf columns", i, n, s.leaves)
		}
	}
	return nil
}

// schema reads the list of schema elements, counting leaves and checking
// that groups close and nest at most MaxNesting deep.
func (s *shape) schema(d *decoder) error {
	et, n, err := d.list(1)
	if err != nil {
		return err
	}
	for i := range n {
		if et != tStruct {
			return fmt.Errorf("schema element of thrift type %d", et)
		}
		hasType, children := false, int32(0)
		err := d.fields(2, func(id int16, t byte) error {
			switch {
			case id == 1 && t == tI32:
				hasType = true
				_, err := d.i32()
				return err
			case id == 5 && t == tI32:
				var err error
				children, err = d.i32()
				return err
			}
			return d.skip(t, 3, false)
		})
		if err != nil {
			return err
		}
		if children < 0 {
			return fmt.Errorf("schema element %d has %d children", i, children)
		}
		if hasType {
			s.leaves++
		}
		if children > 0 {
			if len(s.open) >= MaxNesting {
				return fmt.Errorf("schema nested more than %d levels deep", MaxNesting)
			}
			s.open = append(s.open, children)
			continue
		}
		for len(s.open) > 0 {
			s.open[len(s.open)-1]--
			if s.open[len(s.open)-1] > 0 {
				break
			}
			s.open = s.open[:len(s.open)-1]
		}
	}
	return nil
}

// rowGroups reads the list of row groups, keeping each one's number of
// column chunks.
func (s *shape) rowGroups(d *decoder) error {
	et, n, err := d.list(1)
	if err != nil {
		return err
	}
	for range n {
		if et != tStruct {
			return fmt.Errorf("row group of thrift type %d", et)
		}
		chunks := 0
		err := d.fields(2, func(id int16, t byte) error {
			if id != 1 || t != tList {
				return d.skip(t, 3, false)
			}
			ct, m, err := d.list(3)
			if err != nil {
				return err
			}
			chunks = m
			for range m {
				if err := d.skip(ct, 4, true); err != nil {
					return err
				}
			}
			return nil
		})
		if err != nil {
			return err
		}
		s.chunks = append(s.chunks, chunks)
	}
	return nil
}
