package lamin_test

import (
	"errors"
	"testing"

	"github.com/lamin-go/lamin"
)

// TestTrashingATransformsLatestVersionPromotesThePrevious checks that
// queries and new runs see the newest version left, and that restoring
// makes the restored version the latest again.
func TestTrashingATransformsLatestVersionPromotesThePrevious(t *testing.T) {
	e := newEnv(t)
	v1, _, err := e.in.ResolveTransform(e.ctx, lamin.TransformSpec{Key: "step.py", Type: "script", Source: "print(1)\n"})
	if err != nil {
		t.Fatal(err)
	}
	v2, _, err := e.in.ResolveTransform(e.ctx, lamin.TransformSpec{Key: "step.py", Type: "script", Source: "print(2)\n"})
	if err != nil {
		t.Fatal(err)
	}
	latest := func() string {
		t.Helper()
		var u string
		if err := lamin.StoreOf(e.in).QueryRow(e.ctx, `SELECT uid FROM lamindb_transform WHERE is_latest`).Scan(&u); err != nil {
			t.Fatal(err)
		}
		return u
	}
	if err := e.in.DeleteTransform(e.ctx, v2, false); err != nil {
		t.Fatal(err)
	}
	if got := latest(); got != v1.UID {
		t.Fatalf("latest after trashing %s: %s, want %s", v2.UID, got, v1.UID)
	}
	if err := e.in.DeleteTransform(e.ctx, v2, false); err != nil {
		t.Fatal(err) // a trashed transform is deleted for good
	}
	if n := e.count(`SELECT COUNT(*) FROM lamindb_transform`); n != 1 {
		t.Fatalf("%d transforms after the second delete, want 1", n)
	}
	if err := e.in.DeleteTransform(e.ctx, v1, false); err != nil {
		t.Fatal(err)
	}
	if err := e.in.RestoreTransform(e.ctx, v1); err != nil {
		t.Fatal(err)
	}
	if got := latest(); got != v1.UID {
		t.Fatalf("latest after restoring: %s, want %s", got, v1.UID)
	}
	if err := e.in.RestoreTransform(e.ctx, v1); !errors.Is(err, lamin.ErrConflict) {
		t.Fatalf("restoring a transform not in the trash: %v", err)
	}
}

// TestARunThatMadeAnArtifactIsNotDeletedForGood keeps lineage whole: the
// run stays until its outputs are gone, then goes with its report.
func TestARunThatMadeAnArtifactIsNotDeletedForGood(t *testing.T) {
	e := newEnv(t)
	run, err := e.in.Track(e.ctx, lamin.TrackOptions{TransformSpec: lamin.TransformSpec{Key: "make.py", Type: "script"}})
	if err != nil {
		t.Fatal(err)
	}
	out := e.save(e.write("out.csv", "a\n1\n"), lamin.ArtifactOptions{Key: "out.csv"})
	if err := run.Finish(e.ctx, nil); err != nil {
		t.Fatal(err)
	}
	err = e.in.DeleteRun(e.ctx, &run.Run, true)
	if !errors.Is(err, lamin.ErrConflict) {
		t.Fatalf("deleting the run that made %s: %v", out.UID, err)
	}
	if err := e.in.DeletePermanently(e.ctx, out, lamin.DeleteOptions{}); err != nil {
		t.Fatal(err)
	}
	if err := e.in.DeleteRun(e.ctx, &run.Run, true); err != nil {
		t.Fatal(err)
	}
	if n := e.count(`SELECT COUNT(*) FROM lamindb_run`); n != 0 {
		t.Fatalf("%d runs left", n)
	}
	problems, err := e.in.Check(e.ctx, lamin.CheckOptions{})
	if err != nil || len(problems) != 0 {
		t.Fatalf("check: %v %v", problems, err)
	}
}
