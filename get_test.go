package lamin_test

import (
	"context"
	"errors"
	"fmt"
	"math/rand/v2"
	"path/filepath"
	"slices"
	"strings"
	"testing"

	"github.com/lamin-go/lamin"
	"github.com/lamin-go/lamin/internal/meta"
	"github.com/lamin-go/lamin/internal/testenv"
)

func TestGetFindsOneRecordOfEveryRegistry(t *testing.T) {
	e := newEnv(t)
	a := e.save(e.write("a.csv", "x\n1\n"), lamin.ArtifactOptions{Key: "a.csv"})
	for _, reg := range []string{"artifact", "transform", "run", "user", "storage", "collection"} {
		all, err := e.in.Filter(e.ctx, reg, nil, lamin.FilterOptions{AllBranches: true})
		if err != nil {
			t.Fatal(err)
		}
		if all.Len() == 0 {
			continue
		}
		uid := all.Values[0][1].(string)
		for _, arg := range []string{uid, uid[:len(uid)-2], "uid=" + uid} {
			got, err := e.in.Get(e.ctx, reg+"s", arg)
			if err != nil {
				t.Errorf("Get(%s, %s): %v", reg, arg, err)
				continue
			}
			if got.Len() != 1 || !slices.Equal(got.Columns, all.Columns) || got.Values[0][1] != uid {
				t.Errorf("Get(%s, %s) = %v %v, want the record %s with Filter's columns", reg, arg, got.Columns, got.Values, uid)
			}
		}
	}
	if _, err := e.in.Get(e.ctx, "artifact", "key=a.csv"); err != nil {
		t.Errorf("Get by key: %v", err)
	}
	for _, tc := range []struct {
		args []string
		want error
	}{
		{[]string{"key=nothing.csv"}, lamin.ErrNotFound},
		{[]string{"zzzzzzzzzzzzzzzzzzzz"}, lamin.ErrNotFound},
		{[]string{"not a uid"}, lamin.ErrNotFound},
		{nil, lamin.ErrInvalid},
		{[]string{"nosuchfield=1"}, lamin.ErrInvalid},
		{[]string{a.UID[:4], "key=a.csv"}, nil},
	} {
		if _, err := e.in.Get(e.ctx, "artifact", tc.args...); !errors.Is(err, tc.want) && !(tc.want == nil && err == nil) {
			t.Errorf("Get(artifact, %q): %v, want %v", tc.args, err, tc.want)
		}
	}
}

func TestGetSaysHowManyRecordsAnAmbiguousPrefixMatches(t *testing.T) {
	e := newEnv(t)
	for i := range 3 {
		a := e.save(e.write(fmt.Sprintf("f%d.csv", i), fmt.Sprintf("x\n%d\n", i)), lamin.ArtifactOptions{Key: fmt.Sprintf("f%d.csv", i)})
		if _, err := lamin.StoreOf(e.in).Exec(e.ctx, `UPDATE lamindb_artifact SET uid = ? WHERE id = ?`, fmt.Sprintf("Same%012d0000", i), a.ID); err != nil {
			t.Fatal(err)
		}
	}
	_, err := e.in.Get(e.ctx, "artifact", "Same")
	if !errors.Is(err, lamin.ErrConflict) || !strings.Contains(err.Error(), "3 artifacts have a uid starting with 'Same'") {
		t.Errorf("ambiguous prefix: %v", err)
	}
	_, err = e.in.Get(e.ctx, "artifact", "key__startswith=f")
	if !errors.Is(err, lamin.ErrConflict) || !strings.Contains(err.Error(), "3 artifacts match key__startswith=f") ||
		!strings.Contains(err.Error(), "`lamin filter artifact key__startswith=f`") {
		t.Errorf("several matches: %v", err)
	}
}

// TestUIDPrefixLookupsUseTheUIDIndex checks SQLite's plan for the uid
// prefix lookups of get and shell completion on every registry: a search
// of the uid index, never a scan of the table.
func TestUIDPrefixLookupsUseTheUIDIndex(t *testing.T) {
	e := newEnv(t)
	for _, reg := range []string{"artifact", "transform", "run", "user", "storage", "collection"} {
		text, args, err := e.in.UIDPrefixSQL(reg, "Ab", 50)
		if err != nil {
			t.Fatal(err)
		}
		rows, err := lamin.StoreOf(e.in).Query(e.ctx, "EXPLAIN QUERY PLAN "+text, args...)
		if err != nil {
			t.Fatal(err)
		}
		var plan []string
		for rows.Next() {
			var id, parent, unused int
			var detail string
			if err := rows.Scan(&id, &parent, &unused, &detail); err != nil {
				t.Fatal(err)
			}
			plan = append(plan, detail)
		}
		rows.Close()
		all := strings.Join(plan, "\n")
		if !strings.Contains(all, "SEARCH t USING COVERING INDEX sqlite_autoindex_lamindb_"+reg+"_1 (uid>? AND uid<?)") {
			t.Errorf("%s: the uid prefix lookup does not search the uid index:\n%s\n%s", reg, all, text)
		}
	}
}

