package lamin

import (
	"context"
	"fmt"
	"strings"

	"github.com/lamin-go/lamin/internal/query"
	"github.com/lamin-go/lamin/internal/uid"
)

// Get is LaminDB's Registry.get(): the one record of registry that
// uidOrExprs names, as Rows holding exactly one row with the columns of
// Filter, so that it encodes with the field names `lamin filter` prints.
//
// A single argument without '=' is a uid or a uid prefix. It is looked up on
// every branch (trash and archive too) and, on Artifact, among the run
// bookkeeping artifacts as well. A prefix that names one version family
// (artifact, collection and transform uids end in a 4-character version
// suffix) gives the family's latest version; a prefix shared by several
// records is an ErrConflict error saying how many.
//
// Otherwise the arguments are filter expressions in Filter's language,
// optionally led by a uid prefix, within Filter's default scope. On
// versioned registries the latest version is preferred and, when no latest
// version matches, the newest match is taken. More than one match is an
// ErrConflict error pointing to `lamin filter`; no match is ErrNotFound.
func (in *Instance) Get(ctx context.Context, registry string, uidOrExprs ...string) (*Rows, error) {
	reg, err := lookupRegistry(registry)
	if err != nil {
		return nil, err
	}
	if len(uidOrExprs) == 0 {
		return nil, invalidf("get %s needs a uid or FIELD=VALUE filters, e.g. `lamin get %s %s`", reg.Name, reg.Name, keywordExample(reg, "VALUE"))
	}
	first := uidOrExprs[0]
	if !strings.Contains(first, "=") {
		if !uidLike(reg, first) {
			return nil, noSuchUID(reg, first)
		}
		if len(uidOrExprs) == 1 {
			return in.getByUID(ctx, reg, first)
		}
		uidOrExprs = append([]string{"uid__startswith=" + first}, uidOrExprs[1:]...)
	}
	return in.getByFilter(ctx, reg, uidOrExprs)
}

// UIDsWithPrefix lists at most limit uids of registry's records (every
// branch) starting with prefix, in uid order: the candidates shell
// completion offers, and what Get uses to resolve a uid prefix. The lookup
// walks the uid index from the prefix and stops after limit entries, so it
// stays fast on large instances (UIDPrefixSQL is the statement).
func (in *Instance) UIDsWithPrefix(ctx context.Context, registry, prefix string, limit int) ([]string, error) {
	text, args, err := in.UIDPrefixSQL(registry, prefix, limit)
	if err != nil || (prefix != "" && text == "") {
		return nil, err
	}
	rs, err := in.store.Query(ctx, text, args...)
	if err != nil {
		return nil, fmt.Errorf("list %s uids: %w", registry, err)
	}
	defer rs.Close()
	var out []string
	for rs.Next() {
		var u string
		if err := rs.Scan(&u); err != nil {
			return nil, fmt.Errorf("list %s uids: %w", registry, err)
		}
		out = append(out, u)
	}
	return out, rs.Err()
}

// UIDPrefixSQL returns the statement UIDsWithPrefix runs, for EXPLAIN QUERY
// PLAN checks and benchmarks; it is "" when prefix cannot start a uid.
func (in *Instance) UIDPrefixSQL(registry, prefix string, limit int) (string, []any, error) {
	reg, err := lookupRegistry(registry)
	if err != nil {
		return "", nil, err
	}
	if prefix != "" && !uidLike(reg, prefix) {
		return "", nil, nil
	}
	text, args := query.UIDPrefixSQL(in.store.Dialect(), reg, prefix, limit)
	return text, args, nil
}

// uidQuery is the query for records whose uid starts with prefix, on every
// branch, run bookkeeping artifacts included.
func uidQuery(reg *query.Registry, prefix string) (*query.Query, error) {
	q, err := buildQuery(reg, []string{"uid__startswith=" + prefix}, nil)
	if err != nil {
		return nil, err
	}
	q.AllBranches, q.KeepRunArtifacts = true, true
	return q, nil
}

