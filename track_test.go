package lamin_test

import (
	"errors"
	"os"
	"strings"
	"testing"

	"github.com/lamin-go/lamin"
)

func (e *env) track(o lamin.TrackOptions) *lamin.Run {
	e.t.Helper()
	r, err := e.in.Track(e.ctx, o)
	if err != nil {
		e.t.Fatalf("track: %v", err)
	}
	return r
}

func TestTrackingAScriptRecordsItsSourceAndRuns(t *testing.T) {
	e := newEnv(t)
	script := e.write("step.py", "print('hello')\n")
	r1 := e.track(lamin.TrackOptions{TransformSpec: lamin.TransformSpec{Path: script}})
	tr := r1.Transform
	if tr.Type != "script" || *tr.Key != "step.py" || *tr.SourceCode != "print('hello')\n" || tr.Hash == nil || !strings.HasSuffix(tr.UID, "0000") {
		t.Fatalf("transform %+v", tr)
	}
	if *r1.StatusCode != -1 || r1.FinishedAt != nil || len(r1.UID) != 16 || r1.IsConsecutive == nil || !*r1.IsConsecutive {
		t.Fatalf("run %+v", r1.Run)
	}
	if !strings.Contains(e.msgs.String(), "→ created Transform('"+tr.UID+"'), started new Run('"+r1.UID[:8]+"...') at ") {
		t.Errorf("messages %q", e.msgs)
	}
	if err := r1.Finish(e.ctx, nil); err != nil {
		t.Fatal(err)
	}
	if *r1.StatusCode != 0 || r1.FinishedAt == nil || !strings.Contains(e.msgs.String(), "→ finished Run('"+r1.UID[:8]+"') after ") {
		t.Fatalf("finished run %+v; %q", r1.Run, e.msgs)
	}

	r2 := e.track(lamin.TrackOptions{TransformSpec: lamin.TransformSpec{Path: script}})
	if r2.Transform.ID != tr.ID || r2.ID == r1.ID || !strings.Contains(e.msgs.String(), "loaded Transform('"+tr.UID+"')") {
		t.Fatalf("rerun: transform %s, run %d", r2.Transform.UID, r2.ID)
	}
	r2.Finish(e.ctx, nil)

	e.write("step.py", "print('changed')\n")
	r3 := e.track(lamin.TrackOptions{TransformSpec: lamin.TransformSpec{Path: script}})
	if r3.Transform.UID != tr.UID[:12]+"0001" || !strings.Contains(e.msgs.String(), "found script step.py, making new version") {
		t.Fatalf("edited script: transform %s; %q", r3.Transform.UID, e.msgs)
	}
	if n := e.count(`SELECT COUNT(*) FROM lamindb_transform WHERE is_latest`); n != 1 {
		t.Fatalf("%d latest transforms", n)
	}
}

func TestAChangedSourceUnderAFullUIDNamesTheNextUID(t *testing.T) {
	e := newEnv(t)
	script := e.write("step.py", "a = 1\n")
	r := e.track(lamin.TrackOptions{TransformSpec: lamin.TransformSpec{Path: script}})
	r.Finish(e.ctx, nil)
	e.write("step.py", "a = 2\n")
	_, err := e.in.Track(e.ctx, lamin.TrackOptions{TransformSpec: lamin.TransformSpec{Path: script, UID: r.Transform.UID}})
	want := r.Transform.UID[:12] + "0001"
	if !errors.Is(err, lamin.ErrConflict) || !strings.Contains(err.Error(), `source code changed, please update the uid argument to "`+want+`"`) {
		t.Fatalf("got %v", err)
	}
}

func TestTransformUIDsOfTheWrongLengthAreRefused(t *testing.T) {
	e := newEnv(t)
	_, err := e.in.Track(e.ctx, lamin.TrackOptions{TransformSpec: lamin.TransformSpec{UID: "abc", Key: "x"}})
	if !errors.Is(err, lamin.ErrInvalid) || !strings.Contains(err.Error(), `Please pass an auto-generated uid instead of "abc"`) {
		t.Fatalf("got %v", err)
	}
}

