package dataformat

import (
	"bytes"
	"compress/gzip"
	"context"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/parquet-go/parquet-go"
)

// writeFile writes data to a file called name in a fresh temporary directory
// and returns its path.
func writeFile(t testing.TB, name string, data []byte) string {
	t.Helper()
	p := filepath.Join(t.TempDir(), name)
	if err := os.WriteFile(p, data, 0o600); err != nil {
		t.Fatal(err)
	}
	return p
}

func gzipBytes(t testing.TB, data []byte) []byte {
	t.Helper()
	var buf bytes.Buffer
	zw := gzip.NewWriter(&buf)
	if _, err := zw.Write(data); err != nil {
		t.Fatal(err)
	}
	if err := zw.Close(); err != nil {
		t.Fatal(err)
	}
	return buf.Bytes()
}

func csvRows(n int, sep string) []byte {
	var b strings.Builder
	b.WriteString("id" + sep + "gene" + sep + "score\n")
	for i := range n {
		fmt.Fprintf(&b, "%d%sG%d%s%d.5\n", i, sep, i, sep, i)
	}
	return []byte(b.String())
}

func TestObservationsDelimited(t *testing.T) {
	tests := []struct {
		name    string
		suffix  string
		content []byte
		want    int64
	}{
		{"a csv with 200 data rows has 200 observations", ".csv", csvRows(200, ","), 200},
		{"a tsv with 50 data rows has 50 observations", ".tsv", csvRows(50, "\t"), 50},
		{"a gzipped csv is decompressed before counting", ".csv.gz", gzipBytes(t, csvRows(77, ",")), 77},
		{"a gzipped tsv is decompressed before counting", ".tsv.gz", gzipBytes(t, csvRows(5, "\t")), 5},
		{"a quoted field holding a newline stays one row", ".csv", []byte("a,b\n1,\"two\nlines\"\n2,x\n"), 2},
		{"a quoted field holding a delimiter stays one row", ".csv", []byte("a,b\n\"1,5\",x\n"), 1},
		{"a quoted tsv field holding a tab and newline stays one row", ".tsv", []byte("a\tb\n\"x\t\ny\"\tz\n"), 1},
		{"a gzipped csv with quoted newlines counts records", ".csv.gz", gzipBytes(t, []byte("h\n\"a\nb\"\n\"c\"\n")), 2},
		{"a header-only file has no observations", ".csv", []byte("a,b,c\n"), 0},
		{"a header without a final newline has no observations", ".csv", []byte("a,b,c"), 0},
		{"an empty file has no observations", ".csv", nil, 0},
		{"an empty gzip file has no observations", ".csv.gz", nil, 0},
		{"a gzip stream of nothing has no observations", ".csv.gz", gzipBytes(t, nil), 0},
		{"a final row without newline is counted", ".csv", []byte("a\n1\n2"), 2},
		{"a blank trailing line is not counted", ".csv", []byte("a\n1\n2\n\n"), 2},
		{"blank lines between rows are not counted", ".csv", []byte("a\n\n1\r\n\r\n2\n"), 2},
		{"windows line endings are handled", ".csv", []byte("a,b\r\n1,2\r\n3,4\r\n"), 2},
		{"a bare carriage return at the end is not a row", ".csv", []byte("a\n1\n\r"), 1},
		{"a lone quote in an unquoted field is tolerated", ".csv", []byte("a,b\n1,x\"y\n2,z\n"), 2},
		{"an unterminated quoted field runs to the end of the file", ".csv", []byte("a\n\"open\n1\n2\n"), 1},
		{"a file of only blank lines has no observations", ".csv", []byte("\n\n\r\n"), 0},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			p := writeFile(t, "data"+tt.suffix, tt.content)
			n, ok, err := Observations(context.Background(), p, tt.suffix)
			if err != nil || !ok {
				t.Fatalf("Observations() = %d, %v, %v; want %d, true, nil", n, ok, err, tt.want)
			}
			if n != tt.want {
				t.Errorf("Observations() = %d, want %d", n, tt.want)
			}
		})
	}
}

