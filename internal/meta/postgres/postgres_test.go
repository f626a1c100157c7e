package postgres_test

import (
	"context"
	"crypto/rand"
	"database/sql"
	"encoding/hex"
	"errors"
	"fmt"
	"net/url"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/jackc/pgx/v5/pgconn"
	_ "github.com/jackc/pgx/v5/stdlib"
	"github.com/lamin-go/lamin/internal/meta"
	"github.com/lamin-go/lamin/internal/meta/metatest"
	"github.com/lamin-go/lamin/internal/meta/postgres"
	"github.com/lamin-go/lamin/internal/meta/sqlite"
	"github.com/lamin-go/lamin/internal/testenv"
	"github.com/lamin-go/lamin/record"
)

const envURL = "LAMIN_TEST_POSTGRES"

// server returns the admin URL of the test server, skipping without one.
func server(t *testing.T) string {
	t.Helper()
	u := os.Getenv(envURL)
	if u == "" {
		testenv.Skip(t, testenv.NeedPostgres, "")
	}
	return u
}

// freshDB creates an empty database on the test server, drops it when the
// test ends, and returns its URL.
func freshDB(t *testing.T, admin string) string {
	t.Helper()
	ctx := context.Background()
	db, err := sql.Open("pgx", admin)
	if err != nil {
		t.Fatal(err)
	}
	defer db.Close()
	b := make([]byte, 8)
	rand.Read(b)
	name := "lamin_test_" + hex.EncodeToString(b)
	if _, err := db.ExecContext(ctx, "CREATE DATABASE "+name); err != nil {
		t.Fatalf("create test database: %v", err)
	}
	t.Cleanup(func() {
		db, err := sql.Open("pgx", admin)
		if err != nil {
			t.Error(err)
			return
		}
		defer db.Close()
		if _, err := db.ExecContext(context.Background(), "DROP DATABASE IF EXISTS "+name+" WITH (FORCE)"); err != nil {
			t.Errorf("drop test database: %v", err)
		}
	})
	u, err := url.Parse(admin)
	if err != nil {
		t.Fatal(err)
	}
	u.Path = "/" + name
	return u.String()
}

// openFresh opens a store on a fresh database; it is closed when the test ends.
func openFresh(t *testing.T, admin string) *meta.Store {
	t.Helper()
	s, err := postgres.Open(context.Background(), freshDB(t, admin))
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { s.Close() })
	return s
}

func TestConformance(t *testing.T) {
	admin := server(t)
	metatest.Run(t, func(t *testing.T) *meta.Store { return openFresh(t, admin) })
}

// TestSchemaMatchesSQLite compares every table's columns and their
// nullability with the SQLite schema.
func TestSchemaMatchesSQLite(t *testing.T) {
	admin := server(t)
	ctx := context.Background()
	pg := openFresh(t, admin)
	if _, err := pg.Migrate(ctx); err != nil {
		t.Fatal(err)
	}
	lite, err := sqlite.Open(ctx, filepath.Join(t.TempDir(), "lamin.db"))
	if err != nil {
		t.Fatal(err)
	}
	defer lite.Close()
	if _, err := lite.Migrate(ctx); err != nil {
		t.Fatal(err)
	}

	var want []string
	tables, err := lite.Query(ctx, `SELECT name FROM sqlite_master WHERE type = 'table' AND name NOT LIKE 'sqlite_%'`)
	if err != nil {
		t.Fatal(err)
	}
	var names []string
	for tables.Next() {
		var n string
		if err := tables.Scan(&n); err != nil {
			t.Fatal(err)
		}
		names = append(names, n)
	}
	tables.Close()
	for _, tbl := range names {
		rows, err := lite.Query(ctx, `SELECT name, "notnull", pk FROM pragma_table_info(?)`, tbl)
		if err != nil {
			t.Fatal(err)
		}
		for rows.Next() {
			var col string
			var notNull, pk int
			if err := rows.Scan(&col, &notNull, &pk); err != nil {
				t.Fatal(err)
			}
			want = append(want, fmt.Sprintf("%s.%s notnull=%v", tbl, col, notNull == 1 || pk == 1))
		}
		rows.Close()
	}

	var got []string
	rows, err := pg.Query(ctx, `SELECT table_name, column_name, is_nullable FROM information_schema.columns WHERE table_schema = 'public'`)
	if err != nil {
		t.Fatal(err)
	}
	for rows.Next() {
		var tbl, col, nullable string
		if err := rows.Scan(&tbl, &col, &nullable); err != nil {
			t.Fatal(err)
		}
		got = append(got, fmt.Sprintf("%s.%s notnull=%v", tbl, col, nullable == "NO"))
	}
	rows.Close()
	slices.Sort(want)
	slices.Sort(got)
	if !slices.Equal(got, want) {
		t.Fatalf("PostgreSQL columns differ from SQLite:\n got %q\nwant %q", got, want)
	}
}

