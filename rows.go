package lamin

import (
	"context"
	"fmt"
	"github.com/lamin-go/lamin/internal/meta"
	"math"
	"sort"
	"strconv"
	"strings"
	"time"

	"github.com/lamin-go/lamin/internal/query"
	"github.com/lamin-go/lamin/record"
)

// Listing defaults (LaminDB's to_dataframe and view).
const (
	// DefaultListLimit is how many rows a registry-level listing returns.
	DefaultListLimit = 100
	// DefaultViewLimit is how many rows View shows per registry.
	DefaultViewLimit = 7
)

// Rows is a table of records of one registry, shaped like LaminDB's
// to_dataframe: Columns starts with id (the frame's index), then the
// registry's columns in to_dataframe order (branch_id as the exposed name of
// _branch_code), then any included related columns. Values holds one slice
// per row, aligned with Columns: NULL is nil, integers int64, booleans bool,
// timestamps time.Time in UTC, text and JSON string.
type Rows struct {
	// Registry is the declaration of the registry the rows belong to.
	Registry *Registry
	// Columns names the values of each row.
	Columns []string
	// Values holds the rows.
	Values [][]any
}

// Registry is a registry's declaration: its names, fields, relations and
// the operations it supports (package record declares them all).
type Registry = record.Registry

// Len is the number of rows.
func (r *Rows) Len() int { return len(r.Values) }

// Map returns row i as column name → value.
func (r *Rows) Map(i int) map[string]any {
	m := make(map[string]any, len(r.Columns))
	for j, c := range r.Columns {
		m[c] = r.Values[i][j]
	}
	return m
}

// Select returns the rows reduced to id followed by the named columns, in
// the order given. An unknown name is an ErrInvalid error listing the
// available columns.
func (r *Rows) Select(names ...string) (*Rows, error) {
	idx := make([]int, 0, len(names)+1)
	cols := make([]string, 0, len(names)+1)
	pos := map[string]int{}
	for i, c := range r.Columns {
		pos[c] = i
	}
	if i, ok := pos["id"]; ok {
		idx, cols = append(idx, i), append(cols, "id")
	}
	for _, n := range names {
		if n == "id" {
			continue
		}
		i, ok := pos[n]
		if !ok {
			return nil, invalidf("unknown column '%s'; available columns: %s", n, strings.Join(r.Columns, ", "))
		}
		idx, cols = append(idx, i), append(cols, n)
	}
	out := &Rows{Registry: r.Registry, Columns: cols, Values: make([][]any, len(r.Values))}
	for k, row := range r.Values {
		v := make([]any, len(idx))
		for j, i := range idx {
			v[j] = row[i]
		}
		out.Values[k] = v
	}
	return out, nil
}

// FilterOptions shape a Filter listing.
type FilterOptions struct {
	// Order lists field paths to sort by, '-' prefixed for descending
	// ("-created_at", "run__transform__key"). Without it, a query (filters
	// given) is in ascending id order and a registry-level listing newest
	// first by updated_at (ascending id for Run, which has no updated_at).
	Order []string
	// Limit caps the rows: 0 means DefaultListLimit for a registry-level
	// listing and no limit for a query; a negative value means no limit.
	Limit int
	// Offset skips rows.
	Offset int
	// AllBranches lifts the default scope, listing trash and archive too.
	AllBranches bool
	// Exclude holds expressions; rows for which one holds are dropped.
	Exclude []string
	// Include adds related fields reached through to-one relations, named
	// by their path ("created_by__handle", "run__transform__key").
	Include []string
}

// Filter lists a registry's records matching exprs (LaminDB's
// field__lookup=value language) within the default scope: the main branch
// (use AllBranches or branch_id=None for all branches) and, on Artifact,
// without run bookkeeping artifacts unless kind is mentioned. Without exprs
// or excludes it is a registry-level listing, like Registry.to_dataframe():
// the newest DefaultListLimit rows by updated_at. Errors in expressions are
// ErrInvalid with LaminDB's wording.
func (in *Instance) Filter(ctx context.Context, registry string, exprs []string, o FilterOptions) (*Rows, error) {
	plan, err := in.planFilter(registry, exprs, o)
	if err != nil {
		return nil, err
	}
	return in.fetch(ctx, plan)
}

