package query

import (
	"fmt"
	"strconv"
	"strings"
	"time"

	"github.com/lamin-go/lamin/internal/meta"
)

// RunArtifactKind is the kind of artifacts LaminDB keeps for its own run
// bookkeeping (logs, environments); default queries hide them.
const RunArtifactKind = "__lamindb_run__"

// MainBranch is the id of the main branch.
const MainBranch = 1

// Query is a filter over one registry, compiled to SQL by SQL and CountSQL.
// The zero value is not usable; create queries with New.
type Query struct {
	// Registry is the registry queried.
	Registry *Registry
	// Limit caps the number of rows; 0 means no limit.
	Limit int
	// Offset skips rows.
	Offset int
	// AllBranches lifts the default branch scope (trash and archive included).
	AllBranches bool
	// Branch is the current branch id; 0 means the main branch. Rows of the
	// current branch and of main are in the default scope.
	Branch int64
	// KeepRunArtifacts lifts the hiding of run bookkeeping artifacts (kind
	// __lamindb_run__) on Artifact, as a lookup by uid does.
	KeepRunArtifacts bool

	filters  [][]Condition
	excludes [][]Condition
	ors      [][][]Condition
	order    []string
	raw      []rawCond
}

// rawCond is SQL written by this package (never from user text) with its args.
type rawCond struct {
	sql  string
	args []any
}

// New returns an empty query on reg.
func New(reg *Registry) *Query { return &Query{Registry: reg} }

// Filter adds conditions that must all hold. As in LaminDB, conditions given
// in one call that traverse the same to-many relation must hold for the same
// related row; separate calls are independent.
func (q *Query) Filter(conds ...Condition) *Query {
	if len(conds) > 0 {
		q.filters = append(q.filters, conds)
	}
	return q
}

// Exclude drops rows for which all conds hold (rows where the conditions are
// NULL, e.g. a NULL column, are kept, as in LaminDB).
func (q *Query) Exclude(conds ...Condition) *Query {
	if len(conds) > 0 {
		q.excludes = append(q.excludes, conds)
	}
	return q
}

// Or adds a disjunction: a row matches if all conditions of at least one
// group hold. Empty groups are ignored; an Or without groups matches nothing.
func (q *Query) Or(groups ...[]Condition) *Query {
	q.ors = append(q.ors, groups)
	return q
}

// OrderBy sets the ordering: field paths, optionally through to-one
// relations ("run__transform__key"), prefixed with '-' for descending.
// Without OrderBy rows come in ascending id order.
func (q *Query) OrderBy(fields ...string) *Query {
	q.order = append(q.order[:0:0], fields...)
	return q
}

func (q *Query) allConds() []Condition {
	var out []Condition
	for _, g := range q.filters {
		out = append(out, g...)
	}
	for _, g := range q.excludes {
		out = append(out, g...)
	}
	for _, o := range q.ors {
		for _, g := range o {
			out = append(out, g...)
		}
	}
	return out
}

// Scoped reports whether the default branch scope applies: the registry has
// branches, AllBranches is false, no filter names id, uid or hash (bare or
// with __in), and no condition mentions branch or branch_id.
func (q *Query) Scoped() bool {
	if q.AllBranches || !q.Registry.HasBranch() {
		return false
	}
	for _, g := range q.filters {
		for _, c := range g {
			switch c.Field {
			case "id", "uid", "hash", "id__in", "uid__in", "hash__in":
				return false
			}
		}
	}
	for _, c := range q.allConds() {
		f := strings.Join(expandAlias(q.Registry, strings.Split(c.Field, "__")), "__")
		if f == "branch" || f == "branch_id" || strings.HasPrefix(f, "branch__") || strings.HasPrefix(f, "branch_id__") {
			return false
		}
	}
	return true
}

// hidesRunArtifacts reports whether __lamindb_run__ artifacts are excluded:
// on Artifact unless KeepRunArtifacts is set or a condition's first field is
// kind.
func (q *Query) hidesRunArtifacts() bool {
	if q.Registry != Artifact || q.KeepRunArtifacts {
		return false
	}
	for _, c := range q.allConds() {
		if first, _, _ := strings.Cut(c.Field, "__"); first == "kind" {
			return false
		}
	}
	return true
}

