package cli

import (
	"context"
	"fmt"
	"io"
	"os"
	"path/filepath"

	"github.com/lamin-go/lamin"
	"github.com/lamin-go/lamin/examples/schmidt22"
	"github.com/lamin-go/lamin/internal/lineage"
	"github.com/spf13/cobra"
)

type demoOptions struct {
	dir   string
	cells int
}

func (app *App) demoCmd() *cobra.Command {
	var o demoOptions
	cmd := &cobra.Command{
		Use:   "demo [--dir DIR]",
		Short: "Run the Schmidt et al. (2022) project end to end on a fresh local instance",
		Long: `Run LaminDB's Schmidt et al. (2022) walkthrough on a fresh local instance: a
CRISPRa screen uploaded without a run, hit identification, a sequencer upload,
Cell Ranger, post-processing to an h5ad, an integrated analysis drawing two
figures, and a review that reads a figure; then the walkthrough's queries and
the figure's lineage. The data are generated; nothing is downloaded.
Afterwards the demo instance is the current one, so the next lamin command
inspects it.`,
		Args: exactArgs(0, "no arguments"),
		RunE: func(cmd *cobra.Command, args []string) error { return app.demoRun(cmd.Context(), o) },
	}
	cmd.Flags().StringVar(&o.dir, "dir", "", "folder for the demo instance (must not exist or be empty; default: a new temporary folder)")
	cmd.Flags().IntVar(&o.cells, "cells", 600, "cells in the mock Perturb-seq experiment")
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
	if o.cells < 10 {
		return usagef("--cells %d: use at least 10", o.cells)
	}
	res, err := schmidt22.Run(ctx, schmidt22.Config{Dir: dir, Options: app.options(), Log: app.Err, Cells: o.cells})
	if err != nil {
		return err
	}
	in, err := lamin.Open(ctx, "", app.options())
	if err != nil {
		return err
	}
	defer in.Close()
	return app.demoSummary(ctx, in, res)
}

// demoSummary runs the walkthrough's queries and shows where the figure came from.
func (app *App) demoSummary(ctx context.Context, in *lamin.Instance, res *schmidt22.Result) error {
	fmt.Fprintf(app.Err, "\n== which artifacts did the hit-identification notebook create?\n   lamin filter artifact transform__uid=%s\n", res.HitTransform)
	q, err := in.Query("artifact", []string{"transform__uid=" + res.HitTransform})
	if err != nil {
		return err
	}
	arts, err := in.FilterArtifacts(ctx, q)
	if err != nil {
		return err
	}
	recs := make([]record, len(arts))
	for i, a := range arts {
		recs[i] = record{{"uid", a.UID}, {"description", a.Description}, {"suffix", a.Suffix}, {"otype", a.OType}, {"n_observations", a.NObservations}}
	}
	if err := writeRecords(app.Out, "table", recs); err != nil {
		return err
	}
	fmt.Fprintf(app.Err, "\n== where did the matrixplot figure come from?\n   lamin lineage %s\n", res.FigureMatrixPlot)
	g, err := in.Lineage(ctx, res.FigureMatrixPlot, lamin.LineageOptions{})
	if err != nil {
		return err
	}
	if err := lineage.WriteText(app.Out, g); err != nil {
		return err
	}
	svgPath := filepath.Join(filepath.Dir(in.Storage().Root), "lineage.svg")
	if err := app.writeOutput(svgPath, func(w io.Writer) error { return lineage.WriteSVG(w, g) }); err != nil {
		return err
	}
	fmt.Fprintf(app.Err, "\n→ the demo instance %s is now current; try:\n", in.Slug())
	fmt.Fprintf(app.Err, "  lamin view\n  lamin search transform \"GWS CRIPSRa analysis\"\n  lamin filter transform created_by__handle=testuser1 type=notebook\n")
	fmt.Fprintf(app.Err, "  lamin describe %s\n  lamin lineage %s --format dot\n  lamin export %s --format prov-json\n", res.FigureMatrixPlot, res.H5AD, res.FigureMatrixPlot)
	return nil
}