// FilterSQL returns the statement (with '?' placeholders) and arguments
// that Filter would run, for EXPLAIN QUERY PLAN and benchmarks.
func (in *Instance) FilterSQL(registry string, exprs []string, o FilterOptions) (string, []any, error) {
	plan, err := in.planFilter(registry, exprs, o)
	if err != nil {
		return "", nil, err
	}
	return plan.sql, plan.args, nil
}

// Count is the number of records matching exprs within the default scope.
func (in *Instance) Count(ctx context.Context, registry string, exprs []string) (int64, error) {
	reg, err := lookupRegistry(registry)
	if err != nil {
		return 0, err
	}
	q, err := buildQuery(reg, exprs, nil)
	if err != nil {
		return 0, err
	}
	text, args, err := q.CountSQL(in.store.Dialect())
	if err != nil {
		return 0, invalidf("%v", err)
	}
	var n int64
	if err := in.store.QueryRow(ctx, text, args...).Scan(&n); err != nil {
		return 0, fmt.Errorf("count %s: %w", reg.Name, err)
	}
	return n, nil
}

// Search is LaminDB's Registry.search(text): records whose text fields
// contain text, best ranked first, at most limit of them (0 means 20, as in
// LaminDB). When nothing contains the text, records similar
// to it (trigram similarity) are returned and hint is the message to show,
// "no exact matches for '<text>', showing similar records"; otherwise hint
// is empty.
func (in *Instance) Search(ctx context.Context, registry, text string, limit int) (*Rows, string, error) {
	reg, err := lookupRegistry(registry)
	if err != nil {
		return nil, "", err
	}
	opts := query.SearchOptions{Limit: limit}
	var res *query.SearchResult
	if query.IndexedSearch(reg, text) {
		// The planner costs the OR'd trigram index scans above reading the
		// table in id order (12 ms against 50-75 ms for 10,000 transforms);
		// the similarity fallback, which reads the table, runs unsteered.
		err = in.readWithHints(ctx, query.SearchHints, func(q meta.Querier) error {
			var err error
			res, err = query.Search(ctx, q, reg, text, query.SearchOptions{Limit: limit, NoFallback: true})
			return err
		})
		opts.SimilarOnly = true
	}
	if err == nil && (res == nil || len(res.Hits) == 0) {
		res, err = query.Search(ctx, in.store, reg, text, opts)
	}
	if err != nil {
		return nil, "", err
	}
	ids := make([]int64, len(res.Hits))
	for i, h := range res.Hits {
		ids[i] = h.ID
	}
	rows, err := in.rowsByID(ctx, reg, ids)
	if err != nil {
		return nil, "", err
	}
	return rows, res.Hint(), nil
}

// Lookup is LaminDB's Registry.lookup(field): every record of the default
// scope keyed by an attribute name made from its field value (runs of
// characters outside [0-9a-zA-Z_] become '_', lower-cased, "ln_" prefixed
// when it does not start with a letter), each record as column name →
// value. field "" uses the registry's display field (key, handle, root),
// else name, else its first text column. Records whose value is NULL
// are left out; when two records give the same name the one with the lower
// id is kept, like keep="first".
func (in *Instance) Lookup(ctx context.Context, registry, field string) (map[string]any, error) {
	reg, err := lookupRegistry(registry)
	if err != nil {
		return nil, err
	}
	if field == "" {
		field = query.LookupField(reg)
	}
	if _, ok := reg.Column(field); !ok {
		return nil, invalidf("Unknown field '%s'. Available fields: %s", field, strings.Join(lookupFields(reg), ", "))
	}
	rows, err := in.Filter(ctx, reg.Name, nil, FilterOptions{Order: []string{"id"}, Limit: -1, Include: []string{field}})
	if err != nil {
		return nil, err
	}
	// The included copy of the field is the last column; drop it again.
	last := len(rows.Columns) - 1
	out := make(map[string]any, rows.Len())
	for i, row := range rows.Values {
		v := row[last]
		if v == nil {
			continue
		}
		name := query.LookupName(valueText(v))
		if _, dup := out[name]; dup {
			continue
		}
		rec := make(map[string]any, last)
		for j, c := range rows.Columns[:last] {
			rec[c] = rows.Values[i][j]
		}
		out[name] = rec
	}
	return out, nil
}

