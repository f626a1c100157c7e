package main

import (
	"context"
	"fmt"
	"github.com/lamin-go/lamin/bench/internal/stmts"
	"github.com/lamin-go/lamin/bench/internal/synth"
	"net/url"
	"os"
	"path/filepath"
	"regexp"
	"strconv"
	"strings"
	"time"

	"github.com/jackc/pgx/v5"
	"github.com/lamin-go/lamin"
	"github.com/lamin-go/lamin/internal/lineage"
	"github.com/lamin-go/lamin/internal/meta/postgres"
	"github.com/lamin-go/lamin/internal/query"
)

// figure is one timed query: the lamin command line and the statements
// lamin runs for it, which psql runs as the reference.
type figure struct {
	name   string // the command line after "lamin"
	note   string
	args   []string
	http   string // the same query through `lamin serve`: path and query
	stmts  []string
	target target
}

// benchQuery creates a fresh database, initializes an instance on it with
// the lamin binary, bulk-loads it and times lamin's queries against psql.
func benchQuery(ctx context.Context, c config) ([]result, string, error) {
	dbURL, drop, err := createDatabase(ctx, c.pgAdmin, "lamin_bench_query_")
	if err != nil {
		return nil, "", err
	}
	if c.keep {
		fmt.Fprintf(os.Stderr, "database kept: %s\n", dbURL)
	} else {
		defer drop()
	}
	dir := filepath.Join(c.work, "query")
	opts := lamin.Options{SettingsDir: filepath.Join(dir, "settings"), CacheDir: filepath.Join(dir, "cache")}
	env := cmdEnv("LAMIN_SETTINGS_DIR="+opts.SettingsDir, "LAMIN_CACHE_DIR="+opts.CacheDir)
	if _, _, err := runCmd(env, c.lamin, "login", "user-0"); err != nil {
		return nil, "", err
	}
	if _, _, err := runCmd(env, c.lamin, "init", "--storage", filepath.Join(dir, "store"), "--db", dbURL); err != nil {
		return nil, "", err
	}
	t0 := time.Now()
	sh, err := generate(ctx, c, dbURL)
	if err != nil {
		return nil, "", err
	}
	gen := time.Since(t0)
	fmt.Fprintf(os.Stderr, "generated %d artifacts, %d runs, %d transforms in %.1f s\n", c.artifacts, c.runs, c.transforms, gen.Seconds())

	in, err := lamin.Open(ctx, "", opts)
	if err != nil {
		return nil, "", err
	}
	defer in.Close()
	figs, err := figures(ctx, c, in, dbURL, sh)
	if err != nil {
		return nil, "", err
	}
	if c.explain {
		if err := explain(ctx, dbURL, figs); err != nil {
			return nil, "", err
		}
	}
	served, err := timeServed(ctx, c, env, figs)
	if err != nil {
		return nil, "", fmt.Errorf("lamin serve: %w", err)
	}
	var out []result
	for i, f := range figs {
		lm, err := timeRepeat(c.repeat, env, c.lamin, f.args...)
		if err != nil {
			return nil, "", err
		}
		psqlArgs := []string{"-X", "-q", "-A", "-t", "-v", "ON_ERROR_STOP=1", "-d", dbURL, "-c", strings.Join(f.stmts, ";\n")}
		pm, err := timeRepeat(c.repeat, cmdEnv("PGOPTIONS="+pgOptions), c.psql, psqlArgs...)
		if err != nil {
			return nil, "", err
		}
		out = append(out, result{name: "`lamin " + f.name + "`" + f.note, lamin: lm, served: served[i], ref: "psql, same SQL", refMS: pm, target: f.target})
		fmt.Fprintf(os.Stderr, "  %-60s lamin %7.1f ms   served %7.1f ms   psql %7.1f ms\n", f.name, lm, served[i], pm)
	}
	note := fmt.Sprintf("%d artifacts, %d runs, %d transforms, %d users, run inputs in chains of %d runs; generated in %.0f s",
		c.artifacts, c.runs, c.transforms, c.users, c.chain, gen.Seconds())
	return out, note, nil
}