func TestPostgresSpecifics(t *testing.T) {
	admin := server(t)
	ctx := context.Background()
	s := openFresh(t, admin)
	if _, err := s.Migrate(ctx); err != nil {
		t.Fatal(err)
	}

	t.Run("ids continue after the seed rows", func(t *testing.T) {
		var branch, space int64
		if err := s.QueryRow(ctx, `INSERT INTO lamindb_branch (uid, name) VALUES (?, ?) RETURNING id`, "bbbbbbbbbbbb", "dev").Scan(&branch); err != nil {
			t.Fatal(err)
		}
		if err := s.QueryRow(ctx, `INSERT INTO lamindb_space (uid, name) VALUES (?, ?) RETURNING id`, "ssssssssssss", "team").Scan(&space); err != nil {
			t.Fatal(err)
		}
		if branch != 2 || space != 2 {
			t.Fatalf("new branch id %d, space id %d; want 2 and 2", branch, space)
		}
		if _, err := s.Exec(ctx, `INSERT INTO lamindb_branch (uid, name) VALUES (?, ?)`, "cccccccccccc", "MAIN"); !s.Dialect().IsUniqueViolation(err) {
			t.Fatalf("branch names differing in case: got %v, want a unique violation", err)
		}
	})

	t.Run("defaults match the SQLite schema", func(t *testing.T) {
		var u record.User
		u.UID, u.Handle = "dfltusr1", "dflt"
		u.CreatedAt, u.UpdatedAt = time.Unix(0, 0), time.Unix(0, 0)
		if err := meta.InsertUser(ctx, s, &u); err != nil {
			t.Fatal(err)
		}
		if _, err := s.Exec(ctx, `INSERT INTO lamindb_transform (uid, created_by_id) VALUES (?, ?)`, "dfltTransform000", u.ID); err != nil {
			t.Fatal(err)
		}
		tr, err := meta.TransformWhere(ctx, s, "WHERE t.uid = ?", "dfltTransform000")
		if err != nil {
			t.Fatal(err)
		}
		if !tr.IsLatest || tr.IsLocked || tr.BranchID != 1 || tr.SpaceID != 1 || tr.Type != "pipeline" {
			t.Fatalf("transform defaults %+v", tr)
		}
		if _, err := s.Exec(ctx, `INSERT INTO lamindb_run (uid, transform_id, created_by_id) VALUES (?, ?, ?)`, "dfltRun000000000", tr.ID, u.ID); err != nil {
			t.Fatal(err)
		}
		r, err := meta.RunWhere(ctx, s, "WHERE t.uid = ?", "dfltRun000000000")
		if err != nil {
			t.Fatal(err)
		}
		if r.StatusCode == nil || *r.StatusCode != -3 || r.BranchID != 1 || r.FinishedAt != nil {
			t.Fatalf("run defaults %+v", r)
		}
	})

	t.Run("long descriptions and json aux are stored", func(t *testing.T) {
		var u record.User
		u.UID, u.Handle = "longusr1", "long"
		u.CreatedAt, u.UpdatedAt = time.Unix(0, 0), time.Unix(0, 0)
		if err := meta.InsertUser(ctx, s, &u); err != nil {
			t.Fatal(err)
		}
		b := make([]byte, 8000)
		rand.Read(b)
		long := hex.EncodeToString(b)
		aux := `{"af":{"0":true}}`
		tr := record.Transform{UID: "longTransform000", Key: &long, Description: &long, Type: "script", Aux: &aux,
			IsLatest: true, SpaceID: 1, BranchID: 1, CreatedByID: u.ID, CreatedAt: time.Unix(0, 0), UpdatedAt: time.Unix(0, 0)}
		if err := meta.InsertTransform(ctx, s, &tr); err == nil {
			t.Fatal("a key longer than varchar(1024) was accepted")
		}
		key := "k.py"
		tr.Key = &key
		if err := meta.InsertTransform(ctx, s, &tr); err != nil {
			t.Fatal(err)
		}
		got, err := meta.TransformWhere(ctx, s, "WHERE t.description = ?", long)
		if err != nil {
			t.Fatal(err)
		}
		if got.Aux == nil || !strings.Contains(*got.Aux, `"0": true`) {
			t.Fatalf("aux read back as %v", got.Aux)
		}
	})

	t.Run("pg_trgm is available for search", func(t *testing.T) {
		var sim float64
		if err := s.QueryRow(ctx, `SELECT similarity(?, ?)`, "word", "two words").Scan(&sim); err != nil {
			t.Fatal(err)
		}
		if sim < 0.3636 || sim > 0.3637 {
			t.Fatalf("similarity = %v", sim)
		}
		var n int
		err := s.QueryRow(ctx, `SELECT COUNT(*) FROM pg_indexes WHERE indexname IN (?, ?, ?, ?)`,
			"lamindb_transform_key_trgm_idx", "lamindb_transform_description_trgm_idx",
			"lamindb_artifact_key_trgm_idx", "lamindb_artifact_description_trgm_idx").Scan(&n)
		if err != nil || n != 4 {
			t.Fatalf("%d trigram indexes, %v", n, err)
		}
	})

	t.Run("question marks in literals are not placeholders", func(t *testing.T) {
		var a, b string
		if err := s.QueryRow(ctx, `SELECT 'why?' || ?, ?`, "x", "y").Scan(&a, &b); err != nil {
			t.Fatal(err)
		}
		if a != "why?x" || b != "y" {
			t.Fatalf("got %q, %q", a, b)
		}
	})

	t.Run("timestamps come back as the same instant", func(t *testing.T) {
		in := time.Date(2024, 3, 5, 10, 11, 12, 123456000, time.FixedZone("CET", 3600))
		var out time.Time
		if err := s.QueryRow(ctx, `SELECT CAST(? AS timestamptz)`, s.Dialect().TimeArg(in)).Scan(&out); err != nil {
			t.Fatal(err)
		}
		if !out.Equal(in) {
			t.Fatalf("got %v, want %v", out, in)
		}
	})
}

