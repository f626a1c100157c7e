package query

import (
	"strconv"
	"strings"
)

// ColumnExprs returns the select expressions of reg's columns named in
// names (exposed names, each a column of reg), over the alias "t" that SQL
// gives the registry's table.
func ColumnExprs(reg *Registry, names []string) []string {
	out := make([]string, len(names))
	for i, n := range names {
		c, _ := reg.Column(n)
		out[i] = "t." + c.SQL
	}
	return out
}

// IncludeExpr renders the select expression of a related field path, as
// LaminDB's to_dataframe(include=...) takes it: a column of reg itself, or a
// correlated subquery walking to-one relations (aliases i<k>_<hop>, so k
// keeps several includes apart). Only identifiers from the registry model
// appear in the text. Paths that name no such field are a *FieldError.
func IncludeExpr(reg *Registry, path string, k int) (string, Type, error) {
	parts := strings.Split(path, "__")
	if a, ok := reg.Aliases[parts[0]]; ok {
		parts = append(strings.Split(a, "__"), parts[1:]...)
	}
	cur := reg
	var hops []Relation
	var col Column
	for i, p := range parts {
		last := i == len(parts)-1
		if c, ok := cur.Column(p); ok && last {
			col = c
			break
		}
		rel, ok := cur.Relation(p)
		if !ok {
			if _, isCol := cur.Column(p); isCol {
				return "", 0, fieldErrorf("cannot include '%s': '%s' is a field of %s, not a relation", path, p, cur.Title)
			}
			return "", 0, fieldErrorf("Unknown field '%s'. Available fields: %s", p, strings.Join(cur.AvailableFields(), ", "))
		}
		if rel.ToMany() {
			return "", 0, fieldErrorf("cannot include '%s': '%s' is a to-many relation; include fields reached through to-one relations such as run, created_by or storage", path, p)
		}
		if last {
			col = Column{Name: rel.Name + "_id", SQL: rel.Column, Type: Int}
			break
		}
		hops = append(hops, rel)
		cur = registryByName(rel.Target)
	}
	if len(hops) == 0 {
		return "t." + col.SQL, col.Type, nil
	}
	alias := func(h int) string { return "i" + strconv.Itoa(k) + "_" + strconv.Itoa(h) }
	var sb strings.Builder
	sb.WriteString("(SELECT " + alias(len(hops)) + "." + col.SQL + " FROM ")
	for h, rel := range hops {
		target := registryByName(rel.Target)
		if h == 0 {
			sb.WriteString(target.Table + " " + alias(1))
			continue
		}
		sb.WriteString(" JOIN " + target.Table + " " + alias(h+1) + " ON " + alias(h+1) + ".id = " + alias(h) + "." + rel.Column)
	}
	sb.WriteString(" WHERE " + alias(1) + ".id = t." + hops[0].Column + ")")
	return sb.String(), col.Type, nil
}