// View is LaminDB's ln.view(): for every registry with SQLRecord columns
// (artifact, collection, run, storage, transform) that has records, sorted
// by registry title, its registry-level listing cut to limit rows (0 means
// DefaultViewLimit): the newest by updated_at, or for Run the first by id.
func (in *Instance) View(ctx context.Context, limit int) ([]*Rows, error) {
	if limit <= 0 {
		limit = DefaultViewLimit
	}
	var regs []*query.Registry
	for _, r := range query.Registries() {
		if r.HasBranch() {
			regs = append(regs, r)
		}
	}
	sort.Slice(regs, func(i, j int) bool { return regs[i].Title < regs[j].Title })
	var out []*Rows
	for _, r := range regs {
		rows, err := in.Filter(ctx, r.Name, nil, FilterOptions{Limit: limit})
		if err != nil {
			return nil, err
		}
		if rows.Len() > 0 {
			out = append(out, rows)
		}
	}
	return out, nil
}

// rowPlan is a compiled listing: its statement and how to read each column.
type rowPlan struct {
	reg   *query.Registry
	sql   string
	args  []any
	names []string
	types []query.Type
}

func lookupRegistry(name string) (*query.Registry, error) {
	reg, err := query.LookupRegistry(name)
	if err != nil {
		return nil, invalidf("%v", err)
	}
	return reg, nil
}

// liftsBranchScope reports whether expr is branch_id=None (or branch=None),
// LaminDB's way of asking for every branch.
func liftsBranchScope(expr string) bool {
	switch expr {
	case "branch_id=None", "branch=None", "branch_id__exact=None", "branch__exact=None":
		return true
	}
	return false
}

// buildQuery parses filters and excludes into a query on reg.
func buildQuery(reg *query.Registry, exprs, excludes []string) (*query.Query, error) {
	q := query.New(reg)
	var keep []string
	for _, e := range exprs {
		if liftsBranchScope(e) {
			q.AllBranches = true
			continue
		}
		keep = append(keep, e)
	}
	conds, err := query.ParseFilters(reg, keep)
	if err != nil {
		return nil, invalidf("%v", err)
	}
	q.Filter(conds...)
	for _, e := range excludes {
		c, err := query.ParseFilter(reg, e)
		if err != nil {
			return nil, invalidf("%v", err)
		}
		q.Exclude(c)
	}
	return q, nil
}

func (in *Instance) planFilter(registry string, exprs []string, o FilterOptions) (*rowPlan, error) {
	reg, err := lookupRegistry(registry)
	if err != nil {
		return nil, err
	}
	q, err := buildQuery(reg, exprs, o.Exclude)
	if err != nil {
		return nil, err
	}
	q.AllBranches = q.AllBranches || o.AllBranches
	order, limit := o.Order, o.Limit
	if len(exprs) == 0 && len(o.Exclude) == 0 {
		// Registry-level listing: newest first, capped.
		if _, ok := reg.Column("updated_at"); ok && len(order) == 0 {
			order = []string{"-updated_at"}
		}
		if limit == 0 {
			limit = DefaultListLimit
		}
	}
	if len(order) > 0 {
		q.OrderBy(order...)
	}
	q.Limit = max(limit, 0)
	q.Offset = max(o.Offset, 0)
	plan := frameColumns(reg)
	sel := query.ColumnExprs(reg, plan.names)
	for k, path := range o.Include {
		expr, typ, err := query.IncludeExpr(reg, path, k+1)
		if err != nil {
			return nil, invalidf("%v", err)
		}
		sel = append(sel, expr)
		plan.names = append(plan.names, path)
		plan.types = append(plan.types, typ)
	}
	if plan.sql, plan.args, err = q.SQL(in.store.Dialect(), strings.Join(sel, ", ")); err != nil {
		return nil, invalidf("%v", err)
	}
	return plan, nil
}

// frameColumns is id followed by the registry's to_dataframe columns.
func frameColumns(reg *query.Registry) *rowPlan {
	p := &rowPlan{reg: reg, names: []string{"id"}, types: []query.Type{query.Int}}
	for _, c := range reg.FrameColumns() {
		p.names = append(p.names, c.Name)
		p.types = append(p.types, c.Type)
	}
	return p
}

// lookupFields lists the columns lookup accepts.
func lookupFields(reg *query.Registry) []string {
	var out []string
	for _, c := range reg.Columns {
		out = append(out, c.Name)
	}
	sort.Strings(out)
	return out
}