// builder accumulates SQL text and its arguments in placeholder order.
type builder struct {
	d    meta.Dialect
	pg   bool
	n    int
	args []any
}

func newBuilder(d meta.Dialect) *builder {
	return &builder{d: d, pg: d.Name() == "postgres"}
}

func (b *builder) alias(prefix string) string {
	b.n++
	return prefix + strconv.Itoa(b.n)
}

// ph adds an argument and returns its placeholder.
func (b *builder) ph(v any) string {
	b.args = append(b.args, v)
	return "?"
}

// textPh is a placeholder used where PostgreSQL cannot infer a type.
func (b *builder) textPh(v any) string {
	b.args = append(b.args, v)
	if b.pg {
		return "CAST(? AS TEXT)"
	}
	return "?"
}

// containsFolded matches x containing s, ignoring case: ILIKE on
// PostgreSQL, which trigram indexes serve; LIKE on SQLite, which ignores
// ASCII case by itself (as its lower() folds ASCII only, lowering both
// sides would change nothing but the cost).
func (b *builder) containsFolded(x, s string) string {
	op := " LIKE "
	if b.pg {
		op = " ILIKE "
	}
	return x + op + b.textPh("%"+escapeLike(s)+"%") + b.escapeClause()
}

// escapeClause names the LIKE escape character (a backslash) without a
// string literal, so the statement text contains no quotes at all.
func (b *builder) escapeClause() string {
	if b.pg {
		return " ESCAPE chr(92)"
	}
	return " ESCAPE char(92)"
}

// where renders the WHERE body (without the keyword), or "" when empty.
func (b *builder) where(q *Query) (string, error) {
	reg := q.Registry
	var parts []string
	if q.Scoped() {
		branch := q.Branch
		if branch == 0 {
			branch = MainBranch
		}
		// The scope keeps nearly every row, so its index is useless; on
		// SQLite the unary + stops the planner from choosing it over the
		// index of a selective filter (key prefix, creator, …).
		col := "t._branch_code"
		if !b.pg {
			col = "+" + col
		}
		if branch == MainBranch {
			parts = append(parts, col+" IN ("+b.ph(int64(MainBranch))+")")
		} else {
			parts = append(parts, col+" IN ("+b.ph(branch)+", "+b.ph(int64(MainBranch))+")")
		}
	}
	if q.hidesRunArtifacts() {
		parts = append(parts, "(t.kind IS NULL OR t.kind <> "+b.ph(RunArtifactKind)+")")
	}
	for _, rc := range q.raw {
		parts = append(parts, "("+rc.sql+")")
		b.args = append(b.args, rc.args...)
	}
	for _, g := range q.filters {
		if err := checkRegistry(reg, g); err != nil {
			return "", err
		}
		parts = append(parts, b.and(reg, "t", g, 0))
	}
	for _, o := range q.ors {
		var alts []string
		for _, g := range o {
			if len(g) == 0 {
				continue
			}
			if err := checkRegistry(reg, g); err != nil {
				return "", err
			}
			alts = append(alts, "("+b.and(reg, "t", g, 0)+")")
		}
		if len(alts) == 0 {
			parts = append(parts, "1 = 0")
			continue
		}
		parts = append(parts, "("+strings.Join(alts, " OR ")+")")
	}
	for _, g := range q.excludes {
		if err := checkRegistry(reg, g); err != nil {
			return "", err
		}
		parts = append(parts, "NOT COALESCE(("+b.and(reg, "t", g, 0)+"), "+b.falseLit()+")")
	}
	return strings.Join(parts, " AND "), nil
}

func (b *builder) falseLit() string {
	if b.pg {
		return "FALSE"
	}
	return "0"
}

func checkRegistry(reg *Registry, conds []Condition) error {
	for _, c := range conds {
		if c.reg != reg {
			name := "<nil>"
			if c.reg != nil {
				name = c.reg.Name
			}
			return fmt.Errorf("query: condition %q was parsed for %s, not %s", c.Field, name, reg.Name)
		}
	}
	return nil
}

