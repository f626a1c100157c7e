package server

import (
	"net/url"
	"slices"
	"strconv"
	"strings"

	"github.com/lamin-go/lamin"
)

// listing is a filter request read from query parameters, the way
// `lamin filter` reads its arguments: every parameter that is not an
// option is a FIELD[__LOOKUP]=VALUE expression.
type listing struct {
	exprs   []string
	opts    lamin.FilterOptions
	columns []string
	// limited and ordered tell whether the request chose a limit and an
	// order, so pages can apply their own defaults.
	limited, ordered bool
}

// Options of a listing; every other parameter is a filter expression.
const (
	paramLimit       = "limit"
	paramOffset      = "offset"
	paramOrder       = "order"        // comma separated, '-' for descending
	paramColumns     = "columns"      // comma separated
	paramInclude     = "include"      // comma separated related fields
	paramExclude     = "exclude"      // an expression; repeatable
	paramAllBranches = "all_branches" // a flag
	paramExpr        = "expr"         // expressions, one per line (the pages' form)
)

var listingParams = []string{paramLimit, paramOffset, paramOrder, paramColumns, paramInclude,
	paramExclude, paramAllBranches, paramExpr, TokenParam}

// parseListing reads a listing from query parameters: the expressions of
// expr first, then one per other parameter value, parameters sorted by name
// so a URL always means the same query. Malformed options are ErrInvalid
// errors naming the parameter.
func parseListing(q url.Values) (listing, error) {
	var l listing
	var err error
	if l.opts.Limit, l.limited, err = intParam(q, paramLimit); err != nil {
		return l, err
	}
	if l.opts.Offset, _, err = intParam(q, paramOffset); err != nil {
		return l, err
	}
	if l.opts.Offset < 0 {
		return l, failf(lamin.ErrInvalid, "offset=%d: pass a number of records to skip, 0 or more", l.opts.Offset)
	}
	if l.opts.AllBranches, err = flagParam(q, paramAllBranches); err != nil {
		return l, err
	}
	l.opts.Order = listParam(q, paramOrder)
	l.ordered = len(l.opts.Order) > 0
	l.columns = listParam(q, paramColumns)
	l.opts.Include = listParam(q, paramInclude)
	l.opts.Exclude = nonEmpty(q[paramExclude])
	for _, v := range q[paramExpr] {
		l.exprs = append(l.exprs, nonEmpty(strings.Split(v, "\n"))...)
	}
	keys := make([]string, 0, len(q))
	for k := range q {
		if !slices.Contains(listingParams, k) {
			keys = append(keys, k)
		}
	}
	slices.Sort(keys)
	for _, k := range keys {
		for _, v := range q[k] {
			l.exprs = append(l.exprs, k+"="+v)
		}
	}
	return l, nil
}

// intParam reads an integer parameter; absent is 0 and not set.
func intParam(q url.Values, name string) (n int, set bool, err error) {
	v := strings.TrimSpace(q.Get(name))
	if v == "" {
		return 0, false, nil
	}
	n, err = strconv.Atoi(v)
	if err != nil {
		return 0, false, failf(lamin.ErrInvalid, "%s=%s is not a whole number; pass e.g. %s=10", name, v, name)
	}
	return n, true, nil
}

// flagParam reads a yes/no parameter: present without a value, 1, true,
// on or yes are yes.
func flagParam(q url.Values, name string) (bool, error) {
	if !q.Has(name) {
		return false, nil
	}
	switch v := strings.ToLower(strings.TrimSpace(q.Get(name))); v {
	case "", "1", "true", "on", "yes":
		return true, nil
	case "0", "false", "off", "no":
		return false, nil
	default:
		return false, failf(lamin.ErrInvalid, "%s=%s: pass %s=true or %s=false", name, v, name, name)
	}
}

// listParam reads a comma-separated, repeatable parameter.
func listParam(q url.Values, name string) []string {
	var out []string
	for _, v := range q[name] {
		out = append(out, nonEmpty(strings.Split(v, ","))...)
	}
	return out
}

// nonEmpty trims the values and drops the blank ones.
func nonEmpty(vals []string) []string {
	var out []string
	for _, v := range vals {
		if v = strings.TrimSpace(v); v != "" {
			out = append(out, v)
		}
	}
	return out
}
