package cli

import (
	"bytes"
	"encoding/csv"
	"encoding/json"
	"fmt"
	"io"
	"reflect"
	"strings"
	"time"

	"github.com/spf13/cobra"
)

// Output formats every listing accepts.
var formats = []string{"table", "csv", "tsv", "json", "jsonl"}

func addFormatFlag(cmd *cobra.Command, p *string, def string) {
	cmd.Flags().StringVar(p, "format", def, "output format: "+strings.Join(formats, "|"))
}

func checkFormat(f string) error {
	for _, ok := range formats {
		if f == ok {
			return nil
		}
	}
	return usagef("unknown --format %q; use one of %s", f, strings.Join(formats, ", "))
}

// field is one named value of a record, in display order.
type field struct {
	Name  string
	Value any
}

// record is an ordered list of fields.
type record []field

// recordOf lists the exported, json-tagged fields of a struct (embedded
// structs flattened) in declaration order.
func recordOf(v any) record {
	rv := reflect.Indirect(reflect.ValueOf(v))
	var out record
	var walk func(reflect.Value)
	walk = func(rv reflect.Value) {
		rt := rv.Type()
		for i := 0; i < rt.NumField(); i++ {
			f := rt.Field(i)
			if !f.IsExported() {
				continue
			}
			if f.Anonymous && f.Type.Kind() == reflect.Struct {
				walk(rv.Field(i))
				continue
			}
			name, _, _ := strings.Cut(f.Tag.Get("json"), ",")
			if name == "" || name == "-" {
				continue
			}
			out = append(out, field{name, rv.Field(i).Interface()})
		}
	}
	walk(rv)
	return out
}

// without drops the named fields.
func (r record) without(names ...string) record {
	var out record
	for _, f := range r {
		skip := false
		for _, n := range names {
			skip = skip || f.Name == n
		}
		if !skip {
			out = append(out, f)
		}
	}
	return out
}

// plain dereferences pointers; nil stays nil.
func plain(v any) any {
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

// text renders a value for tables and csv: None for NULL, LaminDB's time format.
func text(v any, none string) string {
	switch t := plain(v).(type) {
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

func (r record) marshalJSON() []byte {
	var b bytes.Buffer
	b.WriteByte('{')
	for i, f := range r {
		if i > 0 {
			b.WriteByte(',')
		}
		k, _ := json.Marshal(f.Name)
		b.Write(k)
		b.WriteByte(':')
		val := plain(f.Value)
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

// truncateCell shortens long cell text as LaminDB's dataframe display does.
func truncateCell(s string) string {
	s = strings.ReplaceAll(s, "\n", "\\n")
	if r := []rune(s); len(r) > 49 {
		return string(r[:46]) + "..."
	}
	return s
}

// writeRecords prints records in the chosen format; tables are drawn by
// writeFrame.
func writeRecords(w io.Writer, format string, recs []record) error {
	switch format {
	case "json":
		var b bytes.Buffer
		b.WriteString("[")
		for i, r := range recs {
			if i > 0 {
				b.WriteString(",\n")
			}
			b.Write(r.marshalJSON())
		}
		b.WriteString("]\n")
		_, err := w.Write(b.Bytes())
		return err
	case "jsonl":
		for _, r := range recs {
			if _, err := fmt.Fprintf(w, "%s\n", r.marshalJSON()); err != nil {
				return err
			}
		}
		return nil
	case "csv", "tsv":
		cw := csv.NewWriter(w)
		if format == "tsv" {
			cw.Comma = '\t'
		}
		if len(recs) > 0 {
			var head []string
			for _, f := range recs[0] {
				head = append(head, f.Name)
			}
			cw.Write(head)
		}
		for _, r := range recs {
			row := make([]string, len(r))
			for i, f := range r {
				row[i] = text(f.Value, "")
			}
			cw.Write(row)
		}
		cw.Flush()
		return cw.Error()
	}
	if len(recs) == 0 {
		return nil
	}
	return writeFrame(w, recs)
}

// writeRecord prints one record: a JSON object, one jsonl line, a csv row
// with header, or a two-column field/value listing.
func writeRecord(w io.Writer, format string, r record) error {
	switch format {
	case "json", "jsonl":
		_, err := fmt.Fprintf(w, "%s\n", r.marshalJSON())
		return err
	case "csv", "tsv":
		return writeRecords(w, format, []record{r})
	}
	width := 0
	for _, f := range r {
		width = max(width, len(f.Name))
	}
	for _, f := range r {
		if _, err := fmt.Fprintf(w, "%-*s  %s\n", width, f.Name, text(f.Value, "None")); err != nil {
			return err
		}
	}
	return nil
}