func (in *Instance) getByUID(ctx context.Context, reg *query.Registry, prefix string) (*Rows, error) {
	uids, err := in.UIDsWithPrefix(ctx, reg.Name, prefix, 2)
	if err != nil {
		return nil, err
	}
	switch len(uids) {
	case 0:
		return nil, noSuchUID(reg, prefix)
	case 1:
		return in.rowByUID(ctx, reg, uids[0])
	}
	stem := stemLen(reg)
	if stem > 0 && uids[0][:stem] == uids[1][:stem] {
		// Both are versions of one family; so is every match when the
		// prefix reaches into the stem and nothing else shares it.
		family := uids[0][:stem]
		same := len(prefix) >= stem
		if !same {
			all, err := in.countUIDPrefix(ctx, reg, prefix)
			if err != nil {
				return nil, err
			}
			fam, err := in.countUIDPrefix(ctx, reg, family)
			if err != nil {
				return nil, err
			}
			same = all == fam
		}
		if same {
			return in.latestOfFamily(ctx, reg, family)
		}
	}
	n, err := in.countUIDPrefix(ctx, reg, prefix)
	if err != nil {
		return nil, err
	}
	return nil, conflictf("MultipleResultsFound: %d %s have a uid starting with '%s'; pass more characters, or list them with `lamin filter %s uid__startswith=%s`",
		n, pluralName(reg), prefix, reg.Name, prefix)
}

// rowByUID loads the record with exactly this uid.
func (in *Instance) rowByUID(ctx context.Context, reg *query.Registry, u string) (*Rows, error) {
	q, err := buildQuery(reg, []string{"uid=" + u}, nil)
	if err != nil {
		return nil, err
	}
	q.AllBranches, q.KeepRunArtifacts = true, true
	rows, err := in.rowsOf(ctx, q)
	if err != nil {
		return nil, err
	}
	if rows.Len() != 1 {
		return nil, noSuchUID(reg, u)
	}
	return rows, nil
}

// latestOfFamily loads the latest version of a version family (the newest
// version when none is marked latest).
func (in *Instance) latestOfFamily(ctx context.Context, reg *query.Registry, stem string) (*Rows, error) {
	q, err := uidQuery(reg, stem)
	if err != nil {
		return nil, err
	}
	q.OrderBy("-is_latest", "-created_at", "-uid")
	q.Limit = 1
	rows, err := in.rowsOf(ctx, q)
	if err != nil {
		return nil, err
	}
	if rows.Len() != 1 {
		return nil, noSuchUID(reg, stem)
	}
	return rows, nil
}

func (in *Instance) countUIDPrefix(ctx context.Context, reg *query.Registry, prefix string) (int64, error) {
	q, err := uidQuery(reg, prefix)
	if err != nil {
		return 0, err
	}
	return in.countQuery(ctx, q)
}

func (in *Instance) countQuery(ctx context.Context, q *query.Query) (int64, error) {
	text, args, err := q.CountSQL(in.store.Dialect())
	if err != nil {
		return 0, invalidf("%v", err)
	}
	var n int64
	if err := in.store.QueryRow(ctx, text, args...).Scan(&n); err != nil {
		return 0, fmt.Errorf("count %s: %w", q.Registry.Name, err)
	}
	return n, nil
}