// rowsByID loads the listed records in the order of ids.
func (in *Instance) rowsByID(ctx context.Context, reg *query.Registry, ids []int64) (*Rows, error) {
	out := &Rows{Registry: reg.Decl, Columns: frameColumns(reg).names}
	pos := make(map[int64]int, len(ids))
	for i, id := range ids {
		pos[id] = i
	}
	found := make([][]any, len(ids))
	const chunk = 500
	for start := 0; start < len(ids); start += chunk {
		part := ids[start:min(start+chunk, len(ids))]
		vals := make([]string, len(part))
		for i, id := range part {
			vals[i] = strconv.FormatInt(id, 10)
		}
		plan, err := in.planFilter(reg.Name, []string{"id__in=" + strings.Join(vals, ",")}, FilterOptions{})
		if err != nil {
			return nil, err
		}
		rows, err := in.fetch(ctx, plan)
		if err != nil {
			return nil, err
		}
		for _, row := range rows.Values {
			found[pos[row[0].(int64)]] = row
		}
	}
	for _, row := range found {
		if row != nil {
			out.Values = append(out.Values, row)
		}
	}
	return out, nil
}

// fetch runs a plan and converts every value to its Go type.
func (in *Instance) fetch(ctx context.Context, p *rowPlan) (*Rows, error) {
	rs, err := in.store.Query(ctx, p.sql, p.args...)
	if err != nil {
		return nil, fmt.Errorf("query %s: %w", p.reg.Name, err)
	}
	defer rs.Close()
	out := &Rows{Registry: p.reg.Decl, Columns: p.names}
	for rs.Next() {
		raw := make([]any, len(p.names))
		ptrs := make([]any, len(raw))
		for i := range raw {
			ptrs[i] = &raw[i]
		}
		if err := rs.Scan(ptrs...); err != nil {
			return nil, fmt.Errorf("query %s: %w", p.reg.Name, err)
		}
		for i, v := range raw {
			if raw[i], err = convertValue(v, p.types[i]); err != nil {
				return nil, fmt.Errorf("query %s: column %s: %w", p.reg.Name, p.names[i], err)
			}
		}
		out.Values = append(out.Values, raw)
	}
	if err := rs.Err(); err != nil {
		return nil, fmt.Errorf("query %s: %w", p.reg.Name, err)
	}
	return out, nil
}

// timeLayouts are the text forms timestamps take in the database.
var timeLayouts = []string{
	"2006-01-02 15:04:05.999999999-07:00",
	time.RFC3339Nano,
	"2006-01-02 15:04:05.999999999",
	"2006-01-02T15:04:05.999999999",
}

// convertValue turns what the driver scanned into the column type's Go
// value: int64, bool, time.Time (UTC) or string; NULL stays nil.
func convertValue(v any, t query.Type) (any, error) {
	if v == nil {
		return nil, nil
	}
	if b, ok := v.([]byte); ok {
		v = string(b)
	}
	switch t {
	case query.Int:
		switch x := v.(type) {
		case int64:
			return x, nil
		case int32:
			return int64(x), nil
		case int16:
			return int64(x), nil
		case int:
			return int64(x), nil
		case float64:
			if x == math.Trunc(x) {
				return int64(x), nil
			}
		case bool:
			if x {
				return int64(1), nil
			}
			return int64(0), nil
		case string:
			return strconv.ParseInt(x, 10, 64)
		}
	case query.Bool:
		switch x := v.(type) {
		case bool:
			return x, nil
		case int64:
			return x != 0, nil
		case string:
			return strconv.ParseBool(x)
		}
	case query.Time:
		switch x := v.(type) {
		case time.Time:
			return x.UTC(), nil
		case string:
			for _, l := range timeLayouts {
				if tm, err := time.Parse(l, x); err == nil {
					return tm.UTC(), nil
				}
			}
		}
	default:
		switch x := v.(type) {
		case string:
			return x, nil
		case time.Time:
			return x.UTC().Format("2006-01-02 15:04:05.000000-07:00"), nil
		default:
			return fmt.Sprint(x), nil
		}
	}
	return nil, fmt.Errorf("unexpected %T value %v for a %s column", v, v, t)
}

// valueText renders a value for lookup names.
func valueText(v any) string {
	switch x := v.(type) {
	case string:
		return x
	case time.Time:
		return x.Format("2006-01-02 15:04:05")
	}
	return fmt.Sprint(v)
}