func TestMissingDatabase(t *testing.T) {
	admin := server(t)
	u, err := url.Parse(admin)
	if err != nil {
		t.Fatal(err)
	}
	u.Path = "/lamin_no_such_database"
	_, err = postgres.Open(context.Background(), u.String())
	if err == nil {
		t.Fatal("opened a database that does not exist")
	}
	msg := err.Error()
	if !strings.Contains(msg, `database "lamin_no_such_database" does not exist`) || !strings.Contains(msg, "createdb lamin_no_such_database") {
		t.Fatalf("error %q", msg)
	}
}

func TestRebind(t *testing.T) {
	d := postgres.Dialect{}
	for _, c := range []struct{ in, want string }{
		{`SELECT 1`, `SELECT 1`},
		{`SELECT * FROM t WHERE a = ? AND b IN (?, ?)`, `SELECT * FROM t WHERE a = $1 AND b IN ($2, $3)`},
		{`SELECT '?' , ?`, `SELECT '?' , $1`},
		{`SELECT 'it''s ?', ?`, `SELECT 'it''s ?', $1`},
		{`SELECT E'it\'s ?', ?`, `SELECT E'it\'s ?', $1`},
		{`SELECT 'a\', ?`, `SELECT 'a\', $1`},
		{`SELECT "we?ird" FROM t WHERE x = ?`, `SELECT "we?ird" FROM t WHERE x = $1`},
		{"SELECT ? -- why?\n, ?", "SELECT $1 -- why?\n, $2"},
		{`SELECT /* a /* b? */ c? */ ?`, `SELECT /* a /* b? */ c? */ $1`},
		{`SELECT 'open ?`, `SELECT 'open ?`},
		{`?,?,?,?,?,?,?,?,?,?`, `$1,$2,$3,$4,$5,$6,$7,$8,$9,$10`},
	} {
		if got := d.Rebind(c.in); got != c.want {
			t.Errorf("Rebind(%q) = %q, want %q", c.in, got, c.want)
		}
	}
}