// getByFilter is Get for filter expressions.
func (in *Instance) getByFilter(ctx context.Context, reg *query.Registry, exprs []string) (*Rows, error) {
	q, err := buildQuery(reg, exprs, nil)
	if err != nil {
		return nil, err
	}
	var rows *Rows
	used := q
	if _, versioned := reg.Column("is_latest"); versioned {
		latest, err := buildQuery(reg, append(append([]string{}, exprs...), "is_latest=true"), nil)
		if err != nil {
			return nil, err
		}
		latest.Limit, used = 2, latest
		if rows, err = in.rowsOf(ctx, latest); err != nil {
			return nil, err
		}
		if rows.Len() == 0 {
			// No latest version matches: the newest matching version,
			// unless the matches belong to different families.
			newest, _ := buildQuery(reg, exprs, nil)
			newest.OrderBy("-created_at", "-id")
			newest.Limit, used = 2, newest
			if rows, err = in.rowsOf(ctx, newest); err != nil {
				return nil, err
			}
			if rows.Len() == 2 && sameFamily(reg, rows) {
				rows.Values = rows.Values[:1]
			}
		}
	} else {
		q.Limit = 2
		if rows, err = in.rowsOf(ctx, q); err != nil {
			return nil, err
		}
	}
	switch rows.Len() {
	case 0:
		return nil, notFoundf("DoesNotExist: no %s matches %s; list candidates with `lamin filter %s`", reg.Name, shownExprs(exprs), reg.Name)
	case 1:
		return rows, nil
	}
	used.Limit = 0
	used.OrderBy()
	n, err := in.countQuery(ctx, used)
	if err != nil {
		return nil, err
	}
	return nil, conflictf("MultipleResultsFound: %d %s match %s; get wants one, so narrow the filter or list them with `lamin filter %s %s`",
		n, pluralName(reg), shownExprs(exprs), reg.Name, shownExprs(exprs))
}

// rowsOf runs q and returns its records with the columns of Filter.
func (in *Instance) rowsOf(ctx context.Context, q *query.Query) (*Rows, error) {
	plan := frameColumns(q.Registry)
	var err error
	if plan.sql, plan.args, err = q.SQL(in.store.Dialect(), strings.Join(query.ColumnExprs(q.Registry, plan.names), ", ")); err != nil {
		return nil, invalidf("%v", err)
	}
	return in.fetch(ctx, plan)
}

// sameFamily reports whether the first two rows are versions of one family.
func sameFamily(reg *query.Registry, rows *Rows) bool {
	stem := stemLen(reg)
	a, _ := rows.Values[0][1].(string)
	b, _ := rows.Values[1][1].(string)
	return stem > 0 && len(a) > stem && len(b) > stem && a[:stem] == b[:stem]
}

// stemLen is the length of the uid stem shared by a version family, or 0 for
// registries without versions.
func stemLen(reg *query.Registry) int {
	if _, ok := reg.Column("is_latest"); !ok {
		return 0
	}
	return reg.UIDLength - uid.VersionLen
}

// uidLike reports whether s can be (the start of) a uid of reg.
func uidLike(reg *query.Registry, s string) bool {
	return s != "" && strings.Trim(s, uid.Alphabet) == "" && len(s) <= reg.UIDLength
}

func noSuchUID(reg *query.Registry, s string) error {
	return notFoundf("No record found with uid '%s'. Did you forget a keyword as in `lamin get %s %s`?", shown(s), reg.Name, keywordExample(reg, shown(s)))
}

// keywordExample is FIELD=value with the registry's name field.
func keywordExample(reg *query.Registry, value string) string {
	f := reg.DisplayField
	if f == "" {
		f = "name"
	}
	return f + "=" + value
}

func pluralName(reg *query.Registry) string {
	if strings.HasSuffix(reg.Name, "s") {
		return reg.Name + "es"
	}
	return reg.Name + "s"
}

// shownExprs renders filter expressions as a user would type them, quoting
// those a shell would split.
func shownExprs(exprs []string) string {
	out := make([]string, len(exprs))
	for i, e := range exprs {
		e = shown(e)
		if strings.ContainsAny(e, " \t'\"$`\\|&;<>()*?[]#~") {
			e = "'" + strings.ReplaceAll(e, "'", `'\''`) + "'"
		}
		out[i] = e
	}
	return strings.Join(out, " ")
}
