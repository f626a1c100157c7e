package metatest

import (
	"context"
	"errors"
	"fmt"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/lamin-go/lamin/internal/meta"
	"github.com/lamin-go/lamin/record"
)

// runOperations checks the named operations the domain uses: version
// families (trash, restore, promote the latest), the links between runs
// and artifacts, and the reads behind the cards.
func runOperations(t *testing.T, migrated func(t *testing.T) *meta.Store) {
	ctx := context.Background()

	// version adds version n of the fixture artifact's family, created n
	// seconds after it, with its own content and the fixture's key.
	version := func(t *testing.T, s *meta.Store, f *fixture, n int) *record.Artifact {
		t.Helper()
		a := *f.artifact
		a.UID = fmt.Sprintf("AAAAAAAAAAAAAAAA%04d", n)
		a.Hash = ptr(fmt.Sprintf("hash%d", n))
		a.CreatedAt = f.now.Add(time.Duration(n) * time.Second)
		must(t, meta.SetArtifactLatest(ctx, s, f.artifact.ID, false))
		must(t, meta.InsertArtifact(ctx, s, &a))
		return &a
	}
	uids := func(as []*record.Artifact) []string {
		var out []string
		for _, a := range as {
			out = append(out, a.UID)
		}
		return out
	}
	latest := func(t *testing.T, s *meta.Store) []string {
		t.Helper()
		fam, err := meta.ArtifactFamily(ctx, s, "AAAAAAAAAAAAAAAA")
		must(t, err)
		var out []string
		for _, a := range fam {
			if a.IsLatest {
				out = append(out, a.UID)
			}
		}
		return out
	}

	t.Run("an artifact family lists its versions and promotes the newest left", func(t *testing.T) {
		s := migrated(t)
		f := newFixture(t, s)
		v1 := version(t, s, f, 1)
		v2 := version(t, s, f, 2)
		if _, err := meta.PromoteLatestArtifact(ctx, s, "AAAAAAAAAAAAAAAA"); err != nil {
			t.Fatal(err)
		}
		vs, err := meta.ArtifactVersions(ctx, s, "AAAAAAAAAAAAAAAA")
		must(t, err)
		if got := uids(vs); !slices.Equal(got, []string{v2.UID, v1.UID, f.artifact.UID}) {
			t.Fatalf("versions %v", got)
		}
		high, err := meta.HighestArtifactVersion(ctx, s, "AAAAAAAAAAAAAAAA")
		if err != nil || len(high) != 1 || high[0].UID != v2.UID {
			t.Fatalf("highest %v, %v", uids(high), err)
		}
		must(t, meta.TrashArtifact(ctx, s, v2.ID))
		if got, err := meta.ArtifactByID(ctx, s, v2.ID); err != nil || got.BranchID != -1 || got.IsLatest {
			t.Fatalf("trashed artifact %+v, %v; want branch -1, not latest", got, err)
		}
		p, err := meta.PromoteLatestArtifact(ctx, s, "AAAAAAAAAAAAAAAA")
		if err != nil || p == nil || p.UID != v1.UID || !p.IsLatest {
			t.Fatalf("promoted %+v, %v", p, err)
		}
		if got := latest(t, s); !slices.Equal(got, []string{v1.UID}) {
			t.Fatalf("latest after trash: %v", got)
		}
		lv, err := meta.LatestArtifactVersion(ctx, s, "AAAAAAAAAAAAAAAA")
		if err != nil || len(lv) != 1 || lv[0].UID != v1.UID {
			t.Fatalf("latest version %v, %v", uids(lv), err)
		}
		trashed, err := meta.ArtifactByID(ctx, s, v2.ID)
		if err != nil || trashed.BranchID != -1 || trashed.IsLatest {
			t.Fatalf("trashed %+v, %v", trashed, err)
		}
		must(t, meta.RestoreArtifact(ctx, s, v2.ID))
		if _, err := meta.PromoteLatestArtifact(ctx, s, "AAAAAAAAAAAAAAAA"); err != nil {
			t.Fatal(err)
		}
		if got := latest(t, s); !slices.Equal(got, []string{v2.UID}) {
			t.Fatalf("latest after restore: %v", got)
		}
		pref, err := meta.PreferredArtifactByPrefix(ctx, s, "AAAAAAAAAAAA")
		if err != nil || len(pref) != 1 || pref[0].UID != v2.UID {
			t.Fatalf("preferred %v, %v", uids(pref), err)
		}
		some, err := meta.ArtifactsByPrefix(ctx, s, "AAAAAAAAAAAAAAAA000", 2)
		if err != nil || len(some) != 2 {
			t.Fatalf("by prefix %v, %v", uids(some), err)
		}
		one, err := meta.ArtifactsByUID(ctx, s, v1.UID)
		if err != nil || len(one) != 1 || one[0].ID != v1.ID {
			t.Fatalf("by uid %v, %v", uids(one), err)
		}
		for _, a := range []*record.Artifact{f.artifact, v1, v2} {
			must(t, meta.TrashArtifact(ctx, s, a.ID))
		}
		if p, err := meta.PromoteLatestArtifact(ctx, s, "AAAAAAAAAAAAAAAA"); p != nil || err != nil {
			t.Fatalf("a fully trashed family promoted %+v, %v", p, err)
		}
	})

	t.Run("artifacts are found by key, hash and storage key", func(t *testing.T) {
		s := migrated(t)
		f := newFixture(t, s)
		v1 := version(t, s, f, 1)
		byKey, err := meta.ArtifactByKey(ctx, s, f.storage.ID, "a/b.csv")
		if err != nil || len(byKey) != 1 || byKey[0].UID != v1.UID {
			t.Fatalf("by key %v, %v", uids(byKey), err)
		}
		if none, err := meta.ArtifactByKey(ctx, s, f.storage.ID, "a/none.csv"); err != nil || len(none) != 0 {
			t.Fatalf("unknown key %v, %v", uids(none), err)
		}
		byKeys, err := meta.ArtifactsByKeys(ctx, s, f.storage.ID, []string{"a/b.csv", "x"})
		if err != nil || len(byKeys) != 2 || byKeys[0].UID != v1.UID {
			t.Fatalf("by keys %v, %v", uids(byKeys), err)
		}
		byHash, err := meta.NewestArtifactByHash(ctx, s, *f.artifact.Hash, f.storage.ID)
		if err != nil || byHash.ID != f.artifact.ID {
			t.Fatalf("by hash %+v, %v", byHash, err)
		}
		if _, err := meta.NewestArtifactByHash(ctx, s, "nohash", f.storage.ID); !errors.Is(err, meta.ErrNotFound) {
			t.Fatalf("unknown hash: %v", err)
		}
		byHashes, err := meta.ArtifactsByHashes(ctx, s, []string{*f.artifact.Hash, *v1.Hash})
		if err != nil || !slices.Equal(uids(byHashes), []string{v1.UID, f.artifact.UID}) {
			t.Fatalf("by hashes %v, %v", uids(byHashes), err)
		}
		naming, err := meta.ArtifactsNamingKey(ctx, s, f.storage.ID, ".lamindb/AAAAAAAAAAAAAAAA0001.csv", "AAAAAAAAAAAAAAAA0001")
		if err != nil || !slices.Equal(uids(naming), []string{v1.UID}) {
			t.Fatalf("naming key %v, %v", uids(naming), err)
		}
		all, err := meta.ArtifactsInStorageByID(ctx, s, f.storage.ID)
		if err != nil || !slices.Equal(uids(all), []string{f.artifact.UID, v1.UID}) {
			t.Fatalf("in storage %v, %v", uids(all), err)
		}
		if other, err := meta.ArtifactsInStorage(ctx, s, f.storage.ID+1); err != nil || len(other) != 0 {
			t.Fatalf("in another storage %v, %v", uids(other), err)
		}
	})

	t.Run("artifact fields are set one at a time", func(t *testing.T) {
		s := migrated(t)
		f := newFixture(t, s)
		id := f.artifact.ID
		must(t, meta.SetArtifactDescription(ctx, s, id, "new"))
		must(t, meta.SetArtifactKey(ctx, s, id, "a/c.csv"))
		must(t, meta.SetArtifactAux(ctx, s, id, ptr(`{"af":{"0":true}}`)))
		must(t, meta.SetArtifactLatest(ctx, s, id, false))
		a, err := meta.ArtifactByID(ctx, s, id)
		must(t, err)
		// _aux is JSON, which an engine may store respaced.
		if *a.Description != "new" || *a.Key != "a/c.csv" || a.Aux == nil || !strings.Contains(*a.Aux, "true") || a.IsLatest {
			t.Fatalf("artifact %+v", a)
		}
		must(t, meta.SetArtifactAux(ctx, s, id, nil))
		r2 := &record.Run{UID: "vJVToxWYnU0ywBm2", TransformID: f.transform.ID, StartedAt: f.now,
			SpaceID: 1, BranchID: 1, CreatedByID: f.user.ID, CreatedAt: f.now}
		must(t, meta.InsertRun(ctx, s, r2))
		must(t, meta.SetArtifactRun(ctx, s, id, r2.ID))
		a, err = meta.ArtifactByID(ctx, s, id)
		if err != nil || a.Aux != nil || a.RunID == nil || *a.RunID != r2.ID {
			t.Fatalf("artifact %+v, %v", a, err)
		}
		if _, err := meta.ArtifactByID(ctx, s, id+100); !errors.Is(err, meta.ErrNotFound) {
			t.Fatalf("unknown id: %v", err)
		}
	})

	t.Run("runs link their inputs, outputs and files", func(t *testing.T) {
		s := migrated(t)
		f := newFixture(t, s)
		reader := &record.Run{UID: "vJVToxWYnU0ywBm2", TransformID: f.transform.ID, StartedAt: f.now.Add(time.Second),
			StatusCode: ptr(int64(-2)), Aux: ptr(`{"process":{}}`), InitiatedByRunID: &f.run.ID,
			SpaceID: 1, BranchID: 1, CreatedByID: f.user.ID, CreatedAt: f.now}
		must(t, meta.InsertRun(ctx, s, reader))
		if u, err := meta.RunUsingArtifact(ctx, s, f.artifact.ID); err == nil {
			t.Fatalf("an unused artifact is used by %s", u)
		}
		must(t, meta.AddRunInputs(ctx, s, reader.ID, f.artifact.ID))
		if u, err := meta.RunUsingArtifact(ctx, s, f.artifact.ID); err != nil || u != reader.UID {
			t.Fatalf("run using the input: %q, %v", u, err)
		}
		if got, err := meta.RunsReading(ctx, s, f.artifact.ID); err != nil || !slices.Equal(got, []string{reader.UID}) {
			t.Fatalf("runs reading %v, %v", got, err)
		}
		in, err := meta.InputsOfRun(ctx, s, reader.ID)
		if err != nil || !slices.Equal(uids(in), []string{f.artifact.UID}) {
			t.Fatalf("inputs %v, %v", uids(in), err)
		}
		out, err := meta.OutputsOfRun(ctx, s, f.run.ID)
		if err != nil || !slices.Equal(uids(out), []string{f.artifact.UID}) {
			t.Fatalf("outputs %v, %v", uids(out), err)
		}
		ov, err := meta.RunOverviews(ctx, s, f.transform.ID)
		if err != nil || len(ov) != 2 || ov[0].UID != reader.UID || ov[0].Inputs != 1 || ov[0].Outputs != 0 ||
			ov[1].Outputs != 1 || ov[0].CreatedBy != "testuser1" || *ov[0].StatusCode != -2 || !ov[1].StartedAt.Equal(f.now) {
			t.Fatalf("overviews %+v, %v", ov, err)
		}
		must(t, meta.UnlinkArtifactRuns(ctx, s, f.artifact.ID))
		if got, _ := meta.RunsReading(ctx, s, f.artifact.ID); len(got) != 0 {
			t.Fatalf("runs reading after unlink: %v", got)
		}

		must(t, meta.SetRunReport(ctx, s, reader.ID, f.artifact.ID))
		if n, err := meta.RunsUsingFile(ctx, s, f.artifact.ID); err != nil || n != 1 {
			t.Fatalf("runs using the report: %d, %v", n, err)
		}
		if u, err := meta.RunUsingArtifact(ctx, s, f.artifact.ID); err != nil || u != reader.UID {
			t.Fatalf("run using the report: %q, %v", u, err)
		}
		must(t, meta.DetachRunFile(ctx, s, f.artifact.ID))
		if n, err := meta.RunsUsingFile(ctx, s, f.artifact.ID); err != nil || n != 0 {
			t.Fatalf("runs using the detached report: %d, %v", n, err)
		}
		must(t, meta.SetRunReport(ctx, s, reader.ID, f.artifact.ID))
		must(t, meta.ClearRunFiles(ctx, s, reader.ID))
		if r, err := meta.RunByID(ctx, s, reader.ID); err != nil || r.ReportID != nil {
			t.Fatalf("run after clearing its files: %+v, %v", r, err)
		}

		running, err := meta.RunsWithProcess(ctx, s, -1, -2)
		if err != nil || len(running) != 1 || running[0].ID != reader.ID {
			t.Fatalf("runs with a process: %d, %v", len(running), err)
		}
		if u, err := meta.RunUID(ctx, s, f.run.ID); err != nil || u != f.run.UID {
			t.Fatalf("run uid %q, %v", u, err)
		}
		if r, err := meta.RunByUID(ctx, s, reader.UID); err != nil || r.ID != reader.ID {
			t.Fatalf("run by uid: %+v, %v", r, err)
		}
		runs, err := meta.RunsOfTransform(ctx, s, f.transform.ID)
		if err != nil || len(runs) != 2 {
			t.Fatalf("runs of transform: %d, %v", len(runs), err)
		}
		must(t, meta.TrashRun(ctx, s, reader.ID))
		if r, _ := meta.RunByID(ctx, s, reader.ID); r.BranchID != -1 {
			t.Fatalf("trashed run on branch %d", r.BranchID)
		}
		must(t, meta.RestoreRun(ctx, s, reader.ID))
		if r, _ := meta.RunByID(ctx, s, reader.ID); r.BranchID != 1 {
			t.Fatalf("restored run on branch %d", r.BranchID)
		}
	})

	t.Run("the records that depend on runs are found by kind", func(t *testing.T) {
		s := migrated(t)
		f := newFixture(t, s)
		child := &record.Run{UID: "vJVToxWYnU0ywBm2", TransformID: f.transform.ID, StartedAt: f.now, InitiatedByRunID: &f.run.ID,
			SpaceID: 1, BranchID: 1, CreatedByID: f.user.ID, CreatedAt: f.now}
		must(t, meta.InsertRun(ctx, s, child))
		ids := []int64{f.run.ID, child.ID}
		for dep, want := range map[meta.RunDependent][]string{
			meta.ArtifactsMadeByRuns:   {f.artifact.UID},
			meta.CollectionsMadeByRuns: nil,
			meta.StoragesMadeByRuns:    nil,
			meta.RunsStartedByRuns:     {child.UID},
		} {
			got, err := meta.RunDependents(ctx, s, dep, ids)
			if err != nil || !slices.Equal(got, want) {
				t.Fatalf("dependents %d: %v, %v; want %v", dep, got, err, want)
			}
		}
	})

	t.Run("a transform family is trashed, restored and versioned", func(t *testing.T) {
		s := migrated(t)
		f := newFixture(t, s)
		v1 := &record.Transform{UID: "qCJPkOuZAi9q0001", Key: ptr("step.py"), Type: "script", Hash: ptr("src1"), Version: ptr("2"),
			IsLatest: true, SpaceID: 1, BranchID: 1, CreatedByID: f.user.ID, CreatedAt: f.now.Add(time.Second), UpdatedAt: f.now}
		must(t, meta.ClearTransformLatest(ctx, s, "qCJPkOuZAi9q"))
		must(t, meta.InsertTransform(ctx, s, v1))
		if t0, _ := meta.TransformByID(ctx, s, f.transform.ID); t0.IsLatest {
			t.Fatal("the older version is still latest")
		}
		for name, rows := range map[string]func() ([]*record.Transform, error){
			"key":  func() ([]*record.Transform, error) { return meta.LatestTransformByKey(ctx, s, "step.py") },
			"stem": func() ([]*record.Transform, error) { return meta.LatestTransformByStem(ctx, s, "qCJPkOuZAi9q") },
			"hash": func() ([]*record.Transform, error) { return meta.LatestTransformByHash(ctx, s, "src1") },
			"high": func() ([]*record.Transform, error) { return meta.HighestTransformVersion(ctx, s, "qCJPkOuZAi9q") },
			"pref": func() ([]*record.Transform, error) { return meta.PreferredTransformByPrefix(ctx, s, "qCJPkOuZ") },
			"ver":  func() ([]*record.Transform, error) { return meta.TransformWithVersion(ctx, s, "qCJPkOuZAi9q", "2") },
		} {
			got, err := rows()
			if err != nil || len(got) != 1 || got[0].ID != v1.ID {
				t.Fatalf("%s: %d rows, %v", name, len(got), err)
			}
		}
		must(t, meta.TrashTransform(ctx, s, v1.ID))
		if got, err := meta.TransformByID(ctx, s, v1.ID); err != nil || got.BranchID != -1 || got.IsLatest {
			t.Fatalf("trashed transform %+v, %v; want branch -1, not latest", got, err)
		}
		must(t, meta.PromoteLatestTransform(ctx, s, "qCJPkOuZAi9q"))
		if got, _ := meta.LatestTransformByKey(ctx, s, "step.py"); len(got) != 1 || got[0].ID != f.transform.ID || !got[0].IsLatest {
			t.Fatalf("latest by key after trash: %+v", got)
		}
		must(t, meta.RestoreTransform(ctx, s, v1.ID))
		must(t, meta.PromoteLatestTransform(ctx, s, "qCJPkOuZAi9q"))
		if got, err := meta.TransformByUID(ctx, s, v1.UID); err != nil || !got.IsLatest || got.BranchID != 1 {
			t.Fatalf("restored %+v, %v", got, err)
		}

		made := &record.Transform{UID: "zzzzzzzzzzzz0000", Type: "script", TemplateID: &v1.ID,
			SpaceID: 1, BranchID: 1, CreatedByID: f.user.ID, CreatedAt: f.now, UpdatedAt: f.now}
		must(t, meta.InsertTransform(ctx, s, made))
		must(t, meta.ClearTemplate(ctx, s, v1.ID))
		if got, _ := meta.TransformByID(ctx, s, made.ID); got.TemplateID != nil {
			t.Fatal("template link kept")
		}
		must(t, meta.DeleteTransformWithoutRuns(ctx, s, f.transform.ID))
		if _, err := meta.TransformByID(ctx, s, f.transform.ID); err != nil {
			t.Fatalf("a transform with runs was deleted: %v", err)
		}
		must(t, meta.DeleteTransformWithoutRuns(ctx, s, made.ID))
		if _, err := meta.TransformByID(ctx, s, made.ID); !errors.Is(err, meta.ErrNotFound) {
			t.Fatalf("a transform without runs was kept: %v", err)
		}
	})

	t.Run("cards read names, users and storages", func(t *testing.T) {
		s := migrated(t)
		f := newFixture(t, s)
		n, err := meta.NamesOf(ctx, s, f.user.ID, 1, 1)
		if err != nil || n != (meta.RecordNames{Handle: "testuser1", Space: "all", Branch: "main"}) {
			t.Fatalf("names %+v, %v", n, err)
		}
		if h, err := meta.UserHandle(ctx, s, f.user.ID); err != nil || h != "testuser1" {
			t.Fatalf("handle %q, %v", h, err)
		}
		for _, get := range []func() (*record.User, error){
			func() (*record.User, error) { return meta.UserByUID(ctx, s, f.user.UID) },
			func() (*record.User, error) { return meta.UserByHandle(ctx, s, f.user.Handle) },
		} {
			if u, err := get(); err != nil || u.ID != f.user.ID {
				t.Fatalf("user %+v, %v", u, err)
			}
		}
		if _, err := meta.UserByHandle(ctx, s, "nobody"); !errors.Is(err, meta.ErrNotFound) {
			t.Fatalf("unknown handle: %v", err)
		}
		if st, err := meta.StorageByID(ctx, s, f.storage.ID); err != nil || st.Root != f.storage.Root {
			t.Fatalf("storage %+v, %v", st, err)
		}
	})

	t.Run("clearing an instance removes its identity and storages", func(t *testing.T) {
		s := migrated(t)
		f := newFixture(t, s)
		// The fixture's artifact and run point at the storage's rows.
		must(t, meta.DeleteArtifact(ctx, s, f.artifact.ID))
		must(t, meta.SetInstance(ctx, s, meta.Instance{UID: "54ZGqgkROOFf", Owner: "o", Name: "n", StorageID: f.storage.ID}))
		must(t, s.Tx(ctx, func(tx *meta.Tx) error { return meta.ClearInstance(ctx, tx) }))
		if _, err := meta.GetInstance(ctx, s); err == nil {
			t.Fatal("the identity survived")
		}
		if _, err := meta.StorageByID(ctx, s, f.storage.ID); !errors.Is(err, meta.ErrNotFound) {
			t.Fatalf("the storage survived: %v", err)
		}
	})

	t.Run("a manifest is replaced", func(t *testing.T) {
		s := migrated(t)
		f := newFixture(t, s)
		must(t, meta.InsertManifest(ctx, s, f.artifact.ID, []meta.ManifestEntry{{Path: "a", Size: 1, Hash: "h", HashType: "md5"}}))
		must(t, meta.DeleteManifest(ctx, s, f.artifact.ID))
		if _, ok, err := meta.Manifest(ctx, s, f.artifact.ID); ok || err != nil {
			t.Fatalf("manifest after delete: %v, %v", ok, err)
		}
	})
}
