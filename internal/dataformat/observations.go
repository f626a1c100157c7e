package dataformat

import (
	"bufio"
	"bytes"
	"compress/gzip"
	"context"
	"encoding/csv"
	"errors"
	"fmt"
	"io"
	"os"
)

// readBufferSize is the size of the buffers used to stream delimited files.
const readBufferSize = 1 << 20

// maxCarry bounds how much of an unterminated line the fast line counter
// keeps in memory so that it can hand the line over to the CSV parser. A
// longer line forces the parser to start again from the top of the file.
const maxCarry = 1 << 20

// scanSizes sets the chunk size of the line scan and the longest line it
// keeps for replay; tests shrink them to exercise chunk boundaries.
type scanSizes struct {
	chunk, carry int
}

var defaultScanSizes = scanSizes{chunk: readBufferSize, carry: maxCarry}

// Observations returns the number of observations (data rows) in the file at
// path, interpreted according to suffix as returned by Suffix.
//
// For .csv, .tsv, .csv.gz and .tsv.gz files it counts the records after the
// header line; for .parquet files it reads the row count from the footer;
// for .h5ad files it reads the length of the obs index from the HDF5
// metadata. ok is false when no count is available: either the suffix has
// no counter or the file uses an HDF5 feature the reader lacks (err is nil),
// or the file could not be read or is malformed (err says why). Observations
// never panics, whatever the file contains.
func Observations(ctx context.Context, path, suffix string) (n int64, ok bool, err error) {
	defer func() {
		if r := recover(); r != nil {
			n, ok, err = 0, false, fmt.Errorf("dataformat: counting observations in %s: unexpected failure: %v", path, r)
		}
	}()
	switch suffix {
	case ".csv":
		n, err = countDelimited(ctx, path, ',', false)
	case ".tsv":
		n, err = countDelimited(ctx, path, '\t', false)
	case ".csv.gz":
		n, err = countDelimited(ctx, path, ',', true)
	case ".tsv.gz":
		n, err = countDelimited(ctx, path, '\t', true)
	case ".parquet":
		n, err = parquetRows(ctx, path)
	case ".h5ad":
		n, err = h5adObservations(ctx, path)
		if errors.Is(err, errors.ErrUnsupported) {
			return 0, false, nil
		}
	default:
		return 0, false, nil
	}
	if err != nil {
		return 0, false, err
	}
	return n, true, nil
}

// countDelimited returns the number of data rows of a delimited text file:
// the records encoding/csv would read, minus the header record.
func countDelimited(ctx context.Context, path string, comma rune, gz bool) (int64, error) {
	f, err := os.Open(path)
	if err != nil {
		return 0, fmt.Errorf("dataformat: %w", err)
	}
	defer f.Close()

	sz := defaultScanSizes
	if st, err := f.Stat(); err == nil && !gz && st.Size() < int64(sz.chunk) {
		// A small file needs no megabyte buffer: allocating (and faulting
		// in) one per file dominated saving thousands of small tables.
		sz.chunk = max(int(st.Size())+1, 4096)
	}
	records, err := countRecords(ctx, f, comma, gz, sz)
	if err != nil {
		return 0, fmt.Errorf("dataformat: reading %s: %w", path, err)
	}
	if records == 0 {
		return 0, nil
	}
	return records - 1, nil
}

// openStream returns a reader over the (possibly gzip-compressed) content
// of f, starting from the beginning of the file. An empty compressed file
// reads as empty content.
func openStream(f *os.File, gz bool) (io.Reader, error) {
	if _, err := f.Seek(0, io.SeekStart); err != nil {
		return nil, err
	}
	if !gz {
		return f, nil
	}
	zr, err := gzip.NewReader(bufio.NewReaderSize(f, readBufferSize))
	if errors.Is(err, io.EOF) {
		return bytes.NewReader(nil), nil
	}
	if err != nil {
		return nil, err
	}
	return zr, nil
}

