package query

import (
	"errors"
	"fmt"
	"strconv"
	"strings"
	"time"
	"unicode/utf8"

	"golang.org/x/text/unicode/norm"
)

// Lookups lists the supported lookups in LaminDB's (Django's) spelling.
var Lookups = []string{
	"exact", "iexact", "contains", "icontains", "startswith", "endswith",
	"in", "gt", "gte", "lt", "lte", "isnull", "range",
}

func isLookup(s string) bool {
	for _, l := range Lookups {
		if s == l {
			return true
		}
	}
	return false
}

// textLookups only make sense on text columns.
var textLookups = map[string]bool{"iexact": true, "contains": true, "icontains": true, "startswith": true, "endswith": true}

// FieldError is a user error in a filter or ordering expression, worded like
// LaminDB's FieldError.
type FieldError struct {
	// Msg is the complete message.
	Msg string
}

// Error returns the message.
func (e *FieldError) Error() string { return e.Msg }

func fieldErrorf(format string, args ...any) error {
	return &FieldError{Msg: fmt.Sprintf(format, args...)}
}

// step is one hop of a traversal.
type step struct {
	rel  Relation
	from *Registry
	to   *Registry
}

// Condition is one parsed filter expression, bound to its registry. Build it
// with ParseFilter or ParseCondition.
type Condition struct {
	// Field is the field path as typed, including the lookup
	// ("run__transform__key__startswith").
	Field string
	// Lookup is the resolved lookup ("exact" when none was typed).
	Lookup string
	// Value is the raw value as typed.
	Value string

	reg    *Registry
	path   string // Field after alias expansion, without the lookup
	steps  []step
	col    Column
	values []any // converted values (two for range, any number for in)
	isnull bool
}

// Registry returns the registry the condition applies to.
func (c Condition) Registry() *Registry { return c.reg }

// ParseFilter parses one command-line expression field[__traversal…][__lookup]=value.
// The expression is split at the first '='; the rest is the raw value.
func ParseFilter(reg *Registry, expr string) (Condition, error) {
	field, value, ok := strings.Cut(expr, "=")
	if !ok {
		return Condition{}, fieldErrorf("invalid filter '%s': expected field=value", expr)
	}
	return ParseCondition(reg, field, value)
}

// ParseFilters parses several expressions; see ParseFilter.
func ParseFilters(reg *Registry, exprs []string) ([]Condition, error) {
	out := make([]Condition, 0, len(exprs))
	total := 0
	for _, e := range exprs {
		c, err := ParseFilter(reg, e)
		if err != nil {
			return nil, err
		}
		out = append(out, c)
		if total += len(c.values); total > MaxValues {
			return nil, tooManyValues("the filters", total)
		}
	}
	return out, nil
}

// MaxValues is the most values one query binds: SQLite refuses statements
// with more than 32,766 parameters (PostgreSQL 65,535), so longer lists
// are refused up front with a clear error rather than failing in the
// database.
const MaxValues = 30000

func tooManyValues(what string, n int) error {
	return fieldErrorf("%s: %d values, at most %d fit in one query; split the list into several queries", what, n, MaxValues)
}

// ParseCondition resolves field (a path with an optional lookup) on reg and
// converts value to the column's type.
func ParseCondition(reg *Registry, field, value string) (Condition, error) {
	if reg == nil {
		return Condition{}, fmt.Errorf("query: nil registry")
	}
	c := Condition{Field: field, Value: value, reg: reg}
	parts := expandAlias(reg, strings.Split(field, "__"))
	r, err := resolve(reg, parts)
	if err != nil {
		return Condition{}, err
	}
	c.Lookup = r.lookup
	c.path = field
	if r.lookupParts == 1 {
		c.path = strings.TrimSuffix(field, "__"+r.lookup)
	}
	c.steps = r.steps
	if r.relation != nil {
		if err := c.bindRelation(*r.relation, r.to); err != nil {
			return Condition{}, err
		}
	} else {
		c.col = r.col
		if err := c.convert(); err != nil {
			return Condition{}, err
		}
	}
	c.collapseForeignID()
	return c, nil
}

func expandAlias(reg *Registry, parts []string) []string {
	if a, ok := reg.Aliases[parts[0]]; ok {
		return append(strings.Split(a, "__"), parts[1:]...)
	}
	return parts
}

type resolved struct {
	steps       []step
	col         Column
	relation    *Relation // set when the path ends on a relation
	to          *Registry // target of relation
	lookup      string
	lookupParts int // 0 or 1
}