// and renders conds, all holding on the row aliased alias of reg, where
// depth hops of each condition's path have already been walked. Conditions
// continuing through the same relation share one subquery.
func (b *builder) and(reg *Registry, alias string, conds []Condition, depth int) string {
	type item struct {
		leaf  *Condition
		rel   Relation
		to    *Registry
		conds []Condition
	}
	var items []*item
	groups := map[string]*item{}
	for i := range conds {
		c := conds[i]
		if len(c.steps) == depth {
			items = append(items, &item{leaf: &c})
			continue
		}
		s := c.steps[depth]
		g, ok := groups[s.rel.Name]
		if !ok {
			g = &item{rel: s.rel, to: s.to}
			groups[s.rel.Name] = g
			items = append(items, g)
		}
		g.conds = append(g.conds, c)
	}
	out := make([]string, 0, len(items))
	for _, it := range items {
		if it.leaf != nil {
			out = append(out, b.leaf(alias, *it.leaf))
		} else {
			out = append(out, b.relation(alias, it.rel, it.to, it.conds, depth))
		}
	}
	return strings.Join(out, " AND ")
}

// relation renders conditions that continue through rel from the row alias.
func (b *builder) relation(alias string, rel Relation, to *Registry, conds []Condition, depth int) string {
	a := b.alias("j")
	nullOK := true
	for _, c := range conds {
		if !(c.Lookup == "isnull" && c.isnull) {
			nullOK = false
		}
	}
	switch rel.Kind {
	case Forward:
		inner := b.and(to, a, conds, depth+1)
		expr := fmt.Sprintf("%s.%s IN (SELECT %s.id FROM %s %s WHERE %s)", alias, rel.Column, a, to.Table, a, inner)
		if nullOK {
			// Like a LEFT JOIN: a missing related row has NULL fields.
			expr = fmt.Sprintf("(%s.%s IS NULL OR %s)", alias, rel.Column, expr)
		}
		return expr
	case Reverse:
		none := ""
		if nullOK {
			n := b.alias("j")
			none = fmt.Sprintf("NOT EXISTS (SELECT 1 FROM %s %s WHERE %s.%s = %s.id) OR ", to.Table, n, n, rel.Column, alias)
		}
		inner := b.and(to, a, conds, depth+1)
		expr := fmt.Sprintf("EXISTS (SELECT 1 FROM %s %s WHERE %s.%s = %s.id AND %s)", to.Table, a, a, rel.Column, alias, inner)
		if nullOK {
			return "(" + none + expr + ")"
		}
		return expr
	default: // ManyToMany
		none := ""
		if nullOK {
			n := b.alias("l")
			none = fmt.Sprintf("NOT EXISTS (SELECT 1 FROM %s %s WHERE %s.%s = %s.id) OR ", rel.Through, n, n, rel.ThroughSource, alias)
		}
		l := b.alias("l")
		inner := b.and(to, a, conds, depth+1)
		expr := fmt.Sprintf("EXISTS (SELECT 1 FROM %s %s JOIN %s %s ON %s.id = %s.%s WHERE %s.%s = %s.id AND %s)",
			rel.Through, l, to.Table, a, a, l, rel.ThroughTarget, l, rel.ThroughSource, alias, inner)
		if nullOK {
			return "(" + none + expr + ")"
		}
		return expr
	}
}

