package lineage

import (
	"context"
	"errors"
	"fmt"
	"slices"
	"strings"

	"github.com/lamin-go/lamin/internal/meta"
	"github.com/lamin-go/lamin/internal/uid"
)

// Errors Resolve and Assemble wrap, so callers can map them to their own
// categories.
var (
	// ErrInvalid: the uid is malformed or an option is out of range.
	ErrInvalid = errors.New("invalid argument")
	// ErrNotFound: no record has that uid.
	ErrNotFound = errors.New("not found")
	// ErrAmbiguous: a uid prefix matches more than one record.
	ErrAmbiguous = errors.New("ambiguous uid prefix")
)

// Resolve finds the record a uid (or uid prefix) names, in one statement.
// Candidates, in order of precedence: a run (16 or 20 characters, exact), a
// transform (16 characters exact, or a 12-character stem: its latest
// version), an artifact, then a collection (20 characters exact, or a
// prefix: the latest version of the family; a prefix longer than the
// 16-character stem must match one record).
func Resolve(ctx context.Context, q meta.Querier, idlike string) (Root, error) {
	if idlike == "" || len(idlike) > uid.ArtifactLen || strings.Trim(idlike, uid.Alphabet) != "" {
		return Root{}, fmt.Errorf("uid %q: want up to %d base62 characters: %w", idlike, uid.ArtifactLen, ErrInvalid)
	}
	n := len(idlike)
	var parts []string
	var args []any
	if n == uid.RunLen || n == 20 {
		parts = append(parts, `SELECT 1 AS prio, 'run' AS kind, r.id AS id, r.uid AS uid, CAST(NULL AS BIGINT) AS run_id FROM lamindb_run r WHERE r.uid = ?`)
		args = append(args, idlike)
	}
	switch n {
	case uid.TransformLen:
		parts = append(parts, `SELECT 2, 'transform', t.id, t.uid, CAST(NULL AS BIGINT) FROM lamindb_transform t WHERE t.uid = ?`)
		args = append(args, idlike)
	case uid.TransformStemLen:
		parts = append(parts, `SELECT * FROM (SELECT 2 AS prio, 'transform' AS kind, t.id AS id, t.uid AS uid, CAST(NULL AS BIGINT) AS run_id
			FROM lamindb_transform t WHERE substr(t.uid, 1, 12) = ? ORDER BY t.is_latest DESC, t.created_at DESC LIMIT 1) tr`)
		args = append(args, idlike)
	}
	for i, table := range []string{"lamindb_artifact", "lamindb_collection"} {
		kind := []string{"artifact", "collection"}[i]
		if n == uid.ArtifactLen {
			parts = append(parts, fmt.Sprintf(`SELECT %d, '%s', x.id, x.uid, x.run_id FROM %s x WHERE x.uid = ?`, 3+i, kind, table))
		} else {
			parts = append(parts, fmt.Sprintf(`SELECT * FROM (SELECT %d AS prio, '%s' AS kind, x.id AS id, x.uid AS uid, x.run_id AS run_id
				FROM %s x WHERE substr(x.uid, 1, %d) = ? ORDER BY x.is_latest DESC, x.created_at DESC LIMIT 2) p%d`, 3+i, kind, table, n, i))
		}
		args = append(args, idlike)
	}
	rows, err := q.Query(ctx, strings.Join(parts, "\nUNION ALL\n"), args...)
	if err != nil {
		return Root{}, fmt.Errorf("resolve uid %s: %w", idlike, err)
	}
	defer rows.Close()
	type candidate struct {
		prio int
		root Root
	}
	var found []candidate
	for rows.Next() {
		var c candidate
		var kind string
		if err := rows.Scan(&c.prio, &kind, &c.root.ID, &c.root.UID, &c.root.RunID); err != nil {
			return Root{}, fmt.Errorf("resolve uid %s: %w", idlike, err)
		}
		c.root.Kind = Kind(kind)
		found = append(found, c)
	}
	if err := rows.Err(); err != nil {
		return Root{}, fmt.Errorf("resolve uid %s: %w", idlike, err)
	}
	if len(found) == 0 {
		return Root{}, fmt.Errorf("no artifact, collection, run or transform with uid '%s': %w", idlike, ErrNotFound)
	}
	slices.SortStableFunc(found, func(a, b candidate) int { return a.prio - b.prio })
	best := found[0]
	if len(found) > 1 && found[1].prio == best.prio && n > uid.ArtifactStemLen && n < uid.ArtifactLen {
		return Root{}, fmt.Errorf("more than one %s has a uid starting with '%s'; pass more characters: %w", best.root.Kind, idlike, ErrAmbiguous)
	}
	return best.root, nil
}
