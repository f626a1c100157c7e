package lineage

import (
	"context"
	"fmt"
	"strings"

	"github.com/lamin-go/lamin/internal/meta"
	"github.com/lamin-go/lamin/internal/uid"
)

// Build resolves idlike (see Resolve) and assembles its graph (see
// Assemble): two statements in all.
func Build(ctx context.Context, q meta.Querier, idlike string, o Options) (*Graph, error) {
	root, err := Resolve(ctx, q, idlike)
	if err != nil {
		return nil, err
	}
	return Assemble(ctx, q, root, o)
}

// Assemble reads the graph around root in one statement. Ancestors start at
// the root's run (an artifact's or collection's creating run; a run itself;
// every run of a transform) and follow each run's inputs to the runs that
// made them. Descendants start at the same run and follow its outputs to
// the runs that read them, so siblings (other outputs of that run) and
// their consumers appear, as in LaminDB; an artifact without a run starts
// at the runs that read it. Every run on either walk is drawn with all its
// inputs and outputs. Only artifacts and collections on the main (1) and
// archive (0) branches are drawn or followed, and an item that is both an
// input and an output of one run is drawn only as its output.
//
// Both walks keep visited sets (recursive UNION, not UNION ALL), so cyclic
// data terminates; Options.Depth cuts each walk after that many run hops.
func Assemble(ctx context.Context, q meta.Querier, root Root, o Options) (*Graph, error) {
	if o.Depth < 0 {
		return nil, fmt.Errorf("depth %d: want 0 (unlimited) or more: %w", o.Depth, ErrInvalid)
	}
	query, args, err := graphSQL(q.Dialect().Name(), root, o)
	if err != nil {
		return nil, err
	}
	rows, err := q.Query(ctx, query, args...)
	if err != nil {
		return nil, fmt.Errorf("lineage of %s %s: %w", root.Kind, root.UID, err)
	}
	defer rows.Close()
	var r rowReader
	for rows.Next() {
		if err := r.scan(rows); err != nil {
			return nil, fmt.Errorf("lineage of %s %s: %w", root.Kind, root.UID, err)
		}
	}
	if err := rows.Err(); err != nil {
		return nil, fmt.Errorf("lineage of %s %s: %w", root.Kind, root.UID, err)
	}
	g := r.graph(root)
	markQueried(g, root, o)
	return g, nil
}

func markQueried(g *Graph, root Root, o Options) {
	for _, n := range g.Nodes {
		switch root.Kind {
		case KindArtifact, KindCollection, KindRun:
			n.Queried = n.ID == nodeID(root.Kind, root.UID)
		case KindTransform:
			n.Queried = n.Run != nil && n.Transform != nil && (n.Run.TransformID == root.ID ||
				(o.Versions && len(n.Transform.UID) >= uid.TransformStemLen && n.Transform.UID[:uid.TransformStemLen] == root.UID[:uid.TransformStemLen]))
		}
	}
}

// PostgresHints steer PostgreSQL's planner to nested index lookups for the
// graph statement, run (SET LOCAL) in the transaction that runs it: the
// planner overestimates recursive walks by orders of magnitude and then
// joins every row of the artifact table (300 ms instead of 40 ms on a
// million-artifact instance).
var PostgresHints = []string{`SET LOCAL enable_hashjoin = off`, `SET LOCAL enable_mergejoin = off`}

// fragment is a piece of SQL with its arguments, in placeholder order.
type fragment struct {
	sql  string
	args []any
}

var noRuns = fragment{sql: `SELECT CAST(NULL AS BIGINT), 0 WHERE 1 = 0`}