// pgOptions gives psql the session settings lamin's connections have
// (internal/meta/postgres turns JIT compilation off), so both run the
// statements under the same plans.
const pgOptions = "-c jit=off"

// timeRepeat runs a command once untimed (warming caches, checking that it
// works) and returns the median wall time of n more runs.
func timeRepeat(n int, env []string, name string, args ...string) (float64, error) {
	if _, _, err := runCmd(env, name, args...); err != nil {
		return 0, err
	}
	ts := make([]float64, n)
	for i := range ts {
		ms, _, err := runCmd(env, name, args...)
		if err != nil {
			return 0, err
		}
		ts[i] = ms
	}
	return median(ts), nil
}

// figures builds the timed queries and captures the SQL lamin runs for each.
// The statements are recorded on a connection of its own to the database.
func figures(ctx context.Context, c config, in *lamin.Instance, dbURL string, sh shape) ([]figure, error) {
	store, err := postgres.Open(ctx, dbURL)
	if err != nil {
		return nil, err
	}
	defer store.Close()
	filter := func(registry string, exprs []string, o lamin.FilterOptions) (string, error) {
		text, args, err := in.FilterSQL(registry, exprs, o)
		if err != nil {
			return "", err
		}
		return pgInline(text, args), nil
	}
	floor, err := filter("storage", []string{"id=1"}, lamin.FilterOptions{})
	if err != nil {
		return nil, err
	}
	figs := []figure{{name: "filter storage id=1", note: " (start-up floor: one row)", args: []string{"filter", "storage", "id=1"},
		http: "/api/storage?id=1", stmts: []string{floor}}}
	// Besides the brief's two filters, one folder (sample) near the end of
	// the id range: a selective prefix, where an index matters most.
	last := max(c.artifacts/len(synth.FileNames)-1, 0)
	for _, f := range []struct{ expr, note string }{
		{"key__startswith=project-17/", ""},
		{"created_by__handle=user-3", ""},
		{fmt.Sprintf("key__startswith=project-%d/sample-%d/", last%200, last), " (one folder of 10, near the end)"},
	} {
		s, err := filter("artifact", []string{f.expr}, lamin.FilterOptions{Limit: 100})
		if err != nil {
			return nil, err
		}
		figs = append(figs, figure{name: "filter artifact " + f.expr + " --limit 100", note: f.note,
			args: []string{"filter", "artifact", f.expr, "--limit", "100"}, http: "/api/artifact?" + f.expr + "&limit=100",
			stmts: []string{s}, target: target{ms: 50}})
	}

	// Search: the candidate selection query.Search runs, then the fetch of
	// the hits by id (as Instance.Search does).
	// The benchmark picks its targets with SQL of its own, so that what it
	// queries does not depend on the code it measures.
	var desc string
	if err := store.QueryRow(ctx, `SELECT description FROM lamindb_transform WHERE description IS NOT NULL
		ORDER BY id LIMIT 1 OFFSET (SELECT COUNT(*) / 2 FROM lamindb_transform)`).Scan(&desc); err != nil {
		return nil, err
	}
	rec := &stmts.Recorder{Querier: store, Inline: pgInline}
	res, err := query.Search(ctx, rec, query.Transform, desc, query.SearchOptions{Limit: query.DefaultSearchLimit})
	if err != nil {
		return nil, err
	}
	if len(res.Hits) == 0 {
		return nil, fmt.Errorf("search %q found nothing", desc)
	}
	ids := make([]string, len(res.Hits))
	for i, h := range res.Hits {
		ids[i] = strconv.FormatInt(h.ID, 10)
	}
	fetch, err := filter("transform", []string{"id__in=" + strings.Join(ids, ",")}, lamin.FilterOptions{})
	if err != nil {
		return nil, err
	}
	sent := rec.Stmts
	if query.IndexedSearch(query.Transform, desc) {
		sent = hinted(query.SearchHints, sent)
	}
	figs = append(figs, figure{name: fmt.Sprintf("search transform %q", desc), note: fmt.Sprintf(" (%d %s)", len(res.Hits), map[bool]string{true: "hit", false: "hits"}[len(res.Hits) == 1]),
		args: []string{"search", "transform", desc}, http: "/api/transform/search?q=" + url.QueryEscape(desc),
		stmts: append(sent, fetch), target: target{ms: 50}})

	// Lineage of the last output of the last run of the middle chain.
	var uid string // picked with SQL of its own, as the search target above
	if err := store.QueryRow(ctx, `SELECT uid FROM lamindb_artifact WHERE run_id = ? AND _branch_code = 1 ORDER BY id DESC LIMIT 1`,
		sh.lineageRun).Scan(&uid); err != nil {
		return nil, fmt.Errorf("lineage target: %w", err)
	}
	rec = &stmts.Recorder{Querier: store, Inline: pgInline}
	g, err := lineage.Build(ctx, rec, uid, lineage.Options{})
	if err != nil {
		return nil, err
	}
	runs := 0
	for _, n := range g.Nodes {
		if n.Run != nil {
			runs++
		}
	}
	figs = append(figs, figure{name: "lineage " + uid, note: fmt.Sprintf(" (end of a chain: %d runs, %d nodes)", runs, len(g.Nodes)),
		args: []string{"lineage", uid}, http: "/api/lineage/" + uid + "?format=text", stmts: hinted(lineage.PostgresHints, rec.Stmts),
		target: target{ms: 50}})
	return figs, nil
}