// resolve walks parts through reg's columns and relations.
func resolve(reg *Registry, parts []string) (resolved, error) {
	var r resolved
	cur := reg
	for i := 0; i < len(parts); i++ {
		p := parts[i]
		rest := parts[i+1:]
		if col, ok := cur.Column(p); ok {
			r.col = col
			lk, n, err := terminalLookup(parts, i, rest)
			if err != nil {
				return r, err
			}
			r.lookup, r.lookupParts = lk, n
			return r, nil
		}
		if rel, ok := cur.Relation(p); ok {
			target := registryByName(rel.Target)
			if len(rest) == 0 || (len(rest) == 1 && isLookup(rest[0])) {
				r.relation, r.to = &rel, target
				r.lookup, r.lookupParts = "exact", 0
				if len(rest) == 1 {
					r.lookup, r.lookupParts = rest[0], 1
				}
				return r, nil
			}
			r.steps = append(r.steps, step{rel: rel, from: cur, to: target})
			cur = target
			continue
		}
		return r, fieldErrorf("Unknown field '%s'. Available fields: %s", p, strings.Join(cur.AvailableFields(), ", "))
	}
	// Only reachable with an empty path, which strings.Split never yields.
	return r, fieldErrorf("Unknown field ''. Available fields: %s", strings.Join(reg.AvailableFields(), ", "))
}

func terminalLookup(parts []string, i int, rest []string) (string, int, error) {
	switch {
	case len(rest) == 0:
		return "exact", 0, nil
	case len(rest) == 1 && isLookup(rest[0]):
		return rest[0], 1, nil
	default:
		return "", 0, fieldErrorf("Unsupported lookup '%s' for %s; use one of %s",
			rest[0], strings.Join(parts[:i+1], "__"), strings.Join(Lookups, ", "))
	}
}

// convert parses c.Value for c.col and c.Lookup.
func (c *Condition) convert() error {
	name := c.path
	col := c.col
	if col.Name == "key" && col.Type == Text {
		// Keys are stored in NFC: a key typed with a combining accent
		// matches the same key typed with a precomposed letter.
		c.Value = norm.NFC.String(c.Value)
	}
	switch {
	case c.Lookup == "isnull":
		b, err := parseBool(c.Value)
		if err != nil {
			return fieldErrorf("invalid value '%s' for %s__isnull: expected true or false", c.Value, name)
		}
		c.isnull = b
		return nil
	case col.Type == JSON:
		return fieldErrorf("Unsupported lookup '%s' for %s (a json field); use isnull", c.Lookup, name)
	case textLookups[c.Lookup] && col.Type != Text:
		return fieldErrorf("Unsupported lookup '%s' for %s (a %s field); use one of exact, in, gt, gte, lt, lte, isnull, range",
			c.Lookup, name, col.Type)
	case col.Type == Bool && (c.Lookup == "gt" || c.Lookup == "gte" || c.Lookup == "lt" || c.Lookup == "lte" || c.Lookup == "range"):
		return fieldErrorf("Unsupported lookup '%s' for %s (a bool field); use one of exact, in, isnull", c.Lookup, name)
	}
	var raws []string
	switch c.Lookup {
	case "in":
		if c.Value != "" {
			raws = strings.Split(c.Value, ",")
		}
		if len(raws) > MaxValues {
			return tooManyValues(name+"__in", len(raws))
		}
	case "range":
		raws = strings.Split(c.Value, ",")
		if len(raws) != 2 {
			return fieldErrorf("invalid value '%s' for %s__range: expected two values separated by a comma", c.Value, name)
		}
	default:
		raws = []string{c.Value}
	}
	c.values = make([]any, 0, len(raws))
	for _, s := range raws {
		v, err := convertValue(col.Type, s)
		if err != nil {
			return fieldErrorf("invalid value '%s' for %s: expected %s", s, name, expected(col.Type))
		}
		c.values = append(c.values, v)
	}
	return nil
}

func expected(t Type) string {
	switch t {
	case Int:
		return "an integer"
	case Bool:
		return "true or false"
	case Time:
		return "a timestamp (RFC3339 or YYYY-MM-DD[ HH:MM:SS])"
	}
	return "text"
}

func convertValue(t Type, s string) (any, error) {
	switch t {
	case Int:
		return strconv.ParseInt(s, 10, 64)
	case Bool:
		return parseBool(s)
	case Time:
		return parseTime(s)
	}
	if err := checkText(s); err != nil {
		return nil, err
	}
	return s, nil
}