// seeds are the runs each walk starts from, with their hop count.
func seeds(root Root, o Options) (up, down fragment, err error) {
	switch root.Kind {
	case KindArtifact, KindCollection:
		if root.RunID != nil {
			return fragment{`SELECT CAST(? AS BIGINT), 1`, []any{*root.RunID}},
				fragment{`SELECT CAST(? AS BIGINT), 0`, []any{*root.RunID}}, nil
		}
		link, col := "lamindb_artifact_input_of_runs", "artifact_id"
		if root.Kind == KindCollection {
			link, col = "lamindb_collection_input_of_runs", "collection_id"
		}
		return noRuns, fragment{`SELECT CAST(l.run_id AS BIGINT), 1 FROM ` + link + ` l WHERE l.` + col + ` = ?`, []any{root.ID}}, nil
	case KindRun:
		f := fragment{`SELECT CAST(? AS BIGINT), 0`, []any{root.ID}}
		return f, f, nil
	case KindTransform:
		f := fragment{`SELECT CAST(r.id AS BIGINT), 0 FROM lamindb_run r WHERE r.transform_id = ?`, []any{root.ID}}
		if o.Versions {
			f = fragment{`SELECT CAST(r.id AS BIGINT), 0 FROM lamindb_run r WHERE r.transform_id IN
				(SELECT t.id FROM lamindb_transform t WHERE substr(t.uid, 1, 12) = ?)`, []any{root.UID[:uid.TransformStemLen]}}
		}
		return f, f, nil
	}
	return up, down, fmt.Errorf("lineage of a %q: %w", root.Kind, ErrInvalid)
}

// The recursive steps. Each joins the walk's table once (PostgreSQL allows
// one recursive reference) against a two-row kinds table that selects the
// artifact or the collection link tables, so every lookup is an index
// search instead of a scan of a union of both.
const (
	upStep = `SELECT CAST(COALESCE(a.run_id, c.run_id) AS BIGINT), %s
  FROM up CROSS JOIN kinds
  LEFT JOIN lamindb_artifact_input_of_runs la ON kinds.k = 0 AND la.run_id = up.run_id
  LEFT JOIN lamindb_artifact a ON a.id = la.artifact_id AND a._branch_code IN (0, 1)
  LEFT JOIN lamindb_collection_input_of_runs lc ON kinds.k = 1 AND lc.run_id = up.run_id
  LEFT JOIN lamindb_collection c ON c.id = lc.collection_id AND c._branch_code IN (0, 1)
  WHERE COALESCE(a.run_id, c.run_id) IS NOT NULL AND COALESCE(a.run_id, c.run_id) <> up.run_id%s`
	downStep = `SELECT CAST(COALESCE(la.run_id, lc.run_id) AS BIGINT), %s
  FROM down CROSS JOIN kinds
  LEFT JOIN lamindb_artifact a ON kinds.k = 0 AND a.run_id = down.run_id AND a._branch_code IN (0, 1)
  LEFT JOIN lamindb_artifact_input_of_runs la ON la.artifact_id = a.id
  LEFT JOIN lamindb_collection c ON kinds.k = 1 AND c.run_id = down.run_id AND c._branch_code IN (0, 1)
  LEFT JOIN lamindb_collection_input_of_runs lc ON lc.collection_id = c.id
  WHERE COALESCE(la.run_id, lc.run_id) IS NOT NULL AND COALESCE(la.run_id, lc.run_id) <> down.run_id%s`

	// graphTail selects the runs of both walks and emits one row per run
	// with its record, one per item with its record (the root item, of
	// any branch, as row type 4), and one per run that read something,
	// listing its inputs as "kind:id,...". Output edges need no rows: an
	// item's run_id names the run that wrote it. Inputs are read from the
	// link tables alone; the item rows drop those not on the main or
	// archive branch, and the reader drops an input that its run also
	// wrote. Each row looks up only its own record: a join key that is
	// NULL for the other row types costs no index search.
	graphTail = `,
sel(run_id) AS (SELECT run_id FROM up UNION SELECT run_id FROM down),
reads(run_id, item_kind, item_id) AS MATERIALIZED (
  SELECT la.run_id, 0, la.artifact_id FROM sel CROSS JOIN lamindb_artifact_input_of_runs la WHERE la.run_id = sel.run_id
  UNION ALL
  SELECT lc.run_id, 1, lc.collection_id FROM sel CROSS JOIN lamindb_collection_input_of_runs lc WHERE lc.run_id = sel.run_id
),
inputs(run_id, items) AS (
  SELECT run_id, %s(CAST(item_kind AS TEXT) || ':' || CAST(item_id AS TEXT), ',') FROM reads GROUP BY run_id
),
items(item_kind, item_id) AS (
  SELECT 0, a.id FROM sel CROSS JOIN lamindb_artifact a WHERE a.run_id = sel.run_id AND a._branch_code IN (0, 1)
  UNION
  SELECT 1, c.id FROM sel CROSS JOIN lamindb_collection c WHERE c.run_id = sel.run_id AND c._branch_code IN (0, 1)
  UNION
  SELECT item_kind, item_id FROM reads
),
x(rowtype, run_id, item_kind, item_id, inputs) AS (
  SELECT 1, run_id, CAST(NULL AS INTEGER), CAST(NULL AS BIGINT), CAST(NULL AS TEXT) FROM sel
  UNION ALL
  SELECT 2, NULL, item_kind, item_id, NULL FROM items
  UNION ALL
  SELECT 3, run_id, NULL, NULL, items FROM inputs
  UNION ALL
  SELECT 4, NULL, CAST(? AS INTEGER), CAST(? AS BIGINT), NULL
)
SELECT %s
FROM x
LEFT JOIN lamindb_run r ON r.id = CASE WHEN x.rowtype = 1 THEN x.run_id END
LEFT JOIN lamindb_transform t ON t.id = r.transform_id
LEFT JOIN lamindb_artifact a ON a.id = CASE WHEN x.rowtype IN (2, 4) AND x.item_kind = 0 THEN x.item_id END
  AND (x.rowtype = 4 OR a._branch_code IN (0, 1))
LEFT JOIN lamindb_storage s ON s.id = a.storage_id
LEFT JOIN lamindb_collection c ON c.id = CASE WHEN x.rowtype IN (2, 4) AND x.item_kind = 1 THEN x.item_id END
  AND (x.rowtype = 4 OR c._branch_code IN (0, 1))
LEFT JOIN lamindb_user u ON u.id = COALESCE(r.created_by_id, a.created_by_id, c.created_by_id)`
)