func TestAPipelineKeepsItsVersionAndReference(t *testing.T) {
	e := newEnv(t)
	spec := lamin.TransformSpec{Key: "Cell Ranger", Type: "pipeline", Version: "7.2.0",
		Reference: "https://www.10xgenomics.com/support/software/cell-ranger", ReferenceType: "url"}
	r := e.track(lamin.TrackOptions{TransformSpec: spec})
	tr := r.Transform
	if tr.Type != "pipeline" || *tr.Version != "7.2.0" || *tr.Reference != spec.Reference || tr.SourceCode != nil {
		t.Fatalf("transform %+v", tr)
	}
	r.Finish(e.ctx, nil)
	again := e.track(lamin.TrackOptions{TransformSpec: spec})
	if again.Transform.ID != tr.ID {
		t.Fatalf("same pipeline gave a new transform %s", again.Transform.UID)
	}
	again.Finish(e.ctx, nil)
	spec.Version = "8.0.0"
	next := e.track(lamin.TrackOptions{TransformSpec: spec})
	if next.Transform.UID != tr.UID[:12]+"0001" || *next.Transform.Version != "8.0.0" {
		t.Fatalf("new version gave %s", next.Transform.UID)
	}
	next.Finish(e.ctx, nil)
	spec.Version, spec.UID = "7.2.0", tr.UID[:12]
	_, err := e.in.Track(e.ctx, lamin.TrackOptions{TransformSpec: spec})
	if !errors.Is(err, lamin.ErrConflict) || !strings.Contains(err.Error(), "version '7.2.0' is already taken by Transform('"+tr.UID+"')") {
		t.Fatalf("got %v", err)
	}
}

func TestRunsLinkTheirInputsAndOutputs(t *testing.T) {
	e := newEnv(t)
	raw := e.save(e.write("raw.csv", "a\n1\n"), lamin.ArtifactOptions{Description: "raw"})
	r := e.track(lamin.TrackOptions{TransformSpec: lamin.TransformSpec{Key: "analysis", Type: "pipeline"}})
	if _, err := e.in.Cache(e.ctx, raw, lamin.CacheOptions{}); err != nil {
		t.Fatal(err)
	}
	out := e.save(e.write("out.csv", "a\n2\n"), lamin.ArtifactOptions{Key: "results/out.csv"})
	if out.RunID == nil || *out.RunID != r.ID {
		t.Fatalf("output run_id %v, want %d", out.RunID, r.ID)
	}
	// Reading an output of the same run is not an input.
	if _, err := e.in.Cache(e.ctx, out, lamin.CacheOptions{}); err != nil {
		t.Fatal(err)
	}
	if n := e.count(`SELECT COUNT(*) FROM lamindb_artifact_input_of_runs WHERE run_id = ?`, r.ID); n != 1 {
		t.Fatalf("%d input links, want 1 (the raw file only)", n)
	}
	if !strings.Contains(e.msgs.String(), "adding artifact ids [1] as inputs for run 1") {
		t.Errorf("messages %q", e.msgs)
	}
	r.Finish(e.ctx, nil)

	// Another run recreating the same content is recorded, not re-owned.
	r2 := e.track(lamin.TrackOptions{TransformSpec: lamin.TransformSpec{Key: "analysis", Type: "pipeline"}})
	again := e.save(e.write("out.csv", "a\n2\n"), lamin.ArtifactOptions{Key: "results/out.csv"})
	if !again.Existing() || *again.RunID != r.ID {
		t.Fatalf("recreated artifact %s", again.Repr())
	}
	if n := e.count(`SELECT COUNT(*) FROM lamindb_artifact__previous_runs WHERE run_id = ? AND artifact_id = ?`, r2.ID, out.ID); n != 1 {
		t.Fatal("recreating run not recorded")
	}
}

func TestRunInputTrackingCanBeSwitchedOff(t *testing.T) {
	e := newEnv(t)
	raw := e.save(e.write("raw.csv", "a\n1\n"), lamin.ArtifactOptions{Description: "raw"})
	if err := e.in.SetPreference("track-run-inputs", "false"); err != nil {
		t.Fatal(err)
	}
	r := e.track(lamin.TrackOptions{TransformSpec: lamin.TransformSpec{Key: "analysis"}})
	e.in.Cache(e.ctx, raw, lamin.CacheOptions{})
	if n := e.count(`SELECT COUNT(*) FROM lamindb_artifact_input_of_runs`); n != 0 {
		t.Fatalf("%d links with tracking off", n)
	}
	yes := true
	e.in.Cache(e.ctx, raw, lamin.CacheOptions{IsRunInput: &yes})
	if n := e.count(`SELECT COUNT(*) FROM lamindb_artifact_input_of_runs WHERE run_id = ?`, r.ID); n != 1 {
		t.Fatalf("%d links with --is-run-input", n)
	}
}

