package lamin

import (
	"bytes"
	"strings"
	"testing"
	"time"

	"github.com/lamin-go/lamin/record"
)

// TestEachMessageSpeaksItsVoice checks the catalogue: the SDK keeps
// LaminDB's words (Python calls, integer ids), the command line names lamin
// commands, flags and uids.
func TestEachMessageSpeaksItsVoice(t *testing.T) {
	key := "raw.csv"
	runID := int64(3)
	art := &record.Artifact{ID: 4, UID: "aaaaaaaaaaaaaaaa0000", Key: &key, Suffix: ".csv", StorageID: 1, RunID: &runID,
		CreatedByID: 1, CreatedAt: time.Date(2026, 1, 2, 3, 4, 5, 0, time.UTC)}
	noKey := &record.Artifact{ID: 5, UID: "bbbbbbbbbbbbbbbb0000", Suffix: ".csv"}
	run := &record.Run{ID: 3, UID: "rrrrrrrrrrrrrrrr"}
	parent := &record.Transform{ID: 2, UID: "tttttttttttt0000"}
	cases := []struct {
		name       string
		say        func(m *Messages)
		lamin, cli string
	}{
		{"no run linked", func(m *Messages) { m.noRunLinked() },
			"! no run & transform got linked, call `ln.track()` & re-run",
			"! no run & transform got linked, call `lamin run` or `lamin track` & re-run"},
		{"input not tracked", func(m *Messages) { m.inputNotTracked() },
			"! run input wasn't tracked, call `ln.track()` and re-run",
			"! run input wasn't tracked, call `lamin run` or `lamin track` and re-run"},
		{"input on request", func(m *Messages) { m.inputOnRequest() },
			"• track these data as a run input by passing `is_run_input=True`",
			"• track these data as a run input by passing `--is-run-input`"},
		{"inputs added", func(m *Messages) { m.inputsAdded([]*record.Artifact{art}, run, []*record.Transform{parent}) },
			"• adding artifact ids [4] as inputs for run 3, adding parent transform 2",
			"• adding artifact aaaaaaaaaaaaaaaa0000 as input of run rrrrrrrrrrrrrrrr, adding parent transform tttttttttttt0000"},
		{"two inputs added", func(m *Messages) { m.inputsAdded([]*record.Artifact{art, noKey}, run, nil) },
			"• adding artifact ids [4, 5] as inputs for run 3",
			"• adding artifacts aaaaaaaaaaaaaaaa0000, bbbbbbbbbbbbbbbb0000 as inputs of run rrrrrrrrrrrrrrrr"},
		{"copy without key", func(m *Messages) { m.willCopy(noKey) },
			"• path content will be copied to default storage upon `save()` with key `None` ('.lamindb/bbbbbbbbbbbbbbbb0000.csv')",
			"• path content will be copied to default storage at '.lamindb/bbbbbbbbbbbbbbbb0000.csv' (no key; name it with --key)"},
		{"copy with key", func(m *Messages) { m.willCopy(art) },
			"• path content will be copied to default storage upon `save()` with key 'raw.csv'",
			"• path content will be copied to default storage with key 'raw.csv'"},
		{"same hash", func(m *Messages) { m.sameHash(art, false) },
			"→ returning existing artifact with same hash: Artifact(uid='aaaaaaaaaaaaaaaa0000', is_latest=False, key='raw.csv', suffix='.csv', branch_id=0, space_id=0, storage_id=1, run_id=3, created_by_id=1, created_at=2026-01-02 03:04:05 UTC); to track this artifact as an input, use: ln.Artifact.get()",
			"→ returning existing artifact with same hash: Artifact(uid='aaaaaaaaaaaaaaaa0000', is_latest=False, key='raw.csv', suffix='.csv', created_at=2026-01-02 03:04:05 UTC); to track this artifact as an input, use: lamin cache aaaaaaaaaaaaaaaa0000"},
		{"recommend uid", func(m *Messages) { m.recommendUID("script", "tttttttttttt") },
			"• recommendation: to identify the script across renames, pass the uid: ln.track(\"tttttttttttt\")",
			"• recommendation: to identify the script across renames, pass the uid: --uid tttttttttttt"},
		{"moved to trash", func(m *Messages) { m.movedToTrash("run", "rrrrrrrrrrrrrrrr", "Run(uid='rrrrrrrrrrrrrrrr')") },
			"! moved record to trash (branch_id = -1): Run(uid='rrrrrrrrrrrrrrrr')",
			"! moved record to trash: Run(uid='rrrrrrrrrrrrrrrr'); bring it back with `lamin restore run rrrrrrrrrrrrrrrr`"},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			var sdk, cli bytes.Buffer
			c.say(NewMessages(&sdk))
			c.say(NewCLIMessages(&cli))
			if got := strings.TrimSuffix(sdk.String(), "\n"); got != c.lamin {
				t.Errorf("SDK voice:\n got %s\nwant %s", got, c.lamin)
			}
			if got := strings.TrimSuffix(cli.String(), "\n"); got != c.cli {
				t.Errorf("CLI voice:\n got %s\nwant %s", got, c.cli)
			}
			var none *Messages
			c.say(none) // a nil sink prints nothing and does not panic
		})
	}
}
