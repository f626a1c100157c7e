package lamin_test

import (
	"errors"
	"strings"
	"testing"

	"github.com/lamin-go/lamin"
	"github.com/lamin-go/lamin/internal/testenv"
)

func TestCheckOnS3ReportsObjectsWhoseSizeOrETagDiffersFromTheRecord(t *testing.T) {
	e := newTeamEnv(t)
	grown := e.save(e.write("grown.txt", "hello\n"), lamin.ArtifactOptions{Description: "grows"})
	edited := e.save(e.write("edited.txt", "world\n"), lamin.ArtifactOptions{Description: "edited"})
	if problems, err := e.in.Check(e.ctx, lamin.CheckOptions{VerifyHashes: true}); err != nil || len(problems) != 0 {
		t.Fatalf("a fresh instance: %v %v", problems, err)
	}
	// Another tool writes into the bucket behind lamin's back.
	testenv.Put(t, e.bucket, "data/.lamindb/"+grown.UID+".txt", []byte("hello, and more\n"))
	testenv.Put(t, e.bucket, "data/.lamindb/"+edited.UID+".txt", []byte("WORLD\n"))

	problems, err := e.in.Check(e.ctx, lamin.CheckOptions{})
	if err != nil {
		t.Fatal(err)
	}
	if len(problems) != 1 || problems[0].Kind != lamin.ProblemChanged || problems[0].UID != grown.UID ||
		!strings.Contains(problems[0].Message, "has 16 bytes, the record says 6") {
		t.Errorf("plain check: %+v", problems)
	}
	problems, err = e.in.Check(e.ctx, lamin.CheckOptions{VerifyHashes: true})
	if err != nil {
		t.Fatal(err)
	}
	lamin.SortProblems(problems)
	if len(problems) != 2 || problems[0].UID != grown.UID || problems[1].Kind != lamin.ProblemCorrupted ||
		problems[1].UID != edited.UID || !strings.Contains(problems[1].Message, "the ETag of ") {
		t.Errorf("check --verify-hashes: %+v", problems)
	}
	// Reading the grown object is refused rather than handing out bytes
	// the record does not describe.
	if _, err := e.in.Cache(e.ctx, grown, lamin.CacheOptions{}); !errors.Is(err, lamin.ErrConflict) ||
		!strings.Contains(err.Error(), "was modified: it has 16 bytes, the record says 6") {
		t.Errorf("cache of a grown object: %v", err)
	}
}

func TestCheckOnPostgresRunsAmcheckOrSaysWhatWasNotChecked(t *testing.T) {
	e := newTeamEnv(t)
	e.save(e.write("a.txt", "a\n"), lamin.ArtifactOptions{Key: "a.txt"})
	problems, err := e.in.Check(e.ctx, lamin.CheckOptions{})
	if err != nil || len(problems) != 0 {
		t.Fatalf("check: %v %v", problems, err)
	}
	if !strings.Contains(e.msgs.String(), "the PostgreSQL indexes were not checked: the amcheck extension is not installed") {
		t.Errorf("without amcheck, check says nothing about what it left out:\n%s", e.msgs)
	}
	var available bool
	if err := lamin.StoreOf(e.in).QueryRow(e.ctx, `SELECT EXISTS (SELECT 1 FROM pg_available_extensions WHERE name = 'amcheck')`).Scan(&available); err != nil {
		t.Fatal(err)
	}
	if !available {
		t.Skip("the PostgreSQL server has no amcheck extension")
	}
	if _, err := lamin.StoreOf(e.in).Exec(e.ctx, `CREATE EXTENSION amcheck`); err != nil {
		t.Fatal(err)
	}
	e.msgs.Reset()
	for _, thorough := range []bool{false, true} {
		problems, err := e.in.Check(e.ctx, lamin.CheckOptions{VerifyHashes: thorough})
		if err != nil || len(problems) != 0 {
			t.Fatalf("check with amcheck (thorough %v): %v %v", thorough, problems, err)
		}
	}
	if strings.Contains(e.msgs.String(), "not checked") {
		t.Errorf("with amcheck installed, check still says: %s", e.msgs)
	}
}