// leaf renders one comparison on alias.column.
func (b *builder) leaf(alias string, c Condition) string {
	x := alias + "." + c.col.SQL
	v := func(i int) any { return b.arg(c.values[i]) }
	ph := b.ph
	if b.pg && c.col.Type == Int {
		// An integer beyond the column's type (int2/int4) must match
		// nothing rather than fail to encode: compare as bigint.
		ph = func(v any) string { b.args = append(b.args, v); return "CAST(? AS BIGINT)" }
	}
	switch c.Lookup {
	case "isnull":
		if c.isnull {
			return x + " IS NULL"
		}
		return x + " IS NOT NULL"
	case "exact":
		return x + " = " + ph(v(0))
	case "iexact":
		return "lower(" + x + ") = lower(" + b.textPh(v(0)) + ")"
	case "contains":
		if b.pg {
			// LIKE rather than strpos: trigram indexes serve it.
			return x + " LIKE " + b.textPh("%"+escapeLike(c.Value)+"%") + b.escapeClause()
		}
		return "instr(" + x + ", " + b.ph(v(0)) + ") > 0"
	case "icontains":
		return b.containsFolded(x, c.Value)
	case "startswith":
		return b.startsWith(x, c.Value)
	case "endswith":
		s := c.Value
		if s == "" {
			return x + " IS NOT NULL"
		}
		if b.pg {
			return "right(" + x + ", length(" + b.textPh(s) + ")) = " + b.ph(s)
		}
		return "substr(" + x + ", -length(" + b.ph(s) + ")) = " + b.ph(s)
	case "in":
		if len(c.values) == 0 {
			return "1 = 0"
		}
		ps := make([]string, len(c.values))
		for i := range c.values {
			ps[i] = ph(v(i))
		}
		return x + " IN (" + strings.Join(ps, ", ") + ")"
	case "gt":
		return x + " > " + ph(v(0))
	case "gte":
		return x + " >= " + ph(v(0))
	case "lt":
		return x + " < " + ph(v(0))
	case "lte":
		return x + " <= " + ph(v(0))
	case "range":
		lo := ph(v(0))
		return x + " BETWEEN " + lo + " AND " + ph(v(1))
	}
	panic("query: unhandled lookup " + c.Lookup)
}

// startsWith renders a case-sensitive prefix match. On SQLite it is the range
// col >= prefix AND col < upper, where upper is the prefix with its last byte
// incremented: under SQLite's BINARY collation (byte order) this matches
// exactly the values starting with the prefix and lets SQLite use an index on
// the column (key__startswith is how folders are listed). PostgreSQL uses
// LIKE with an escaped prefix, which its pattern-ops indexes serve.
func (b *builder) startsWith(x, prefix string) string {
	if prefix == "" {
		return x + " IS NOT NULL"
	}
	if b.pg {
		// LIKE 'prefix%' with the wildcards escaped; pattern-ops indexes
		// (migration 0003) serve it.
		return x + " LIKE " + b.textPh(escapeLike(prefix)+"%") + b.escapeClause()
	}
	if upper, ok := prefixUpperBound(prefix); ok {
		lo := b.ph(prefix)
		return x + " >= " + lo + " AND " + x + " < " + b.ph(upper)
	}
	return "instr(" + x + ", " + b.ph(prefix) + ") = 1"
}

// prefixUpperBound returns the smallest byte string greater than every string
// starting with p: p without trailing 0xff bytes, last byte incremented.
func prefixUpperBound(p string) (string, bool) {
	bs := []byte(p)
	for i := len(bs) - 1; i >= 0; i-- {
		if bs[i] != 0xff {
			bs[i]++
			return string(bs[:i+1]), true
		}
	}
	return "", false
}