// BenchmarkUIDsWithPrefix times the completion lookup on an instance of
// 100,000 artifacts: a two-character prefix (about 26 matches, all
// returned) and a one-character prefix (about 1,600 matches, cut at 50).
func BenchmarkUIDsWithPrefix(b *testing.B) {
	ctx := context.Background()
	dir := b.TempDir()
	opts := lamin.Options{SettingsDir: filepath.Join(dir, "settings"), CacheDir: filepath.Join(dir, "cache"),
		Getenv: func(string) string { return "" }}
	if _, err := lamin.Login("testuser1", "", opts); err != nil {
		b.Fatal(err)
	}
	in, err := lamin.Init(ctx, filepath.Join(dir, "mydata"), lamin.InitOptions{Options: opts})
	if err != nil {
		b.Fatal(err)
	}
	defer in.Close()
	const n = 100_000
	rng := rand.New(rand.NewPCG(1, 2))
	const alphabet = "0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz"
	err = lamin.StoreOf(in).Tx(ctx, func(tx *meta.Tx) error {
		for i := range n {
			u := make([]byte, 16)
			for j := range u {
				u[j] = alphabet[rng.IntN(len(alphabet))]
			}
			if _, err := tx.Exec(ctx, `INSERT INTO lamindb_artifact (uid, key, storage_id, suffix, _key_is_virtual, _overwrite_versions, created_by_id)
				VALUES (?, ?, 1, '.csv', 1, 0, 1)`, string(u)+"0000", fmt.Sprintf("bulk/%d.csv", i)); err != nil {
				return err
			}
		}
		return nil
	})
	if err != nil {
		b.Fatal(err)
	}
	for _, prefix := range []string{"Ab", "Q"} {
		b.Run("prefix "+prefix, func(b *testing.B) {
			for b.Loop() {
				uids, err := in.UIDsWithPrefix(ctx, "artifact", prefix, 50)
				if err != nil || len(uids) == 0 {
					b.Fatal(uids, err)
				}
			}
		})
	}
}

// TestGetOnPostgres runs Get's statements (uid prefix in index order,
// counts, latest of a family, filters) on PostgreSQL.
func TestGetOnPostgres(t *testing.T) {
	db := testenv.Postgres(t)
	dir := t.TempDir()
	ctx := context.Background()
	opts := lamin.Options{SettingsDir: filepath.Join(dir, "settings"), CacheDir: filepath.Join(dir, "cache"),
		Getenv: func(string) string { return "" }}
	if _, err := lamin.Login("testuser1", "", opts); err != nil {
		t.Fatal(err)
	}
	in, err := lamin.Init(ctx, filepath.Join(dir, "mydata"), lamin.InitOptions{Options: opts, DB: db})
	if err != nil {
		t.Fatal(err)
	}
	defer in.Close()
	e := &env{t: t, ctx: ctx, dir: dir, opts: opts, in: in}
	v1 := e.save(e.write("a.csv", "x\n1\n"), lamin.ArtifactOptions{Key: "a.csv"})
	v2 := e.save(e.write("a.csv", "x\n2\n"), lamin.ArtifactOptions{Key: "a.csv"})
	e.save(e.write("b.csv", "x\n3\n"), lamin.ArtifactOptions{Key: "b.csv"})
	for _, tc := range []struct {
		args []string
		want string
	}{
		{[]string{v1.UID}, v1.UID},
		{[]string{v1.UID[:16]}, v2.UID},
		{[]string{"key=a.csv"}, v2.UID},
		{[]string{v2.UID[:6], "key__startswith=a"}, v2.UID},
	} {
		rows, err := in.Get(ctx, "artifact", tc.args...)
		if err != nil || rows.Values[0][1] != tc.want {
			t.Errorf("Get(%q) = %v, %v; want %s", tc.args, rows, err, tc.want)
		}
	}
	if _, err := in.Get(ctx, "artifact", "key__endswith=.csv"); !errors.Is(err, lamin.ErrConflict) || !strings.Contains(err.Error(), "2 artifacts match") {
		t.Errorf("two latest matches: %v", err)
	}
	uids, err := in.UIDsWithPrefix(ctx, "artifact", v1.UID[:3], 50)
	if err != nil || !slices.Contains(uids, v1.UID) || !slices.IsSorted(uids) {
		t.Errorf("UIDsWithPrefix = %v, %v", uids, err)
	}
}
