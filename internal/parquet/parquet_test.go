package parquet

import (
	"bytes"
	"fmt"
	"math"
	"reflect"
	"strings"
	"testing"

	pq "github.com/parquet-go/parquet-go"
)

// hit has the demo's columns, for parquet-go to read and write.
type hit struct {
	ID       string  `parquet:"id"`
	PosScore float64 `parquet:"pos|score"`
	PosRank  int64   `parquet:"pos|rank"`
}

func table(n int) []Column {
	ids, scores, ranks := make([]string, n), make([]float64, n), make([]int64, n)
	for i := range n {
		ids[i] = fmt.Sprintf("gene-%d-é", i)
		scores[i] = float64(i) / 7
		ranks[i] = int64(i) - 3
	}
	if n > 1 {
		ids[1], scores[1], ranks[1] = "", math.Inf(-1), math.MinInt64
	}
	return []Column{{Name: "id", Strings: ids}, {Name: "pos|score", Float64s: scores}, {Name: "pos|rank", Int64s: ranks}}
}

func write(t testing.TB, cols []Column) []byte {
	t.Helper()
	var buf bytes.Buffer
	if err := Write(&buf, cols); err != nil {
		t.Fatal(err)
	}
	return buf.Bytes()
}

func TestWriteReadsBackAndParquetGoAgrees(t *testing.T) {
	for _, n := range []int{0, 1, 2, 100} {
		t.Run(fmt.Sprint(n, " rows"), func(t *testing.T) {
			cols := table(n)
			b := write(t, cols)
			got, err := Read(bytes.NewReader(b), int64(len(b)))
			if err != nil {
				t.Fatal(err)
			}
			if !reflect.DeepEqual(got, cols) {
				t.Errorf("Read() = %v, want %v", got, cols)
			}
			if rows, err := Rows(bytes.NewReader(b), int64(len(b))); err != nil || rows != int64(n) {
				t.Errorf("Rows() = %d, %v; want %d", rows, err, n)
			}
			// An independent reader sees the same table.
			hits, err := pq.Read[hit](bytes.NewReader(b), int64(len(b)))
			if err != nil {
				t.Fatalf("parquet-go cannot read the file: %v", err)
			}
			if len(hits) != n {
				t.Fatalf("parquet-go reads %d rows, want %d", len(hits), n)
			}
			for i, h := range hits {
				if h.ID != cols[0].Strings[i] || h.PosScore != cols[1].Float64s[i] || h.PosRank != cols[2].Int64s[i] {
					t.Fatalf("row %d: parquet-go reads %+v", i, h)
				}
			}
		})
	}
}

func TestRowsOfFilesParquetGoWrites(t *testing.T) {
	rows := make([]hit, 1000)
	for i := range rows {
		rows[i] = hit{ID: fmt.Sprint("g", i), PosScore: float64(i), PosRank: int64(i)}
	}
	var buf bytes.Buffer
	if err := pq.Write(&buf, rows, pq.PageBufferSize(256), pq.MaxRowsPerRowGroup(100)); err != nil {
		t.Fatal(err)
	}
	b := buf.Bytes()
	if n, err := Rows(bytes.NewReader(b), int64(len(b))); err != nil || n != 1000 {
		t.Errorf("Rows() = %d, %v; want 1000 over 10 row groups", n, err)
	}
	// Read either reads the table exactly or refuses it with a reason.
	cols, err := Read(bytes.NewReader(b), int64(len(b)))
	if err == nil && len(cols[0].Strings) != 1000 {
		t.Errorf("Read() gave %d rows without an error", len(cols[0].Strings))
	}
	if err != nil && !strings.Contains(err.Error(), "supported") {
		t.Errorf("Read() refused with %q, which names nothing unsupported", err)
	}
}

func TestWriteRefusesBadTables(t *testing.T) {
	tests := map[string][]Column{
		"no columns":        nil,
		"unequal lengths":   {{Name: "a", Int64s: []int64{1}}, {Name: "b", Int64s: []int64{1, 2}}},
		"duplicate names":   {{Name: "a", Int64s: []int64{1}}, {Name: "a", Int64s: []int64{1}}},
		"an empty name":     {{Name: "", Int64s: []int64{1}}},
		"two kinds at once": {{Name: "a", Int64s: []int64{1}, Strings: []string{"x"}}},
		"no values slice":   {{Name: "a"}},
	}
	for name, cols := range tests {
		if err := Write(&bytes.Buffer{}, cols); err == nil {
			t.Errorf("%s: Write() succeeded", name)
		}
	}
}

// leafEl marks a leaf in the schema given to footer.
const leafEl = math.MinInt32

// footer encodes a FileMetaData with the given schema (children per element,
// leafEl for a leaf) and column chunks per row group.
func footer(numRows int64, schema []int32, rowGroups ...int) []byte {
	var e encoder
	e.begin()
	e.field(2, tList)
	e.listHeader(tStruct, len(schema))
	for _, c := range schema {
		e.begin()
		if c == leafEl {
			e.i32Field(1, typeInt64)
		}
		e.binaryField(4, "x")
		if c != leafEl {
			e.i32Field(5, c)
		}
		e.end()
	}
	e.i64Field(3, numRows)
	e.field(4, tList)
	e.listHeader(tStruct, len(rowGroups))
	for _, n := range rowGroups {
		e.begin()
		e.field(1, tList)
		e.listHeader(tStruct, n)
		for range n {
			e.begin()
			e.end()
		}
		e.end()
	}
	e.end()
	return e.b
}

