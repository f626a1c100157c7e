package query

import (
	"sort"
	"strings"

	"github.com/lamin-go/lamin/internal/meta"
)

// CompleteFilter lists what a shell may offer to complete partial, the
// start of a filter expression on reg ("", "ke", "created_by__ha",
// "key__sta"): field names followed by "=" (to type a value) or by "__" (to
// go on to a lookup), relation names followed by "__" (to go on to the
// related registry's fields, as in created_by__handle), and after
// "FIELD__" the lookups FIELD allows, followed by "=". Fields whose name
// starts with '_' are offered only when the typed part does. Values are not
// completed: partial holding '=' gives nothing. The result is sorted.
func CompleteFilter(reg *Registry, partial string) []string {
	if strings.Contains(partial, "=") {
		return nil
	}
	parts := strings.Split(partial, "__")
	if a := reg.Aliases[parts[0]]; a == "run__transform" && len(parts) > 1 {
		// transform__... on Artifact and Collection walks run__transform.
		out := completeParts(reg, append(strings.Split(a, "__"), parts[1:]...))
		for i, s := range out {
			out[i] = "transform__" + strings.TrimPrefix(s, a+"__")
		}
		return out
	}
	return completeParts(reg, parts)
}

// completeParts completes the last of parts after walking the others.
func completeParts(reg *Registry, parts []string) []string {
	cur, prefix := reg, ""
	last := parts[len(parts)-1]
	for i, p := range parts[:len(parts)-1] {
		if rel, ok := cur.Relation(p); ok {
			cur, prefix = registryByName(rel.Target), prefix+p+"__"
			continue
		}
		if c, ok := cur.Column(p); ok && i == len(parts)-2 {
			return completeLookups(c, prefix+p+"__", last)
		}
		return nil
	}
	private := strings.HasPrefix(last, "_")
	offer := func(name string) bool {
		return strings.HasPrefix(name, last) && (private || !strings.HasPrefix(name, "_"))
	}
	var out []string
	for _, c := range cur.Columns {
		if offer(c.Name) {
			out = append(out, prefix+c.Name+"=", prefix+c.Name+"__")
		}
	}
	for _, r := range cur.Relations {
		if offer(r.Name) {
			out = append(out, prefix+r.Name+"__")
		}
	}
	if prefix == "" {
		for a, target := range cur.Aliases {
			if target == "run__transform" && offer(a) {
				out = append(out, a+"__")
			}
		}
	}
	sort.Strings(out)
	return out
}

// completeLookups lists the lookups a column allows that start with last.
func completeLookups(c Column, prefix, last string) []string {
	var out []string
	for _, l := range lookupsFor(c.Type) {
		if strings.HasPrefix(l, last) {
			out = append(out, prefix+l+"=")
		}
	}
	sort.Strings(out)
	return out
}

// lookupsFor is the lookups worth offering on a column of type t.
func lookupsFor(t Type) []string {
	switch t {
	case Text:
		return Lookups
	case JSON:
		return []string{"isnull"}
	case Bool:
		return []string{"exact", "isnull"}
	}
	var out []string
	for _, l := range Lookups {
		if !textLookups[l] {
			out = append(out, l)
		}
	}
	return out
}

// UIDPrefixSQL renders the lookup of at most limit uids of reg starting
// with prefix, on every branch, in uid order: SELECT t.uid FROM <table> t
// WHERE <prefix match> ORDER BY t.uid LIMIT n. The order is the index's, so
// the engine walks the uid index from the prefix and stops after limit
// entries: on SQLite a range of the uid index (byte order), on PostgreSQL
// LIKE 'prefix%' ordered by the pattern operator class (USING ~<~), which
// the varchar_pattern_ops uid indexes of migration 3 serve in order.
func UIDPrefixSQL(d meta.Dialect, reg *Registry, prefix string, limit int) (string, []any) {
	b := newBuilder(d)
	where := b.startsWith("t.uid", prefix)
	order := " ORDER BY t.uid"
	if b.pg {
		order += " USING ~<~"
	}
	text := "SELECT t.uid FROM " + reg.Table + " t WHERE " + where + order + " LIMIT " + b.ph(int64(max(limit, 1)))
	return text, b.args
}
