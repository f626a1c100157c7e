package cli

import (
	"context"
	"fmt"

	"github.com/lamin-go/lamin"
	"github.com/lamin-go/lamin/internal/records"
	"github.com/spf13/cobra"
)

type checkOptions struct {
	repair, verifyHashes bool
	format               string
}

func (app *App) checkCmd() *cobra.Command {
	var o checkOptions
	cmd := &cobra.Command{
		Use:   "check [--repair] [--verify-hashes]",
		Short: "Verify that stored bytes match their records; find orphans and stale runs",
		Long: `Check every artifact's bytes against its record (size, or content hash with
--verify-hashes), find files under .lamindb/ that no record claims, records
whose save never finished, and runs left started by a process that is gone.
Folders are compared file by file with the manifest recorded when they were
saved. Saves still running (their process alive, their lease renewed) are left
alone. First of all the metadata database checks itself (SQLite quick_check,
integrity_check with --verify-hashes; amcheck on PostgreSQL where installed).
Without --repair nothing changes. With --repair indexes are rebuilt when only
they are damaged, unfinished saves whose process is gone or whose lease lapsed
are completed (their interrupted renames finished, when every file arrived
intact) or removed, orphan files are deleted and stale runs are marked aborted;
missing or corrupted bytes are reported, never deleted: saving the same content
again stores them anew. Exits 1 when a problem remains.`,
		Args: exactArgs(0, "no arguments"),
		RunE: func(cmd *cobra.Command, args []string) error {
			if err := checkFormat(o.format); err != nil {
				return err
			}
			return app.checkRun(cmd.Context(), o)
		},
	}
	cmd.Flags().BoolVar(&o.repair, "repair", false, "fix what can be fixed")
	cmd.Flags().BoolVar(&o.verifyHashes, "verify-hashes", false, "re-hash stored files instead of comparing sizes")
	addFormatFlag(cmd, &o.format, "table")
	return cmd
}

func (app *App) checkRun(ctx context.Context, o checkOptions) error {
	in, err := app.open(ctx)
	if err != nil {
		return err
	}
	defer in.Close()
	problems, err := in.Check(ctx, lamin.CheckOptions{Repair: o.repair, VerifyHashes: o.verifyHashes})
	if err != nil {
		return err
	}
	lamin.SortProblems(problems)
	remaining := 0
	for _, p := range problems {
		if p.Repaired == "" {
			remaining++
		}
	}
	if o.format != "table" {
		recs := make([]records.Record, len(problems))
		for i, p := range problems {
			recs[i] = records.Record{{Name: "kind", Value: p.Kind}, {Name: "uid", Value: p.UID}, {Name: "path", Value: p.Path}, {Name: "message", Value: p.Message}, {Name: "repaired", Value: p.Repaired}}
		}
		if err := writeRecords(app.Out, o.format, recs); err != nil {
			return err
		}
	} else {
		for _, p := range problems {
			line := fmt.Sprintf("%s: %s", p.Kind, p.Message)
			if p.Repaired != "" {
				line += " (repaired: " + p.Repaired + ")"
			}
			fmt.Fprintln(app.Out, line)
		}
	}
	switch {
	case len(problems) == 0:
		fmt.Fprintln(app.Err, "✓ instance "+in.Slug()+" is consistent")
		return nil
	case remaining == 0:
		fmt.Fprintf(app.Err, "✓ repaired %d problems\n", len(problems))
		return nil
	}
	hint := "run `lamin check --repair` to fix what can be fixed"
	if o.repair {
		hint = "missing or corrupted bytes need the original data: re-save it or delete the record"
	}
	return &exitError{code: 1, msg: fmt.Sprintf("%d problems found; %s", remaining, hint)}
}