// graphSQL writes the one statement Assemble runs for a dialect ("sqlite"
// or "postgres"): the same text but for the name of the string
// aggregate ('?' placeholders are rebound by the dialect).
func graphSQL(dialect string, root Root, o Options) (string, []any, error) {
	upSeed, downSeed, err := seeds(root, o)
	if err != nil {
		return "", nil, err
	}
	wantUp, wantDown := o.directions()
	var b strings.Builder
	var args []any
	add := func(f fragment) {
		b.WriteString(f.sql)
		args = append(args, f.args...)
	}
	// step fills a walk's recursive step: with a depth limit the hop count
	// grows and is capped; without one it stays 0, so a run is visited once.
	step := func(text, walk string) {
		b.WriteString("\n  UNION\n  ")
		if o.Depth > 0 {
			b.WriteString(fmt.Sprintf(text, walk+".depth + 1", " AND "+walk+".depth < ?"))
			args = append(args, o.Depth)
		} else {
			b.WriteString(fmt.Sprintf(text, "0", ""))
		}
	}
	b.WriteString("WITH RECURSIVE\nkinds(k) AS (SELECT 0 UNION ALL SELECT 1),\nup(run_id, depth) AS (\n  ")
	// The root's own run belongs to the graph even when the walk up is
	// off: its outputs are where descendants start.
	add(upSeed)
	if wantUp {
		step(upStep, "up")
	}
	b.WriteString("\n),\ndown(run_id, depth) AS (\n  ")
	if wantDown {
		add(downSeed)
		step(downStep, "down")
	} else {
		add(noRuns)
	}
	b.WriteString("\n)")
	agg := "group_concat"
	if dialect == "postgres" {
		agg = "string_agg"
	}
	b.WriteString(fmt.Sprintf(graphTail, agg, strings.Join(selectList, ", ")))
	itemKind, itemID := -1, int64(0)
	switch root.Kind {
	case KindArtifact:
		itemKind, itemID = 0, root.ID
	case KindCollection:
		itemKind, itemID = 1, root.ID
	}
	args = append(args, itemKind, itemID)
	return b.String(), args, nil
}
