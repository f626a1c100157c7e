package dataformat

import (
	"context"
	"fmt"
	"io"

	"github.com/lamin-go/lamin/internal/parquet"
)

// parquetRows returns the row count recorded in the footer of the Parquet
// file at path. Only the footer is read: no data page, page index or bloom
// filter is touched.
//
// The footer is checked to be well formed first (internal/parquet), so a
// corrupt footer costs memory in proportion to its size and ends in an error.
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
	return parquet.Rows(r, size)
}