func TestFinishStoresTheLogAsAHiddenReport(t *testing.T) {
	e := newEnv(t)
	r := e.track(lamin.TrackOptions{TransformSpec: lamin.TransformSpec{Key: "job"}})
	r.LogPath = e.write("run.log", "line 1\nline 2\n")
	if err := r.Finish(e.ctx, &lamin.ExitError{Code: 3}); err != nil {
		t.Fatal(err)
	}
	if *r.StatusCode != 1 || r.ReportID == nil {
		t.Fatalf("run %+v", r.Run)
	}
	rep, err := e.in.ArtifactByID(e.ctx, *r.ReportID)
	if err != nil {
		t.Fatal(err)
	}
	b, _ := os.ReadFile(rep.Path())
	if *rep.Kind != "__lamindb_run__" || *rep.Description != "log streams of run "+r.UID || rep.RunID != nil || string(b) != "line 1\nline 2\n" {
		t.Fatalf("report %s with %q", rep.Repr(), b)
	}
}

func TestARunStartedInsideAnotherRecordsItsInitiator(t *testing.T) {
	e := newEnv(t)
	outer := e.track(lamin.TrackOptions{TransformSpec: lamin.TransformSpec{Key: "workflow"}})
	inner := e.track(lamin.TrackOptions{TransformSpec: lamin.TransformSpec{Key: "task"}})
	if inner.InitiatedByRunID == nil || *inner.InitiatedByRunID != outer.ID {
		t.Fatalf("initiated_by_run_id %v, want %d", inner.InitiatedByRunID, outer.ID)
	}
}

func TestAManualRunStartsScheduledAndOwnsWhatItIsGiven(t *testing.T) {
	e := newEnv(t)
	tr, _, err := e.in.ResolveTransform(e.ctx, lamin.TransformSpec{Key: "external job", Type: "pipeline"})
	if err != nil {
		t.Fatal(err)
	}
	run, err := e.in.NewRun(e.ctx, tr)
	if err != nil {
		t.Fatal(err)
	}
	if *run.StatusCode != -3 {
		t.Fatalf("status %d, want -3 (scheduled)", *run.StatusCode)
	}
	// Passed explicitly, or carried by the context: both make outputs.
	a := e.save(e.write("a.csv", "a\n1\n"), lamin.ArtifactOptions{Key: "a.csv", Run: run})
	ctx := lamin.WithRun(e.ctx, run)
	b, err := e.in.NewArtifact(ctx, e.write("b.csv", "b\n2\n"), lamin.ArtifactOptions{Key: "b.csv"})
	if err != nil {
		t.Fatal(err)
	}
	if err := b.Save(ctx); err != nil {
		t.Fatal(err)
	}
	if *a.RunID != run.ID || *b.RunID != run.ID {
		t.Fatalf("run ids %v %v, want %d", a.RunID, b.RunID, run.ID)
	}
	if _, err := e.in.NewRun(e.ctx, nil); !errors.Is(err, lamin.ErrInvalid) {
		t.Fatalf("run without transform: %v", err)
	}
}

func TestOpenAndLoadReadTheBytesAndRecordTheInput(t *testing.T) {
	e := newEnv(t)
	raw := e.save(e.write("raw.csv", "gene,score\nA,1\n"), lamin.ArtifactOptions{Key: "raw.csv"})
	run := e.track(lamin.TrackOptions{TransformSpec: lamin.TransformSpec{Key: "reader"}})
	rc, err := e.in.Open(e.ctx, raw, lamin.CacheOptions{})
	if err != nil {
		t.Fatal(err)
	}
	b := make([]byte, 64)
	n, _ := rc.Read(b)
	rc.Close()
	if string(b[:n]) != "gene,score\nA,1\n" {
		t.Fatalf("read %q", b[:n])
	}
	loaded, err := e.in.Load(e.ctx, raw, lamin.CacheOptions{})
	if err != nil || len(loaded.Records) != 2 || loaded.Records[1][0] != "A" {
		t.Fatalf("load: %+v %v", loaded, err)
	}
	if n := e.count(`SELECT COUNT(*) FROM lamindb_artifact_input_of_runs WHERE run_id = ? AND artifact_id = ?`, run.ID, raw.ID); n != 1 {
		t.Fatalf("%d input links", n)
	}
	pq := e.save(e.write("x.bin", "\x00\x01"), lamin.ArtifactOptions{Key: "x.bin"})
	if _, err := e.in.Load(e.ctx, pq, lamin.CacheOptions{}); !errors.Is(err, lamin.ErrInvalid) || !strings.Contains(err.Error(), "There is no loader for .bin files. Use Cache to get the path.") {
		t.Fatalf("load of a .bin: %v", err)
	}
}
