package cli

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"io"
	"os"
	"os/exec"
	"slices"
	"sort"
	"strconv"
	"strings"
	"time"

	ptext "github.com/jedib0t/go-pretty/v6/text"
	"github.com/lamin-go/lamin"
	"github.com/lamin-go/lamin/internal/query"
	"github.com/lamin-go/lamin/internal/records"
	"github.com/lamin-go/lamin/internal/termtext"
	"github.com/spf13/cobra"
)

// defaultTerminalWidth is assumed for a terminal whose width neither
// $COLUMNS nor stty tells.
const defaultTerminalWidth = 80

// listingFlags are the output flags shared by filter, search and view.
type listingFlags struct {
	format string
	width  int
}

func (f *listingFlags) add(cmd *cobra.Command) {
	addFormatFlag(cmd, &f.format, "table")
	cmd.Flags().IntVar(&f.width, "width", 0,
		"fit tables to this many characters (default: the terminal's width when stdout is a terminal)")
}

type filterOptions struct {
	listingFlags
	registry    string
	exprs       []string
	exclude     []string
	order       []string
	limit       int
	offset      int
	columns     []string
	include     []string
	allBranches bool
}

func (app *App) filterCmd() *cobra.Command {
	var o filterOptions
	cmd := &cobra.Command{
		Use:   "filter REGISTRY [FIELD[__LOOKUP]=VALUE ...]",
		Short: "List records of a registry, optionally filtered",
		Long: `List records of a registry (artifact, transform, run, user, storage,
collection) like LaminDB's Registry.filter(...).to_dataframe().

Filters use LaminDB's language: FIELD[__RELATION...][__LOOKUP]=VALUE with the
lookups exact, iexact, contains, icontains, startswith, endswith, in (comma
separated), gt, gte, lt, lte, isnull, range (two values), e.g.
key__startswith=fastq/, created_by__handle=testuser1, transform__type=notebook,
size__gt=1000, suffix__in=.csv,.tsv. All filters must hold.

Without filters the newest 100 records by updated_at are listed (runs: the
first 100 by id); with filters every match in id order unless --order or
--limit say otherwise. Records in the trash or archive and the hidden run
artifacts (kind __lamindb_run__) are left out unless --all-branches, a branch
filter or a kind filter asks for them.`,
		Example: `  lamin filter artifact key__startswith=figures/
  lamin filter transform created_by__handle=testuser1 type=notebook
  lamin filter artifact transform__key=hit-identification.ipynb --include created_by__handle,run__transform__key
  lamin filter run --order -started_at --limit 10 --format json`,
		Args: minArgs(1, "a registry and optional FIELD=VALUE filters"),
		RunE: func(cmd *cobra.Command, args []string) error {
			if err := checkFormat(o.format); err != nil {
				return err
			}
			if o.offset < 0 {
				return usagef("--offset must not be negative")
			}
			o.registry, o.exprs = args[0], args[1:]
			return app.filterRun(cmd.Context(), o)
		},
	}
	f := cmd.Flags()
	f.StringArrayVar(&o.exclude, "exclude", nil, "drop records matching FIELD[__LOOKUP]=VALUE (repeatable)")
	f.StringSliceVar(&o.order, "order", nil, "sort by these fields, '-' for descending, e.g. -created_at")
	f.IntVar(&o.limit, "limit", 0, "at most this many records (default: 100 without filters, all with filters; -1: all)")
	f.IntVar(&o.offset, "offset", 0, "skip this many records")
	f.StringSliceVar(&o.columns, "columns", nil, "show only these columns (id is always first; --include columns follow)")
	f.StringSliceVar(&o.include, "include", nil, "add related fields through to-one relations, e.g. created_by__handle,run__transform__key")
	f.BoolVar(&o.allBranches, "all-branches", false, "include records in the trash and the archive")
	o.listingFlags.add(cmd)
	return cmd
}