func TestObservationsFailures(t *testing.T) {
	gz := gzipBytes(t, csvRows(1000, ","))
	tests := []struct {
		name    string
		suffix  string
		content []byte
		wantErr bool
	}{
		{"a gzipped csv that is not gzip fails", ".csv.gz", []byte("a,b\n1,2\n"), true},
		{"a truncated gzipped csv fails", ".csv.gz", gz[:len(gz)/2], true},
		{"a gzipped csv with a corrupted checksum fails", ".csv.gz", append(append([]byte{}, gz[:len(gz)-8]...), 0, 0, 0, 0, 0, 0, 0, 0), true},
		{"a file with an unsupported suffix has no count and no error", ".json", []byte("{}"), false},
		{"an h5ad file that is not HDF5 fails", ".h5ad", []byte("not hdf5 at all"), true},
		{"a file without suffix has no count and no error", "", []byte("a\n1\n"), false},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			p := writeFile(t, "data"+tt.suffix, tt.content)
			n, ok, err := Observations(context.Background(), p, tt.suffix)
			if ok || n != 0 {
				t.Fatalf("Observations() = %d, %v, %v; want no count", n, ok, err)
			}
			if (err != nil) != tt.wantErr {
				t.Errorf("Observations() error = %v, want error: %v", err, tt.wantErr)
			}
		})
	}

	t.Run("a missing file reports an error", func(t *testing.T) {
		_, ok, err := Observations(context.Background(), filepath.Join(t.TempDir(), "nope.csv"), ".csv")
		if ok || err == nil {
			t.Errorf("Observations() = %v, %v; want false and an error", ok, err)
		}
	})
	t.Run("a cancelled context stops the count", func(t *testing.T) {
		ctx, cancel := context.WithCancel(context.Background())
		cancel()
		p := writeFile(t, "data.csv", csvRows(10, ","))
		_, ok, err := Observations(ctx, p, ".csv")
		if ok || err == nil {
			t.Errorf("Observations() = %v, %v; want false and an error", ok, err)
		}
	})
}

// TestCountRecordsAgreesWithCSV checks the line scan and its hand-over to
// the CSV parser against encoding/csv alone, with chunks small enough to
// split lines, quotes and line endings at every position.
func TestCountRecordsAgreesWithCSV(t *testing.T) {
	long := strings.Repeat("x", 40)
	contents := []string{
		"",
		"a,b\n1,2\n3,4\n",
		"a,b\r\n1,2\r\n\r\n3,4",
		"h\n\"q\nr\"\n2\n",
		"h\n1\n2\n3\n\"late\nquote\"\n4\n",
		"h\n" + long + "\"" + long + "\n5\n",
		"h\n" + long + "\n" + long + "\"\n\"" + long + "\n\"\n",
		"\n\n\r\n\r",
		"\"\"\"\n\"\n",
		"a\rb\n\rc\n\r\r\n\r\n",
		strings.Repeat("row,1\n", 300) + "\"x\ny\"\n" + strings.Repeat("row,2\n", 300),
	}
	sizes := []scanSizes{
		{chunk: 1, carry: 0},
		{chunk: 1, carry: 1 << 20},
		{chunk: 2, carry: 3},
		{chunk: 3, carry: 4},
		{chunk: 7, carry: 16},
		{chunk: 64, carry: 8},
		{chunk: 1 << 20, carry: 1 << 20},
	}
	for i, content := range contents {
		want, err := parseRecords(context.Background(), strings.NewReader(content), ',')
		if err != nil {
			t.Fatal(err)
		}
		for _, gz := range []bool{false, true} {
			data := []byte(content)
			if gz {
				data = gzipBytes(t, data)
			}
			p := writeFile(t, "data.csv", data)
			for _, sz := range sizes {
				name := fmt.Sprintf("content %d with gzip %v, chunk %d and carry %d counts %d records", i, gz, sz.chunk, sz.carry, want)
				t.Run(name, func(t *testing.T) {
					f, err := os.Open(p)
					if err != nil {
						t.Fatal(err)
					}
					defer f.Close()
					got, err := countRecords(context.Background(), f, ',', gz, sz)
					if err != nil {
						t.Fatal(err)
					}
					if got != want {
						t.Errorf("countRecords() = %d, want %d", got, want)
					}
				})
			}
		}
	}
}

