package metatest

import (
	"context"
	"errors"
	"reflect"
	"testing"

	"github.com/lamin-go/lamin/internal/meta"
)

// runSaves checks the named operations of the save protocol: owners of
// unfinished saves, claims by compare-and-swap, fenced completion, and
// folder manifests.
func runSaves(t *testing.T, migrated func(t *testing.T) *meta.Store) {
	ctx := context.Background()
	stored := `{"af":{"0":true}}`
	owner := func(token string, lease int64) meta.SaveOwner {
		return meta.SaveOwner{Token: token, Host: "h", PID: 7, StartedAt: 1, LeaseUntil: lease}
	}

	t.Run("an owner renews, loses to a claim with its old lease, and can no longer finish", func(t *testing.T) {
		s := migrated(t)
		f := newFixture(t, s)
		id := f.artifact.ID
		must(t, meta.InsertSaveOwners(ctx, s, owner("saver", 100), []int64{id}))
		if n, err := meta.RenewSaves(ctx, s, "saver", 200); err != nil || n != 1 {
			t.Fatalf("renew: %d, %v", n, err)
		}
		stale := owner("saver", 100)
		if ok, err := meta.ClaimSave(ctx, s, id, &stale, owner("repair", 300)); err != nil || ok {
			t.Fatalf("a claim with an outdated lease succeeded (%v, %v)", ok, err)
		}
		cur, ok, err := meta.SaveOwnerOf(ctx, s, id)
		if err != nil || !ok || cur.LeaseUntil != 200 {
			t.Fatalf("owner %+v %v %v", cur, ok, err)
		}
		if ok, err := meta.ClaimSave(ctx, s, id, &cur, owner("repair", 300)); err != nil || !ok {
			t.Fatalf("a claim with the current lease failed (%v, %v)", ok, err)
		}
		if n, err := meta.RenewSaves(ctx, s, "saver", 400); err != nil || n != 0 {
			t.Fatalf("the old owner still renews %d records (%v)", n, err)
		}
		if ok, err := meta.FinishSave(ctx, s, id, "saver", &stored); err != nil || ok {
			t.Fatalf("the old owner finished the save (%v, %v)", ok, err)
		}
		if ok, err := meta.FinishSave(ctx, s, id, "repair", &stored); err != nil || !ok {
			t.Fatalf("the new owner could not finish (%v, %v)", ok, err)
		}
		if _, ok, _ := meta.SaveOwnerOf(ctx, s, id); ok {
			t.Fatal("a finished save kept its owner")
		}
	})

	t.Run("a record without an owner is claimed once", func(t *testing.T) {
		s := migrated(t)
		f := newFixture(t, s)
		if ok, err := meta.ClaimSave(ctx, s, f.artifact.ID, nil, owner("a", 1)); err != nil || !ok {
			t.Fatalf("first claim: %v, %v", ok, err)
		}
		if ok, err := meta.ClaimSave(ctx, s, f.artifact.ID, nil, owner("b", 1)); err != nil || ok {
			t.Fatalf("second claim: %v, %v", ok, err)
		}
		err := s.Tx(ctx, func(tx *meta.Tx) error {
			return meta.MarkUnstored(ctx, tx, f.artifact.ID, `{"af":{"0":false}}`, owner("c", 1))
		})
		if !errors.Is(err, meta.ErrConflict) {
			t.Fatalf("marking an owned record unfinished: %v, want ErrConflict", err)
		}
	})

	t.Run("a manifest holds every file and goes with its record", func(t *testing.T) {
		s := migrated(t)
		f := newFixture(t, s)
		var files []meta.ManifestEntry
		for i := range 400 {
			files = append(files, meta.ManifestEntry{Path: string(rune('a'+i%26)) + "/" + string(rune('a'+i/26)) + ".txt", Size: int64(i), Hash: "h", HashType: "md5"})
		}
		must(t, meta.InsertManifest(ctx, s, f.artifact.ID, files))
		must(t, meta.InsertSaveOwners(ctx, s, owner("x", 1), []int64{f.artifact.ID}))
		got, ok, err := meta.Manifest(ctx, s, f.artifact.ID)
		if err != nil || !ok || len(got) != len(files) {
			t.Fatalf("manifest: %d entries, %v, %v", len(got), ok, err)
		}
		byPath := map[string]meta.ManifestEntry{}
		for _, e := range files {
			byPath[e.Path] = e
		}
		for _, e := range got {
			if !reflect.DeepEqual(byPath[e.Path], e) {
				t.Fatalf("entry %+v, want %+v", e, byPath[e.Path])
			}
		}
		must(t, s.Tx(ctx, func(tx *meta.Tx) error { return meta.DeleteArtifact(ctx, tx, f.artifact.ID) }))
		if _, ok, _ := meta.Manifest(ctx, s, f.artifact.ID); ok {
			t.Fatal("the manifest outlived its record")
		}
		if owners, _ := meta.SaveOwners(ctx, s); len(owners) != 0 {
			t.Fatalf("owners outlived their record: %v", owners)
		}
	})
}
