package dataformat

import (
	"context"
	"encoding/binary"
	"errors"
	"fmt"
	"io"

	"github.com/parquet-go/parquet-go"
	"github.com/parquet-go/parquet-go/encoding/thrift"
	"github.com/parquet-go/parquet-go/format"
)

// parquetRows returns the row count recorded in the footer of the Parquet
// file at path. Only the footer is read: no data page, page index or bloom
// filter is touched.
//
// The footer is checked before it is handed to parquet-go, because the
// library sizes its allocations from counts found in the footer; a corrupt
// footer could otherwise make it request far more memory than the machine
// has, which is a fatal error rather than a recoverable one.
func parquetRows(ctx context.Context, path string) (int64, error) {
	return countInFile(ctx, path, "reading parquet footer of", parquetFooterRows)
}

// parquetFooterRows validates the footer of the size-byte Parquet file r and
// returns its row count. A failure inside the reader (a panic) becomes an
// error, so a damaged file never stops a save.
func parquetFooterRows(r io.ReaderAt, size int64) (n int64, err error) {
	defer func() {
		if p := recover(); p != nil {
			n, err = 0, fmt.Errorf("malformed file (reader failure: %v)", p)
		}
	}()
	return parquetFooter(r, size)
}

// parquetFooter is parquetFooterRows without the recover: the fuzz target
// calls it, so a panic on some input fails the target instead of passing
// as an error.
func parquetFooter(r io.ReaderAt, size int64) (int64, error) {
	// "PAR1", footer, footer length (4 bytes), "PAR1".
	const minSize = 4 + 4 + 4
	if size < minSize {
		return 0, fmt.Errorf("file of %d bytes is too small to be parquet", size)
	}
	var head, tail [4]byte
	if _, err := r.ReadAt(head[:], 0); err != nil {
		return 0, err
	}
	var trailer [8]byte
	if _, err := r.ReadAt(trailer[:], size-8); err != nil {
		return 0, err
	}
	copy(tail[:], trailer[4:])
	if string(head[:]) != "PAR1" || string(tail[:]) != "PAR1" {
		if string(head[:]) == "PARE" || string(tail[:]) == "PARE" {
			return 0, errors.New("encrypted parquet files are not supported")
		}
		return 0, fmt.Errorf("missing parquet magic bytes (found %q and %q)", head[:], tail[:])
	}
	footerLen := int64(binary.LittleEndian.Uint32(trailer[:4]))
	if footerLen > size-minSize {
		return 0, fmt.Errorf("footer length %d exceeds file size %d", footerLen, size)
	}
	footer := make([]byte, footerLen)
	if _, err := r.ReadAt(footer, size-8-footerLen); err != nil {
		return 0, err
	}
	if err := checkCompactStruct(footer); err != nil {
		return 0, fmt.Errorf("malformed footer: %w", err)
	}
	var md format.FileMetaData
	if err := thrift.Unmarshal(new(thrift.CompactProtocol), footer, &md); err != nil {
		return 0, fmt.Errorf("malformed footer: %w", err)
	}
	if err := checkSchemaShape(&md); err != nil {
		return 0, fmt.Errorf("malformed footer: %w", err)
	}

	pf, err := parquet.OpenFile(r, size,
		parquet.SkipPageIndex(true),
		parquet.SkipBloomFilters(true),
	)
	if err != nil {
		return 0, err
	}
	return pf.NumRows(), nil
}

// checkSchemaShape rejects footers whose schema and row groups disagree in
// ways that parquet-go only detects after allocating memory in proportion to
// the product of their sizes.
func checkSchemaShape(md *format.FileMetaData) error {
	if md.NumRows < 0 {
		return fmt.Errorf("negative row count %d", md.NumRows)
	}
	leaves := 0
	var open []int32 // children still expected at each open group
	for i := range md.Schema {
		if len(open) > parquet.MaxColumnDepth {
			return fmt.Errorf("schema nested more than %d levels deep", parquet.MaxColumnDepth)
		}
		el := &md.Schema[i]
		if el.NumChildren.Valid && el.NumChildren.V < 0 {
			return fmt.Errorf("schema element %d has %d children", i, el.NumChildren.V)
		}
		if el.Type.Valid {
			leaves++
		}
		if c := el.NumChildren; c.Valid && c.V > 0 {
			open = append(open, c.V)
			continue
		}
		for len(open) > 0 {
			open[len(open)-1]--
			if open[len(open)-1] > 0 {
				break
			}
			open = open[:len(open)-1]
		}
	}
	for i := range md.RowGroups {
		if got := len(md.RowGroups[i].Columns); got != leaves {
			return fmt.Errorf("row group %d has %d column chunks for %d leaf columns", i, got, leaves)
		}
	}
	return nil
}