func (app *App) filterRun(ctx context.Context, o filterOptions) error {
	in, err := app.open(ctx)
	if err != nil {
		return err
	}
	defer in.Close()
	rows, err := in.Filter(ctx, o.registry, o.exprs, lamin.FilterOptions{
		Order: o.order, Limit: o.limit, Offset: o.offset, AllBranches: o.allBranches,
		Exclude: o.exclude, Include: o.include,
	})
	if err != nil {
		return err
	}
	if len(o.columns) > 0 {
		// --include adds to the chosen columns, as it adds to the default ones.
		cols := append([]string{}, o.columns...)
		for _, inc := range o.include {
			if !slices.Contains(cols, inc) {
				cols = append(cols, inc)
			}
		}
		if rows, err = rows.Select(cols...); err != nil {
			return err
		}
	}
	return app.writeRows(rows, o.listingFlags)
}

type searchOptions struct {
	listingFlags
	limit   int
	columns []string
}

func (app *App) searchCmd() *cobra.Command {
	var o searchOptions
	cmd := &cobra.Command{
		Use:   "search REGISTRY TEXT",
		Short: "Find records whose text fields contain TEXT, best match first",
		Long: `Search every text field of a registry like LaminDB's Registry.search(TEXT):
records containing TEXT (ignoring case) are ranked, exact and whole-phrase
matches first. When nothing contains TEXT, records with similar text are
shown instead (trigram similarity, so typos are forgiven) and a hint says so.`,
		Example: `  lamin search transform "GWS CRIPSRa analysis"
  lamin search artifact perturbseq --limit 5 --format json`,
		Args: minArgs(2, "a registry and the text to search for"),
		RunE: func(cmd *cobra.Command, args []string) error {
			if err := checkFormat(o.format); err != nil {
				return err
			}
			if o.limit < 0 {
				return usagef("--limit must not be negative")
			}
			ctx := cmd.Context()
			in, err := app.open(ctx)
			if err != nil {
				return err
			}
			defer in.Close()
			rows, hint, err := in.Search(ctx, args[0], strings.Join(args[1:], " "), o.limit)
			if err != nil {
				return err
			}
			if hint != "" {
				fmt.Fprintln(app.Err, "• "+hint)
			}
			if len(o.columns) > 0 {
				if rows, err = rows.Select(o.columns...); err != nil {
					return err
				}
			}
			return app.writeRows(rows, o.listingFlags)
		},
	}
	cmd.Flags().IntVar(&o.limit, "limit", query.DefaultSearchLimit, "at most this many records")
	cmd.Flags().StringSliceVar(&o.columns, "columns", nil, "show only these columns (id is always first)")
	o.listingFlags.add(cmd)
	return cmd
}

func (app *App) lookupCmd() *cobra.Command {
	var field, format string
	cmd := &cobra.Command{
		Use:   "lookup REGISTRY [--field F]",
		Short: "Print records keyed by a name made from a field, as JSON",
		Long: `Print every record of a registry as a JSON object keyed like LaminDB's
Registry.lookup(): the value of FIELD (default: handle for users, key for
artifacts and transforms, root for storage) with every run of characters
other than letters, digits and '_' replaced by '_', lower-cased, and prefixed
with ln_ when it does not start with a letter. The first record wins when two
give the same name.`,
		Example: `  lamin lookup user
  lamin lookup transform --field description`,
		Args: exactArgs(1, "one registry"),
		RunE: func(cmd *cobra.Command, args []string) error {
			if format != "json" {
				return usagef("lamin lookup prints JSON; --format %s is not supported", format)
			}
			ctx := cmd.Context()
			in, err := app.open(ctx)
			if err != nil {
				return err
			}
			defer in.Close()
			found, err := in.Lookup(ctx, args[0], field)
			if err != nil {
				return err
			}
			reg, err := query.LookupRegistry(args[0])
			if err != nil {
				return err
			}
			return writeLookup(app.Out, reg, found)
		},
	}
	cmd.Flags().StringVar(&field, "field", "", "field whose values name the records")
	cmd.Flags().StringVar(&format, "format", "json", "output format: json")
	return cmd
}

// minArgs is cobra.MinimumNArgs with a usage error that says what to pass.
func minArgs(n int, what string) cobra.PositionalArgs {
	return func(cmd *cobra.Command, args []string) error {
		if len(args) < n {
			return usagef("%s takes %s; see `%s --help`", cmd.CommandPath(), what, cmd.CommandPath())
		}
		return nil
	}
}