// escapeLike escapes LIKE wildcards and the escape character itself.
func escapeLike(s string) string {
	r := strings.NewReplacer(`\`, `\\`, `%`, `\%`, `_`, `\_`)
	return r.Replace(s)
}

// arg converts a parsed value into what the dialect binds for the column.
func (b *builder) arg(v any) any {
	if tv, ok := v.(time.Time); ok {
		return b.d.TimeArg(tv)
	}
	return v
}

// orderClause renders ORDER BY (with the LEFT JOINs it needs).
func (b *builder) orderClause(q *Query) (joins, order string, err error) {
	reg := q.Registry
	var js, keys []string
	joined := map[string]string{}
	hasID := false
	for _, f := range q.order {
		desc := strings.HasPrefix(f, "-")
		name := strings.TrimPrefix(f, "-")
		if name == "" {
			return "", "", fieldErrorf("invalid order field '%s'", f)
		}
		parts := expandAlias(reg, strings.Split(name, "__"))
		r, err := resolve(reg, parts)
		if err != nil {
			return "", "", err
		}
		if r.lookupParts > 0 {
			return "", "", fieldErrorf("cannot order by lookup '%s' in '%s'", r.lookup, name)
		}
		steps := r.steps
		col := r.col
		if r.relation != nil {
			// Ordering by a relation orders by its id.
			if r.relation.Kind != Forward {
				return "", "", fieldErrorf("cannot order by to-many relation '%s'", name)
			}
			col = Column{Name: r.relation.Name + "_id", SQL: r.relation.Column, Type: Int}
		}
		alias := "t"
		path := ""
		for _, s := range steps {
			if s.rel.Kind != Forward {
				return "", "", fieldErrorf("cannot order by to-many relation '%s' in '%s'", s.rel.Name, name)
			}
			path += "__" + s.rel.Name
			a, ok := joined[path]
			if !ok {
				a = b.alias("o")
				joined[path] = a
				js = append(js, fmt.Sprintf("LEFT JOIN %s %s ON %s.id = %s.%s", s.to.Table, a, a, alias, s.rel.Column))
			}
			alias = a
		}
		if alias == "t" && col.Name == "id" {
			hasID = true
		}
		dir := " ASC"
		if desc {
			dir = " DESC"
		}
		if b.pg {
			// SQLite sorts NULLs as the smallest value; say so on
			// PostgreSQL too, so both engines list rows in one order.
			dir += map[bool]string{false: " NULLS FIRST", true: " NULLS LAST"}[desc]
		}
		keys = append(keys, alias+"."+col.SQL+dir)
	}
	if !hasID {
		keys = append(keys, "t.id ASC")
	}
	if len(js) > 0 {
		joins = " " + strings.Join(js, " ")
	}
	return joins, " ORDER BY " + strings.Join(keys, ", "), nil
}

// SQL renders the query as SELECT selectList FROM <table> t … with '?'
// placeholders (callers Rebind) and its arguments. selectList must refer to
// the registry's table through the alias t (see Registry.SelectList).
func (q *Query) SQL(d meta.Dialect, selectList string) (string, []any, error) {
	if q.Registry == nil {
		return "", nil, fmt.Errorf("query: no registry")
	}
	b := newBuilder(d)
	// ORDER BY joins come first in the text, but take no arguments.
	joins, order, err := b.orderClause(q)
	if err != nil {
		return "", nil, err
	}
	where, err := b.where(q)
	if err != nil {
		return "", nil, err
	}
	var sb strings.Builder
	sb.WriteString("SELECT " + selectList + " FROM " + q.Registry.Table + " t" + joins)
	if where != "" {
		sb.WriteString(" WHERE " + where)
	}
	sb.WriteString(order)
	sb.WriteString(b.limitClause(q))
	return sb.String(), b.args, nil
}

func (b *builder) limitClause(q *Query) string {
	switch {
	case q.Limit > 0 && q.Offset > 0:
		return " LIMIT " + b.ph(int64(q.Limit)) + " OFFSET " + b.ph(int64(q.Offset))
	case q.Limit > 0:
		return " LIMIT " + b.ph(int64(q.Limit))
	case q.Offset > 0 && b.pg:
		return " OFFSET " + b.ph(int64(q.Offset))
	case q.Offset > 0:
		return " LIMIT -1 OFFSET " + b.ph(int64(q.Offset))
	}
	return ""
}

// CountSQL renders SELECT COUNT(*) for the query's rows (respecting Limit and
// Offset) with its arguments.
func (q *Query) CountSQL(d meta.Dialect) (string, []any, error) {
	if q.Registry == nil {
		return "", nil, fmt.Errorf("query: no registry")
	}
	if _, _, err := newBuilder(d).orderClause(q); err != nil {
		return "", nil, err
	}
	b := newBuilder(d)
	where, err := b.where(q)
	if err != nil {
		return "", nil, err
	}
	inner := "FROM " + q.Registry.Table + " t"
	if where != "" {
		inner += " WHERE " + where
	}
	if q.Limit > 0 || q.Offset > 0 {
		return "SELECT COUNT(*) FROM (SELECT t.id " + inner + b.limitClause(q) + ") c", b.args, nil
	}
	return "SELECT COUNT(*) " + inner, b.args, nil
}