// countRecords counts the records in f with encoding/csv semantics. While
// no quote character has been seen, records are simply non-empty lines, so
// the content is scanned for line breaks; from the line holding the first
// quote on, the rest is handed to a csv.Reader.
func countRecords(ctx context.Context, f *os.File, comma rune, gz bool, sz scanSizes) (int64, error) {
	src, err := openStream(f, gz)
	if err != nil {
		return 0, err
	}
	buf := make([]byte, sz.chunk)
	var lc lineCounter
	var carry []byte   // bytes of the current unterminated line
	carryLost := false // carry exceeded maxCarry and was dropped
	for {
		if err := ctx.Err(); err != nil {
			return 0, err
		}
		m, rerr := fill(src, buf)
		chunk := buf[:m]
		if q := bytes.IndexByte(chunk, '"'); q >= 0 {
			start := bytes.LastIndexByte(chunk[:q], '\n') + 1
			var rest io.Reader
			if start > 0 {
				lc.scan(chunk[:start])
				rest = bytes.NewReader(chunk[start:])
			} else if !carryLost {
				rest = io.MultiReader(bytes.NewReader(carry), bytes.NewReader(chunk))
			} else {
				// The line began too long ago to be replayed: parse the
				// whole content instead.
				src, err := openStream(f, gz)
				if err != nil {
					return 0, err
				}
				return parseRecords(ctx, src, comma)
			}
			if rerr == nil {
				rest = io.MultiReader(rest, src)
			} else if !isEOF(rerr) {
				return 0, rerr
			}
			n, err := parseRecords(ctx, rest, comma)
			if err != nil {
				return 0, err
			}
			return lc.records + n, nil
		}
		lc.scan(chunk)
		if nl := bytes.LastIndexByte(chunk, '\n'); nl >= 0 {
			carry = append(carry[:0], chunk[nl+1:]...)
			carryLost = false
		} else if !carryLost {
			if len(carry)+len(chunk) > sz.carry {
				carry, carryLost = nil, true
			} else {
				carry = append(carry, chunk...)
			}
		}
		if rerr != nil {
			if isEOF(rerr) {
				lc.endLine()
				return lc.records, nil
			}
			return 0, rerr
		}
	}
}

func isEOF(err error) bool {
	return errors.Is(err, io.EOF)
}

// fill reads from r until buf is full or r returns an error, which is passed
// on unchanged (unlike io.ReadFull, so that a truncated gzip stream's
// io.ErrUnexpectedEOF is not mistaken for a short final read).
func fill(r io.Reader, buf []byte) (int, error) {
	n := 0
	for n < len(buf) {
		m, err := r.Read(buf[n:])
		n += m
		if err != nil {
			return n, err
		}
	}
	return n, nil
}

// lineCounter counts the non-empty lines of quote-free content, which is
// what encoding/csv reports as records for such content: lines are ended by
// '\n', and a line holding nothing or only "\r" is skipped.
type lineCounter struct {
	records int64
	lineLen int64 // bytes seen so far in the current line
	lineCR  bool  // the current line so far is exactly "\r"
}

func (c *lineCounter) scan(b []byte) {
	for len(b) > 0 {
		i := bytes.IndexByte(b, '\n')
		if i < 0 {
			c.extend(b)
			return
		}
		c.extend(b[:i])
		c.endLine()
		b = b[i+1:]
	}
}

func (c *lineCounter) extend(b []byte) {
	if len(b) == 0 {
		return
	}
	c.lineLen += int64(len(b))
	c.lineCR = c.lineLen == 1 && b[0] == '\r'
}

func (c *lineCounter) endLine() {
	if c.lineLen > 0 && !c.lineCR {
		c.records++
	}
	c.lineLen, c.lineCR = 0, false
}

// parseRecords counts the records in r with a lenient csv.Reader.
func parseRecords(ctx context.Context, r io.Reader, comma rune) (int64, error) {
	cr := csv.NewReader(bufio.NewReaderSize(r, readBufferSize))
	cr.Comma = comma
	cr.FieldsPerRecord = -1
	cr.LazyQuotes = true
	cr.ReuseRecord = true
	var n int64
	for {
		if _, err := cr.Read(); err != nil {
			if err == io.EOF {
				return n, nil
			}
			return 0, err
		}
		n++
		if n%(1<<16) == 0 {
			if err := ctx.Err(); err != nil {
				return 0, err
			}
		}
	}
}

// countInFile opens the file at path and counts its observations with
// count, which reads only what it needs at the offsets it chooses. Errors
// of count are reported as "dataformat: <doing> <path>: <why>".
func countInFile(ctx context.Context, path, doing string, count func(r io.ReaderAt, size int64) (int64, error)) (int64, error) {
	f, err := os.Open(path)
	if err != nil {
		return 0, fmt.Errorf("dataformat: %w", err)
	}
	defer f.Close()
	st, err := f.Stat()
	if err != nil {
		return 0, fmt.Errorf("dataformat: %w", err)
	}
	if err := ctx.Err(); err != nil {
		return 0, err
	}
	n, err := count(f, st.Size())
	if err != nil {
		return 0, fmt.Errorf("dataformat: %s %s: %w", doing, path, err)
	}
	return n, nil
}