// checkText rejects text no database column can hold: NUL bytes and
// invalid UTF-8 (PostgreSQL refuses them; SQLite would match nothing).
func checkText(s string) error {
	if !utf8.ValidString(s) || strings.IndexByte(s, 0) >= 0 {
		return errors.New("text with a NUL byte or invalid UTF-8")
	}
	return nil
}

func parseBool(s string) (bool, error) {
	switch strings.ToLower(s) {
	case "true", "1":
		return true, nil
	case "false", "0":
		return false, nil
	}
	return false, fmt.Errorf("not a bool: %q", s)
}

var timeLayouts = []string{
	time.RFC3339Nano,
	"2006-01-02 15:04:05.999999999Z07:00",
	"2006-01-02T15:04:05.999999999",
	"2006-01-02 15:04:05.999999999",
	"2006-01-02",
}

// parseTime accepts RFC3339 and YYYY-MM-DD[ HH:MM:SS[.fff]]; times without a
// zone are UTC.
func parseTime(s string) (time.Time, error) {
	for _, l := range timeLayouts {
		if t, err := time.Parse(l, s); err == nil {
			return t.UTC(), nil
		}
	}
	return time.Time{}, fmt.Errorf("not a timestamp: %q", s)
}

// bindRelation handles a path that ends on a relation (run=5, created_by=2,
// transform=<uid>): numbers compare the target's id, base62 strings its uid.
func (c *Condition) bindRelation(rel Relation, target *Registry) error {
	c.steps = append(c.steps, step{rel: rel, from: c.lastRegistry(), to: target})
	idCol, _ := target.Column("id")
	uidCol, hasUID := target.Column("uid")
	hint := func(v string) error {
		return fieldErrorf("Invalid lookup '%s' for %s. Did you mean %s__%s?", v, c.path, c.path, LookupField(target))
	}
	switch c.Lookup {
	case "isnull":
		c.col = idCol
		return c.convert()
	case "in":
		raws := []string{}
		if c.Value != "" {
			raws = strings.Split(c.Value, ",")
		}
		if allInts(raws) {
			c.col = idCol
			return c.convert()
		}
		for _, s := range raws {
			if !hasUID || len(s) != target.UIDLength || !looksLikeUID(s, target.UIDLength) {
				return hint(s)
			}
		}
		c.col = uidCol
		return c.convert()
	case "exact":
		if isInt(c.Value) {
			c.col = idCol
			return c.convert()
		}
		if hasUID && looksLikeUID(c.Value, target.UIDLength) {
			c.col = uidCol
			if len(c.Value) < target.UIDLength {
				c.Lookup = "startswith"
			}
			return c.convert()
		}
		return hint(c.Value)
	case "gt", "gte", "lt", "lte", "range":
		c.col = idCol
		if err := c.convert(); err != nil {
			return hint(c.Value)
		}
		return nil
	}
	return fieldErrorf("Unsupported lookup '%s' for %s; use one of exact, in, gt, gte, lt, lte, isnull, range", c.Lookup, c.path)
}

func (c *Condition) lastRegistry() *Registry {
	if len(c.steps) == 0 {
		return c.reg
	}
	return c.steps[len(c.steps)-1].to
}

// collapseForeignID rewrites a final forward hop compared on the target's id
// into a comparison of the local foreign-key column (run__id=5 → run_id=5).
func (c *Condition) collapseForeignID() {
	n := len(c.steps)
	if n == 0 || c.col.Name != "id" {
		return
	}
	last := c.steps[n-1]
	if last.rel.Kind != Forward {
		return
	}
	c.steps = c.steps[:n-1]
	c.col = Column{Name: last.rel.Name + "_id", SQL: last.rel.Column, Type: Int, FK: last.rel.Target}
}

func isInt(s string) bool {
	_, err := strconv.ParseInt(s, 10, 64)
	return err == nil
}

func allInts(ss []string) bool {
	for _, s := range ss {
		if !isInt(s) {
			return false
		}
	}
	return true
}

// looksLikeUID reports whether s can be a uid (n characters) or uid prefix:
// base62, at most n characters, and a prefix must not be a plain lower-case
// word (those are names; LaminDB rejects alphabetic values on relations for
// the same reason).
func looksLikeUID(s string, n int) bool {
	if s == "" || len(s) > n {
		return false
	}
	word := len(s) < n
	for i := 0; i < len(s); i++ {
		ch := s[i]
		switch {
		case ch >= 'a' && ch <= 'z':
		case ch >= 'A' && ch <= 'Z', ch >= '0' && ch <= '9':
			word = false
		default:
			return false
		}
	}
	return !word
}