// writeLookup prints the lookup as one JSON object, names sorted, each
// record's fields in to_dataframe order.
func writeLookup(w io.Writer, reg *query.Registry, found map[string]any) error {
	names := make([]string, 0, len(found))
	for n := range found {
		names = append(names, n)
	}
	sort.Strings(names)
	order := []string{"id"}
	for _, c := range reg.FrameColumns() {
		order = append(order, c.Name)
	}
	var b bytes.Buffer
	b.WriteString("{")
	for i, n := range names {
		if i > 0 {
			b.WriteString(",")
		}
		m, _ := found[n].(map[string]any)
		var rec records.Record
		for _, c := range order {
			if v, ok := m[c]; ok {
				rec = append(rec, records.Field{Name: c, Value: v})
			}
		}
		k, _ := json.Marshal(n)
		b.WriteString("\n  ")
		b.Write(k)
		b.WriteString(": ")
		b.Write(rec.JSON())
	}
	if len(names) > 0 {
		b.WriteString("\n")
	}
	b.WriteString("}\n")
	_, err := w.Write(b.Bytes())
	return err
}

type viewOptions struct {
	listingFlags
	limit int
}

func (app *App) viewCmd() *cobra.Command {
	var o viewOptions
	cmd := &cobra.Command{
		Use:   "view [--limit 7]",
		Short: "Show the newest records of every registry",
		Long: `Show, like LaminDB's ln.view(), each registry that has records (Artifact,
Collection, Run, Storage, Transform): its name, then its newest records by
updated_at (runs: the first by id).`,
		Args: exactArgs(0, "no arguments"),
		RunE: func(cmd *cobra.Command, args []string) error {
			if err := checkFormat(o.format); err != nil {
				return err
			}
			if o.limit < 1 {
				return usagef("--limit must be at least 1")
			}
			ctx := cmd.Context()
			in, err := app.open(ctx)
			if err != nil {
				return err
			}
			defer in.Close()
			all, err := in.View(ctx, o.limit)
			if err != nil {
				return err
			}
			return app.writeView(all, o.listingFlags)
		},
	}
	cmd.Flags().IntVar(&o.limit, "limit", lamin.DefaultViewLimit, "records per registry")
	o.listingFlags.add(cmd)
	return cmd
}

// writeView prints each registry's rows under its title: tables and csv as
// sections, json as one object keyed by title, jsonl as rows tagged with
// their registry.
func (app *App) writeView(all []*lamin.Rows, f listingFlags) error {
	switch f.format {
	case "json":
		var b bytes.Buffer
		b.WriteString("{")
		for i, rows := range all {
			if i > 0 {
				b.WriteString(",")
			}
			k, _ := json.Marshal(rows.Registry.Title)
			b.WriteString("\n")
			b.Write(k)
			b.WriteString(": ")
			var arr bytes.Buffer
			if err := writeRecords(&arr, "json", records.FromRows(rows)); err != nil {
				return err
			}
			b.Write(bytes.TrimRight(arr.Bytes(), "\n"))
		}
		if len(all) > 0 {
			b.WriteString("\n")
		}
		b.WriteString("}\n")
		_, err := app.Out.Write(b.Bytes())
		return err
	case "jsonl":
		for _, rows := range all {
			recs := records.FromRows(rows)
			for i := range recs {
				recs[i] = append(records.Record{{Name: "registry", Value: rows.Registry.Title}}, recs[i]...)
			}
			if err := writeRecords(app.Out, "jsonl", recs); err != nil {
				return err
			}
		}
		return nil
	}
	for i, rows := range all {
		if i > 0 {
			fmt.Fprintln(app.Out)
		}
		fmt.Fprintln(app.Out, rows.Registry.Title)
		if err := app.writeRows(rows, f); err != nil {
			return err
		}
	}
	return nil
}

// writeRows prints rows in the chosen format. Tables keep the column names
// as they are (LaminDB's field names) and, when a width applies, drop the
// columns that do not fit, saying so on stderr; machine formats are never cut.
func (app *App) writeRows(rows *lamin.Rows, f listingFlags) error {
	recs := records.FromRows(rows)
	if f.format != "table" {
		return writeRecords(app.Out, f.format, recs)
	}
	if len(recs) == 0 {
		return nil
	}
	if width := app.tableWidth(f.width); width > 0 {
		var dropped int
		recs, dropped = fitColumns(recs, width)
		if dropped > 0 {
			fmt.Fprintf(app.Err, "• %d more columns; use --columns or --format csv\n", dropped)
		}
	}
	return writeFrame(app.Out, recs)
}

