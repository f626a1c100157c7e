package records

import (
	"bytes"
	"encoding/json"
	"fmt"
	"io"
	"reflect"
	"time"

	"github.com/lamin-go/lamin"
)

// Field is one named value of a record, in display order.
type Field struct {
	Name  string
	Value any
}

// Record is an ordered list of fields: one row of a listing, keyed by the
// registry's field names.
type Record []Field

// FromRows turns SDK rows into records, one per row, fields in the rows'
// column order.
func FromRows(rows *lamin.Rows) []Record {
	recs := make([]Record, len(rows.Values))
	for i, vals := range rows.Values {
		r := make(Record, len(rows.Columns))
		for j, c := range rows.Columns {
			r[j] = Field{Name: c, Value: vals[j]}
		}
		recs[i] = r
	}
	return recs
}

// Plain dereferences pointers; nil stays nil.
func Plain(v any) any {
	rv := reflect.ValueOf(v)
	if !rv.IsValid() {
		return nil
	}
	if rv.Kind() == reflect.Pointer {
		if rv.IsNil() {
			return nil
		}
		return rv.Elem().Interface()
	}
	return v
}

// Text renders a value for tables and csv: none for NULL, LaminDB's time
// format, True/False for booleans.
func Text(v any, none string) string {
	switch t := Plain(v).(type) {
	case nil:
		return none
	case time.Time:
		return t.UTC().Format("2006-01-02 15:04:05.000000-07:00")
	case string:
		return t
	case bool:
		if t {
			return "True"
		}
		return "False"
	default:
		return fmt.Sprint(t)
	}
}

// JSON encodes the record as one JSON object with the fields in order.
// Pointers are dereferenced, times use encoding/json's RFC 3339 form, and
// the _aux field, which holds JSON text, is embedded as JSON rather than as
// a string. A value that cannot be encoded is null.
func (r Record) JSON() []byte {
	var b bytes.Buffer
	b.WriteByte('{')
	for i, f := range r {
		if i > 0 {
			b.WriteByte(',')
		}
		k, _ := json.Marshal(f.Name)
		b.Write(k)
		b.WriteByte(':')
		val := Plain(f.Value)
		if s, ok := val.(string); ok && f.Name == "_aux" && json.Valid([]byte(s)) {
			val = json.RawMessage(s)
		}
		v, err := json.Marshal(val)
		if err != nil {
			v = []byte("null")
		}
		b.Write(v)
	}
	b.WriteByte('}')
	return b.Bytes()
}

// WriteJSON writes the records as one JSON array, one object per line.
func WriteJSON(w io.Writer, recs []Record) error {
	var b bytes.Buffer
	b.WriteString("[")
	for i, r := range recs {
		if i > 0 {
			b.WriteString(",\n")
		}
		b.Write(r.JSON())
	}
	b.WriteString("]\n")
	_, err := w.Write(b.Bytes())
	return err
}

// WriteJSONL writes one JSON object per line.
func WriteJSONL(w io.Writer, recs []Record) error {
	for _, r := range recs {
		if _, err := fmt.Fprintf(w, "%s\n", r.JSON()); err != nil {
			return err
		}
	}
	return nil
}