type parquetRow struct {
	ID    int64   `parquet:"id"`
	Gene  string  `parquet:"gene"`
	Score float64 `parquet:"score,optional"`
}

func parquetBytes(t testing.TB, n int, opts ...parquet.WriterOption) []byte {
	t.Helper()
	rows := make([]parquetRow, n)
	for i := range rows {
		rows[i] = parquetRow{ID: int64(i), Gene: fmt.Sprintf("G%d", i), Score: float64(i) / 2}
	}
	var buf bytes.Buffer
	if err := parquet.Write(&buf, rows, opts...); err != nil {
		t.Fatal(err)
	}
	return buf.Bytes()
}

func TestObservationsParquet(t *testing.T) {
	t.Run("a parquet file written with 123 rows has 123 observations", func(t *testing.T) {
		rows := make([]parquetRow, 123)
		for i := range rows {
			rows[i] = parquetRow{ID: int64(i), Gene: fmt.Sprintf("G%d", i)}
		}
		p := filepath.Join(t.TempDir(), "data.parquet")
		if err := parquet.WriteFile(p, rows); err != nil {
			t.Fatal(err)
		}
		n, ok, err := Observations(context.Background(), p, ".parquet")
		if err != nil || !ok || n != 123 {
			t.Errorf("Observations() = %d, %v, %v; want 123, true, nil", n, ok, err)
		}
	})

	valid := parquetBytes(t, 1000, parquet.PageBufferSize(256), parquet.MaxRowsPerRowGroup(100))
	tests := []struct {
		name    string
		content []byte
		want    int64
		wantOK  bool
	}{
		{"row counts add up over several row groups", valid, 1000, true},
		{"a parquet file without rows has no observations", parquetBytes(t, 0), 0, true},
		{"a truncated parquet file fails", valid[:len(valid)-100], 0, false},
		{"a parquet file cut after its magic fails", valid[:4], 0, false},
		{"an empty parquet file fails", nil, 0, false},
		{"garbage fails", bytes.Repeat([]byte("garbage!"), 100), 0, false},
		{"magic bytes around garbage fail", append(append([]byte("PAR1"), bytes.Repeat([]byte{0xff}, 64)...), 0x20, 0, 0, 0, 'P', 'A', 'R', '1'), 0, false},
		{"a footer length beyond the file fails", append([]byte("PAR1PAR1"), 0xff, 0xff, 0, 0, 'P', 'A', 'R', '1'), 0, false},
		{"an encrypted footer is reported as unsupported", append([]byte("PAR1PAR1"), 0, 0, 0, 0, 'P', 'A', 'R', 'E'), 0, false},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			p := writeFile(t, "data.parquet", tt.content)
			n, ok, err := Observations(context.Background(), p, ".parquet")
			if ok != tt.wantOK || n != tt.want || (err == nil) != tt.wantOK {
				t.Errorf("Observations() = %d, %v, %v; want %d, %v", n, ok, err, tt.want, tt.wantOK)
			}
		})
	}
}

func TestObservationsParquetCorruptFooters(t *testing.T) {
	valid := parquetBytes(t, 50)
	footerLen := int(valid[len(valid)-8]) | int(valid[len(valid)-7])<<8 | int(valid[len(valid)-6])<<16
	footerStart := len(valid) - 8 - footerLen
	// Flipping each footer byte in turn must never crash; most flips are
	// reported as errors and none may yield a negative count.
	for i := footerStart; i < len(valid)-8; i++ {
		for _, x := range []byte{0xff, 0x80, 0x0f, 0x01} {
			data := append([]byte{}, valid...)
			data[i] ^= x
			n, err := parquetFooterRows(bytes.NewReader(data), int64(len(data)))
			if err == nil && n < 0 {
				t.Fatalf("flipping byte %d by %#x gave %d rows", i, x, n)
			}
		}
	}
}

