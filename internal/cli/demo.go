package cli

import (
	"context"
	"fmt"
	"os"
	"path/filepath"

	"github.com/lamin-go/lamin"
	"github.com/spf13/cobra"
)

type demoOptions struct {
	dir  string
	keep bool
}

func (app *App) demoCmd() *cobra.Command {
	var o demoOptions
	cmd := &cobra.Command{
		Use:   "demo [--dir DIR]",
		Short: "Run a small project end to end on a fresh local instance",
		Long: `Create a fresh local instance in DIR (default: a new temporary folder), register
raw data in place and by copy, make a new version, find records again and
read them back. Afterwards the demo instance is the current one.`,
		Args: exactArgs(0, "no arguments"),
		RunE: func(cmd *cobra.Command, args []string) error { return app.demoRun(cmd.Context(), o) },
	}
	cmd.Flags().StringVar(&o.dir, "dir", "", "folder for the demo instance (must not exist or be empty)")
	cmd.Flags().BoolVar(&o.keep, "keep", true, "keep the demo instance afterwards")
	return cmd
}

func (app *App) demoRun(ctx context.Context, o demoOptions) error {
	dir := o.dir
	if dir == "" {
		tmp, err := os.MkdirTemp("", "lamin-demo-")
		if err != nil {
			return err
		}
		dir = filepath.Join(tmp, "mydata")
	} else if entries, err := os.ReadDir(dir); err == nil && len(entries) > 0 {
		return usagef("demo folder %s is not empty; pass a new folder with --dir", dir)
	}
	step := func(format string, args ...any) { fmt.Fprintf(app.Err, "\n== "+format+"\n", args...) }
	opts := app.options()

	step("create an instance in %s", dir)
	in, err := lamin.Init(ctx, dir, lamin.InitOptions{Options: opts})
	if err != nil {
		return err
	}
	defer in.Close()

	step("register a raw data file that already lives in the storage root (in place)")
	raw := filepath.Join(dir, "raw", "screen.csv")
	if err := writeDemoFile(raw, "gene,score\nIFNG,9.1\nIL2,4.2\nCD4,0.3\n"); err != nil {
		return err
	}
	a, err := in.NewArtifact(ctx, raw, lamin.ArtifactOptions{Description: "raw screen results"})
	if err != nil {
		return err
	}
	if err := a.Save(ctx); err != nil {
		return err
	}

	step("register a file from outside the root: its bytes are copied into .lamindb/")
	outside := filepath.Join(filepath.Dir(dir), "hits.csv")
	if err := writeDemoFile(outside, "gene,score\nIFNG,9.1\n"); err != nil {
		return err
	}
	hits, err := in.NewArtifact(ctx, outside, lamin.ArtifactOptions{Key: "results/hits.csv", Description: "hits"})
	if err != nil {
		return err
	}
	if err := hits.Save(ctx); err != nil {
		return err
	}

	step("save the same content again: the existing artifact is returned, no new record")
	again, err := in.NewArtifact(ctx, outside, lamin.ArtifactOptions{Key: "results/hits.csv"})
	if err != nil {
		return err
	}
	if err := again.Save(ctx); err != nil {
		return err
	}

	step("save new content under the same key: a new version")
	if err := writeDemoFile(outside, "gene,score\nIFNG,9.1\nIL2,4.2\n"); err != nil {
		return err
	}
	v2, err := in.NewArtifact(ctx, outside, lamin.ArtifactOptions{Key: "results/hits.csv"})
	if err != nil {
		return err
	}
	if err := v2.Save(ctx); err != nil {
		return err
	}
	versions, err := in.Versions(ctx, v2)
	if err != nil {
		return err
	}
	step("versions of results/hits.csv")
	var recs []record
	for _, v := range versions {
		recs = append(recs, record{{"uid", v.UID}, {"key", v.Key}, {"is_latest", v.IsLatest}, {"n_observations", v.NObservations}, {"hash", v.Hash}})
	}
	if err := writeRecords(app.Out, "table", recs); err != nil {
		return err
	}
	step("the latest version's card")
	d, err := in.DescribeArtifact(ctx, v2)
	if err != nil {
		return err
	}
	writeArtifactCard(app, d)
	fmt.Fprintf(app.Err, "\n→ the demo instance %s is now current; try:\n  lamin describe %s\n  lamin cache --key results/hits.csv\n", in.Slug(), v2.UID)
	return nil
}

func writeDemoFile(p, content string) error {
	if err := os.MkdirAll(filepath.Dir(p), 0o755); err != nil {
		return err
	}
	return os.WriteFile(p, []byte(content), 0o644)
}