func TestRedactURL(t *testing.T) {
	for _, c := range []struct{ in, want string }{
		{"postgresql://alice:s3cret@db.example.org:5432/lamin", "postgresql://alice:***@db.example.org:5432/lamin"},
		{"postgres://alice@db:5432/lamin?sslmode=disable", "postgres://alice@db:5432/lamin?sslmode=disable"},
		{"postgres://alice:p%40ss:w@db/lamin", "postgres://alice:***@db/lamin"},
		{"postgres://db/lamin?user=alice&password=s3cret&sslmode=require", "postgres://db/lamin?user=alice&password=***&sslmode=require"},
		{"postgres://alice:@db", "postgres://alice:***@db"},
		{"not a url", "not a url"},
	} {
		if got := postgres.RedactURL(c.in); got != c.want {
			t.Errorf("RedactURL(%q) = %q, want %q", c.in, got, c.want)
		}
	}
}

func TestOpenRejectsURLs(t *testing.T) {
	ctx := context.Background()
	for _, c := range []struct{ url, want string }{
		{"postgres://alice:s3cret@db.example.org:5432",
			"--db postgres://alice:***@db.example.org:5432: name the database, e.g. postgresql://user@host:5432/lamin"},
		{"postgresql://alice:s3cret@db.example.org/",
			"--db postgresql://alice:***@db.example.org/: name the database, e.g. postgresql://user@host:5432/lamin"},
		{"mysql://alice:s3cret@db/lamin",
			"--db mysql://alice:***@db/lamin: not a PostgreSQL URL; use one like postgresql://user@host:5432/lamin"},
		{"/data/lamin.db",
			"--db /data/lamin.db: not a PostgreSQL URL; use one like postgresql://user@host:5432/lamin"},
		{"postgres:///lamin",
			"--db postgres:///lamin: name the server, e.g. postgresql://user@host:5432/lamin"},
	} {
		_, err := postgres.Open(ctx, c.url)
		if err == nil || err.Error() != c.want {
			t.Errorf("Open(%q) = %v, want %q", c.url, err, c.want)
		}
	}
}

func TestOpenUnreachable(t *testing.T) {
	_, err := postgres.Open(context.Background(), "postgres://postgres:s3cret@127.0.0.1:1/x?connect_timeout=2")
	if err == nil {
		t.Fatal("connected to port 1")
	}
	msg := err.Error()
	if strings.Contains(msg, "s3cret") || strings.ContainsAny(msg, "\r\n") {
		t.Fatalf("error leaks the password or spans lines: %q", msg)
	}
	const prefix = "connect to postgres://postgres:***@127.0.0.1:1/x: "
	if !strings.HasPrefix(msg, prefix) || !strings.HasSuffix(msg, "; check that the server is running and reachable") {
		t.Fatalf("error %q", msg)
	}
}

func TestErrorClasses(t *testing.T) {
	d := postgres.Dialect{}
	wrap := func(code string) error {
		return fmt.Errorf("insert: %w", &pgconn.PgError{Code: code, Message: "x"})
	}
	if !d.IsUniqueViolation(wrap("23505")) || d.IsUniqueViolation(wrap("23503")) || d.IsUniqueViolation(errors.New("23505")) {
		t.Error("IsUniqueViolation")
	}
	if !d.IsBusy(wrap("40001")) || !d.IsBusy(wrap("40P01")) || d.IsBusy(wrap("23505")) || d.IsBusy(nil) {
		t.Error("IsBusy")
	}
	if d.Name() != "postgres" || d.ILike() != "ILIKE" {
		t.Error("Name or ILike")
	}
	if pg, lite := meta.LatestVersion(d), meta.LatestVersion(sqlite.Dialect{}); pg != lite || pg == 0 {
		t.Errorf("latest migration %d, SQLite's %d", pg, lite)
	}
	in := time.Date(2024, 3, 5, 10, 11, 12, 0, time.FixedZone("CET", 3600))
	if got, ok := d.TimeArg(in).(time.Time); !ok || got.Location() != time.UTC || !got.Equal(in) {
		t.Errorf("TimeArg = %v", d.TimeArg(in))
	}
}