func FuzzCSVObservations(f *testing.F) {
	for _, s := range []string{
		"", "a,b\n1,2\n", "h\n\"x\ny\"\n", "a\r\n\r\n1\r", "\"", "\"\"\"\n", "a\tb\n1\t2\n",
	} {
		f.Add([]byte(s), false)
	}
	f.Add(gzipBytes(f, []byte("a,b\n1,2\n")), true)
	f.Add([]byte{0x1f, 0x8b, 0x08, 0x00}, true)
	f.Fuzz(func(t *testing.T, data []byte, gz bool) {
		suffix := ".csv"
		if gz {
			suffix = ".csv.gz"
		}
		p := writeFile(t, "data"+suffix, data)
		n, ok, err := Observations(context.Background(), p, suffix)
		if ok != (err == nil) || n < 0 || (!ok && n != 0) {
			t.Fatalf("Observations() = %d, %v, %v", n, ok, err)
		}
		if gz {
			return
		}
		want, err := parseRecords(context.Background(), bytes.NewReader(data), ',')
		if err != nil {
			t.Fatal(err)
		}
		want = max(want-1, 0)
		if n != want {
			t.Fatalf("Observations() = %d, encoding/csv counts %d", n, want)
		}
		f, err := os.Open(p)
		if err != nil {
			t.Fatal(err)
		}
		defer f.Close()
		got, err := countRecords(context.Background(), f, ',', false, scanSizes{chunk: 3, carry: 5})
		if err != nil || max(got-1, 0) != want {
			t.Fatalf("countRecords() with small chunks = %d, %v; encoding/csv counts %d records", got, err, want+1)
		}
	})
}

func FuzzParquetObservations(f *testing.F) {
	f.Add(parquetBytes(f, 3))
	f.Add(parquetBytes(f, 40, parquet.MaxRowsPerRowGroup(7)))
	f.Add([]byte("PAR1"))
	f.Add([]byte("PAR1\x00\x00\x00\x00PAR1"))
	f.Add([]byte("PAR1\x15\x02\x00\x03\x00\x00\x00PAR1"))
	f.Fuzz(func(t *testing.T, data []byte) {
		// The footer reader itself, without the recover that guards saves:
		// a panic on any input fails the target.
		n, err := parquetFooter(bytes.NewReader(data), int64(len(data)))
		if n < 0 || (err != nil && n != 0) {
			t.Fatalf("parquetFooter() = %d, %v", n, err)
		}
		p := writeFile(t, "data.parquet", data)
		pn, ok, perr := Observations(context.Background(), p, ".parquet")
		if pn != n || ok != (err == nil) || (perr == nil) != (err == nil) {
			t.Fatalf("Observations() = %d, %v, %v; the reader gave %d, %v", pn, ok, perr, n, err)
		}
	})
}

// panickingReader fails the way a reader bug would: with a panic.
type panickingReader struct{}

func (panickingReader) ReadAt([]byte, int64) (int, error) { panic("reader bug") }

func TestCountersTurnPanicsIntoErrorsWhileTheFuzzedReadersLetThemThrough(t *testing.T) {
	counters := []struct {
		name   string
		guard  func(io.ReaderAt, int64) (int64, error)
		fuzzed func(io.ReaderAt, int64) (int64, error)
	}{
		{"parquet", parquetFooterRows, parquetFooter},
		{"h5ad", h5adObsCount, h5adObsLen},
	}
	for _, c := range counters {
		t.Run(c.name, func(t *testing.T) {
			if n, err := c.guard(panickingReader{}, 1<<20); n != 0 || err == nil || !strings.Contains(err.Error(), "reader failure: reader bug") {
				t.Errorf("the guarded counter gave %d, %v; want the panic as an error", n, err)
			}
			defer func() {
				if recover() == nil {
					t.Errorf("the reader the fuzz target calls recovered a panic, so fuzzing cannot find one")
				}
			}()
			c.fuzzed(panickingReader{}, 1<<20)
		})
	}
}