// tableWidth is the width tables must fit: the --width flag, else the
// terminal's width when stdout is one, else 0 (no limit).
func (app *App) tableWidth(flag int) int {
	if flag > 0 {
		return flag
	}
	out := app.Out
	if t, ok := out.(*termtext.Writer); ok {
		out = t.Unwrap()
	}
	f, ok := out.(*os.File)
	if !ok {
		return 0
	}
	st, err := f.Stat()
	if err != nil || st.Mode()&os.ModeCharDevice == 0 {
		return 0
	}
	// /dev/null is a character device too, but nobody reads it.
	if null, err := os.Stat(os.DevNull); err == nil && os.SameFile(st, null) {
		return 0
	}
	if n, err := strconv.Atoi(app.Getenv("COLUMNS")); err == nil && n > 0 {
		return n
	}
	if n := sttyColumns(f); n > 0 {
		return n
	}
	return defaultTerminalWidth
}

// sttyColumns asks `stty size` for the width of the terminal f. The standard
// library cannot query a terminal portably and shells rarely export
// $COLUMNS; where stty is missing (Windows) this returns 0.
func sttyColumns(f *os.File) int {
	ctx, cancel := context.WithTimeout(context.Background(), time.Second)
	defer cancel()
	cmd := exec.CommandContext(ctx, "stty", "size")
	cmd.Stdin = f
	out, err := cmd.Output()
	if err != nil {
		return 0
	}
	fields := strings.Fields(string(out))
	if len(fields) != 2 {
		return 0
	}
	n, err := strconv.Atoi(fields[1])
	if err != nil {
		return 0
	}
	return n
}

// cellText is what a table shows for a value.
func cellText(v any) string { return truncateCell(text(v, "None")) }

// fitColumns keeps the leading columns whose rendered table fits width
// (at least the index and one more) and reports how many were dropped.
func fitColumns(recs []records.Record, width int) ([]records.Record, int) {
	n := len(recs[0])
	// A light-box table is one border character plus, per column, its
	// widest cell, a space either side and a separator.
	total := 1
	keep := 0
	for j := 0; j < n; j++ {
		w := ptext.StringWidthWithoutEscSequences(recs[0][j].Name)
		for _, r := range recs {
			w = max(w, ptext.StringWidthWithoutEscSequences(cellText(r[j].Value)))
		}
		if total+w+3 > width && keep >= 2 {
			break
		}
		total += w + 3
		keep++
	}
	if keep == n {
		return recs, 0
	}
	out := make([]records.Record, len(recs))
	for i, r := range recs {
		out[i] = r[:keep]
	}
	return out, n - keep
}

// writeFrame renders records as a light-box table (the look of format.go's
// go-pretty tables) with the column names exactly as given. It is written
// out directly: go-pretty spends tens of milliseconds on a 100-row listing.
func writeFrame(w io.Writer, recs []records.Record) error {
	n := len(recs[0])
	cells := make([][]string, len(recs)+1)
	widths := make([]int, n)
	cells[0] = make([]string, n)
	for j, f := range recs[0] {
		cells[0][j] = f.Name
	}
	for i, r := range recs {
		row := make([]string, n)
		for j, f := range r {
			row[j] = cellText(f.Value)
		}
		cells[i+1] = row
	}
	for _, row := range cells {
		for j, c := range row {
			widths[j] = max(widths[j], ptext.StringWidthWithoutEscSequences(c))
		}
	}
	var b bytes.Buffer
	rule := func(left, mid, right string) {
		b.WriteString(left)
		for j, wd := range widths {
			if j > 0 {
				b.WriteString(mid)
			}
			b.WriteString(strings.Repeat("─", wd+2))
		}
		b.WriteString(right + "\n")
	}
	line := func(row []string) {
		for j, c := range row {
			b.WriteString("│ ")
			b.WriteString(c)
			b.WriteString(strings.Repeat(" ", widths[j]-ptext.StringWidthWithoutEscSequences(c)+1))
		}
		b.WriteString("│\n")
	}
	rule("┌", "┬", "┐")
	line(cells[0])
	rule("├", "┼", "┤")
	for _, row := range cells[1:] {
		line(row)
	}
	rule("└", "┴", "┘")
	_, err := w.Write(b.Bytes())
	return err
}