// hinted wraps statements in a transaction that first runs the planner
// hints lamin runs them with.
func hinted(hints, stmts []string) []string {
	out := append([]string{"BEGIN"}, hints...)
	return append(append(out, stmts...), "COMMIT")
}

var placeholder = regexp.MustCompile(`\$[0-9]+`)

// pgInline turns a statement with '?' placeholders into PostgreSQL text
// with the arguments as literals, for psql. The placeholders are numbered
// by the PostgreSQL dialect (which skips quoted text) and then replaced.
func pgInline(text string, args []any) string {
	return placeholder.ReplaceAllStringFunc(postgres.Dialect{}.Rebind(text), func(p string) string {
		i, err := strconv.Atoi(p[1:])
		if err != nil || i < 1 || i > len(args) {
			return p
		}
		return pgLiteral(args[i-1])
	})
}

func pgLiteral(v any) string {
	quote := func(s string) string { return "'" + strings.ReplaceAll(s, "'", "''") + "'" }
	switch x := v.(type) {
	case nil:
		return "NULL"
	case string:
		return quote(x)
	case bool:
		if x {
			return "TRUE"
		}
		return "FALSE"
	case int, int8, int16, int32, int64, uint, uint8, uint16, uint32, uint64, float32, float64:
		return fmt.Sprint(x)
	case time.Time:
		return quote(x.UTC().Format(time.RFC3339Nano))
	}
	return quote(fmt.Sprint(v))
}

// explain prints the plan of every reference statement, executed with
// lamin's session settings, to standard error.
func explain(ctx context.Context, dbURL string, figs []figure) error {
	cfg, err := pgx.ParseConfig(dbURL)
	if err != nil {
		return err
	}
	cfg.RuntimeParams["jit"] = "off"
	conn, err := pgx.ConnectConfig(ctx, cfg)
	if err != nil {
		return err
	}
	defer conn.Close(ctx)
	for _, f := range figs {
		for _, s := range f.stmts {
			fmt.Fprintf(os.Stderr, "\n--- %s\n%s\n", f.name, s)
			rows, err := conn.Query(ctx, "EXPLAIN (ANALYZE, BUFFERS) "+s)
			if err != nil {
				return fmt.Errorf("explain: %w\n%s", err, s)
			}
			for rows.Next() {
				var line string
				if err := rows.Scan(&line); err != nil {
					rows.Close()
					return err
				}
				fmt.Fprintln(os.Stderr, line)
			}
			rows.Close()
			if err := rows.Err(); err != nil {
				return err
			}
		}
	}
	return nil
}