func TestFooterShape(t *testing.T) {
	deep := []int32{}
	for range MaxNesting + 2 {
		deep = append(deep, 1)
	}
	deep = append(deep, leafEl)
	tests := []struct {
		name   string
		footer []byte
		want   string
	}{
		{"a flat schema with matching row groups is accepted", footer(7, []int32{2, leafEl, leafEl}, 2, 2), ""},
		{"a negative row count is rejected", footer(-1, []int32{1, leafEl}), "negative row count"},
		{"a negative child count is rejected", footer(0, []int32{-3, leafEl}), "has -3 children"},
		{"a row group with too few column chunks is rejected", footer(1, []int32{2, leafEl, leafEl}, 1), "1 column chunks for 2"},
		{"a row group with too many column chunks is rejected", footer(1, []int32{1, leafEl}, 5), "5 column chunks for 1"},
		{"a schema nested too deeply is rejected", footer(0, deep), "nested more than"},
		{"a footer without a row count is rejected", []byte{0x29, 0x0c, 0x00}, "no row count"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			var s shape
			err := s.read(tt.footer)
			if tt.want == "" && err != nil || tt.want != "" && (err == nil || !strings.Contains(err.Error(), tt.want)) {
				t.Errorf("read() = %v, want %q", err, tt.want)
			}
		})
	}
}

func TestCheckStruct(t *testing.T) {
	tests := []struct {
		name  string
		data  []byte
		valid bool
	}{
		{"an empty struct is valid", []byte{0x00}, true},
		{"a struct with an i32 and a string is valid", []byte{0x15, 0x02, 0x18, 0x02, 'h', 'i', 0x00}, true},
		{"a struct with a long field id is valid", []byte{0x05, 0x90, 0x01, 0x02, 0x00}, true},
		{"a struct with a list of two i64 is valid", []byte{0x19, 0x26, 0x02, 0x04, 0x00}, true},
		{"a struct with a bool field is valid", []byte{0x11, 0x00}, true},
		{"a struct with an empty map is valid", []byte{0x1b, 0x00, 0x00}, true},
		{"a struct with a map of one entry is valid", []byte{0x1b, 0x01, 0x85, 0x01, 'k', 0x02, 0x00}, true},
		{"no bytes at all are invalid", nil, false},
		{"a struct without its stop byte is invalid", []byte{0x15, 0x02}, false},
		{"a string longer than the data is invalid", []byte{0x18, 0x7f, 'a', 0x00}, false},
		{"a list claiming a billion elements is invalid", []byte{0x19, 0xfc, 0x80, 0x94, 0xeb, 0xdc, 0x03, 0x00}, false},
		{"a map claiming more entries than bytes is invalid", []byte{0x1b, 0x7f, 0x55, 0x00}, false},
		{"an unknown type is invalid", []byte{0x1e, 0x00}, false},
		{"a list of an unknown type is invalid", []byte{0x19, 0x1e, 0x00, 0x00}, false},
		{"an overlong varint is invalid", append([]byte{0x15}, bytes.Repeat([]byte{0xff}, 11)...), false},
		{"structs nested too deeply are invalid", append(bytes.Repeat([]byte{0x1c}, 100), bytes.Repeat([]byte{0x00}, 101)...), false},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if err := checkStruct(tt.data); (err == nil) != tt.valid {
				t.Errorf("checkStruct(% x) = %v, want valid: %v", tt.data, err, tt.valid)
			}
		})
	}
}

// FuzzRead feeds arbitrary files to Rows and Read: neither may panic, and
// whatever Read accepts must be a table Rows agrees with and Write can
// write again to the same table.
func FuzzRead(f *testing.F) {
	f.Add(write(f, table(3)))
	f.Add(write(f, table(0)))
	f.Add([]byte("PAR1"))
	f.Add([]byte("PAR1\x00\x00\x00\x00PAR1"))
	f.Add([]byte("PAR1\x15\x02\x00\x03\x00\x00\x00PAR1"))
	f.Fuzz(func(t *testing.T, data []byte) {
		n, rerr := Rows(bytes.NewReader(data), int64(len(data)))
		if n < 0 || (rerr != nil && n != 0) {
			t.Fatalf("Rows() = %d, %v", n, rerr)
		}
		cols, err := Read(bytes.NewReader(data), int64(len(data)))
		if err != nil {
			return
		}
		if rerr != nil {
			t.Fatalf("Read() accepted a file Rows() refuses: %v", rerr)
		}
		if _, rows, _ := cols[0].kind(); int64(rows) != n {
			t.Fatalf("Read() gave %d rows, Rows() %d", rows, n)
		}
		again, err := Read(bytes.NewReader(write(t, cols)), int64(len(write(t, cols))))
		if err != nil || !reflect.DeepEqual(bits(again), bits(cols)) {
			t.Fatalf("the table read does not write and read back: %v", err)
		}
	})
}

// bits returns cols with every float replaced by its bit pattern (as an
// int64 column), so that tables holding NaN compare equal to themselves.
func bits(cols []Column) []Column {
	out := make([]Column, len(cols))
	for i, c := range cols {
		out[i] = c
		if c.Float64s != nil {
			out[i].Float64s = nil
			out[i].Int64s = make([]int64, len(c.Float64s))
			for j, f := range c.Float64s {
				out[i].Int64s[j] = int64(math.Float64bits(f))
			}
		}
	}
	return out
}
