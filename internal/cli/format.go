package cli

import (
	"encoding/csv"
	"fmt"
	"io"
	"reflect"
	"slices"
	"strings"

	"github.com/lamin-go/lamin/internal/records"
	"github.com/lamin-go/lamin/internal/termtext"
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

// recordOf lists the exported, json-tagged fields of a struct (embedded
// structs flattened) in declaration order, leaving out the fields named in
// omit.
func recordOf(v any, omit ...string) records.Record {
	rv := reflect.Indirect(reflect.ValueOf(v))
	var out records.Record
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
			if name == "" || name == "-" || slices.Contains(omit, name) {
				continue
			}
			out = append(out, records.Field{Name: name, Value: rv.Field(i).Interface()})
		}
	}
	walk(rv)
	return out
}

// text renders a value for tables and csv: None for NULL, LaminDB's time format.
func text(v any, none string) string { return records.Text(v, none) }

// truncateCell shortens long cell text as LaminDB's dataframe display
// does, control characters escaped first (a newline shows as \n).
func truncateCell(s string) string {
	s = termtext.Line(s)
	if r := []rune(s); len(r) > 49 {
		return string(r[:46]) + "..."
	}
	return s
}

// writeRecords prints records in the chosen format; tables are drawn by
// writeFrame.
func writeRecords(w io.Writer, format string, recs []records.Record) error {
	switch format {
	case "json":
		return records.WriteJSON(w, recs)
	case "jsonl":
		return records.WriteJSONL(w, recs)
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
func writeRecord(w io.Writer, format string, r records.Record) error {
	switch format {
	case "json", "jsonl":
		_, err := fmt.Fprintf(w, "%s\n", r.JSON())
		return err
	case "csv", "tsv":
		return writeRecords(w, format, []records.Record{r})
	}
	width := 0
	for _, f := range r {
		width = max(width, len(f.Name))
	}
	for _, f := range r {
		if _, err := fmt.Fprintf(w, "%-*s  %s\n", width, f.Name, termtext.Line(text(f.Value, "None"))); err != nil {
			return err
		}
	}
	return nil
}

// exactOutput lists the commands whose stdout must stay byte for byte what
// they print: paths and uids for scripts, shell code, a wrapped command's
// own output, exported documents.
var exactOutput = map[string]bool{
	"cache": true, "load": true, "save": true, "run": true, "track": true, "finish": true,
	"export": true, "serve": true, "hash": true,
}

// machineFormats are the --format values whose output is data, kept exact.
var machineFormats = map[string]bool{
	"json": true, "jsonl": true, "csv": true, "tsv": true,
	"dot": true, "svg": true, "mermaid": true, "openlineage": true, "prov-json": true,
}

// escapeHumanOutput routes a command's stdout through a terminal-safe
// writer when it prints for people (tables, cards, trees): control
// characters in records are shown as escapes there, while machine formats
// and exact outputs pass untouched.
func (app *App) escapeHumanOutput(cmd *cobra.Command) {
	if exactOutput[cmd.Name()] {
		return
	}
	if f := cmd.Flags().Lookup("format"); f != nil && machineFormats[f.Value.String()] {
		return
	}
	if _, ok := app.Out.(*termtext.Writer); !ok {
		app.Out = termtext.NewWriter(app.Out)
	}
}
