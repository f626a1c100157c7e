package cli

import (
	"context"
	"encoding/json"
	"fmt"
	"strings"
	"time"

	"github.com/dustin/go-humanize"
	"github.com/lamin-go/lamin"
	"github.com/lamin-go/lamin/internal/query"
	"github.com/lamin-go/lamin/internal/records"
	"github.com/lamin-go/lamin/record"
	"github.com/spf13/cobra"
)

type getOptions struct {
	registry   string
	args       []string
	format     string
	isRunInput bool
}

func (app *App) getCmd() *cobra.Command {
	var o getOptions
	cmd := &cobra.Command{
		Use:   "get REGISTRY [UID] [FIELD=VALUE ...]",
		Short: "Show one record, by uid (or uid prefix) or by fields",
		Long: `Show one record of a registry (artifact, transform, run, user, storage,
collection; plural forms work too), like LaminDB's Registry.get().

Pass a uid or a unique uid prefix, or FIELD[__LOOKUP]=VALUE filters in the
language of ` + "`lamin filter`" + `, e.g. description=D or key__contains=figures/.
A uid finds the record on every branch; a prefix naming one version family
gives its latest version. Versioned records prefer the latest version; more
than one match is an error (list them with ` + "`lamin filter`" + `).
--format json prints one object with the field names of ` + "`lamin filter --format json`" + `.`,
		Example: `  lamin get artifact key__contains=figures/matrixplot
  lamin get transform 7hJ3kp
  lamin get run transform__key=step.py --format json
  lamin get user handle=testuser1`,
		Args: minArgs(2, "a registry and a uid or FIELD=VALUE filters"),
		RunE: func(cmd *cobra.Command, args []string) error {
			if err := checkFormat(o.format); err != nil {
				return err
			}
			o.registry, o.args = args[0], args[1:]
			return app.getRun(cmd.Context(), o)
		},
	}
	addFormatFlag(cmd, &o.format, "table")
	cmd.Flags().BoolVar(&o.isRunInput, "is-run-input", false, "record the artifact as an input of the current run")
	return cmd
}

func (app *App) getRun(ctx context.Context, o getOptions) error {
	reg, err := query.LookupRegistry(o.registry)
	if err != nil {
		return usagef("%v", err)
	}
	if o.isRunInput && reg != query.Artifact {
		return usagef("--is-run-input applies to artifacts; %s records are not run inputs", reg.Name)
	}
	in, err := app.open(ctx)
	if err != nil {
		return err
	}
	defer in.Close()
	rows, err := in.Get(ctx, reg.Name, o.args...)
	if err != nil {
		return err
	}
	if o.isRunInput {
		a, err := in.ArtifactByID(ctx, rows.Values[0][0].(int64))
		if err != nil {
			return err
		}
		t := true
		if err := in.TrackInputs(ctx, []*lamin.Artifact{a}, lamin.CacheOptions{IsRunInput: &t}); err != nil {
			return err
		}
	}
	rec := records.FromRows(rows)[0]
	if o.format == "table" {
		rec = cardRecord(rec)
	}
	return writeRecord(app.Out, o.format, rec)
}

// cardRecord shortens multi-line text (a transform's source code) to its
// first line and a line count, so the card stays one line per field.
func cardRecord(r records.Record) records.Record {
	out := make(records.Record, len(r))
	for i, f := range r {
		if s, ok := f.Value.(string); ok {
			if text := strings.TrimRight(s, "\n"); strings.Contains(text, "\n") {
				first, _, _ := strings.Cut(text, "\n")
				f.Value = fmt.Sprintf("%s … (%d lines; all of it with --format json)", first, strings.Count(text, "\n")+1)
			}
		}
		out[i] = f
	}
	return out
}

func (app *App) describeCmd() *cobra.Command {
	var format string
	cmd := &cobra.Command{
		Use:   "describe UID",
		Short: "Print the card of an artifact, run or transform: fields, storage path, lineage links",
		Long: `Print the card of an artifact, run or transform, like LaminDB's describe().
--format json prints the card as the JSON object GET /api/artifacts/UID
(runs, transforms) of ` + "`lamin serve`" + ` returns.`,
		Args: exactArgs(1, "one artifact, run or transform uid"),
		RunE: func(cmd *cobra.Command, args []string) error {
			switch format {
			case "table":
				return app.Describe(cmd.Context(), args[0])
			case "json":
				return app.describeJSON(cmd.Context(), args[0])
			}
			return usagef("unknown --format %q for describe; use table or json", format)
		},
	}
	cmd.Flags().StringVar(&format, "format", "table", "output format: table|json (the card, or the card as JSON)")
	return cmd
}

// describeJSON prints the card of the record uid names as JSON.
func (app *App) describeJSON(ctx context.Context, uid string) error {
	in, err := app.open(ctx)
	if err != nil {
		return err
	}
	defer in.Close()
	root, err := in.ResolveUID(ctx, uid)
	if err != nil {
		return err
	}
	var card any
	switch root.Kind {
	case record.KindRun:
		card, err = records.DescribeRun(ctx, in, root.UID)
	case record.KindTransform:
		card, err = records.DescribeTransform(ctx, in, root.UID)
	case record.KindArtifact:
		card, err = records.DescribeArtifact(ctx, in, root.UID)
	default:
		return usagef("describe does not show %ss yet; try `lamin lineage %s`", root.Kind, uid)
	}
	if err != nil {
		return err
	}
	b, err := json.MarshalIndent(card, "", "  ")
	if err != nil {
		return fmt.Errorf("encode card: %w", err)
	}
	_, err = app.Out.Write(append(b, '\n'))
	return err
}

// writeArtifactCard prints LaminDB's describe() layout.
func writeArtifactCard(app *App, d *lamin.ArtifactDescription) {
	a := d.Artifact
	title := "Artifact " + a.Suffix
	if a.OType != nil {
		title += " · " + *a.OType
	}
	if a.Kind != nil {
		title += " · " + *a.Kind
	}
	fmt.Fprintln(app.Out, title)
	if !a.IsLatest {
		fmt.Fprintln(app.Out, "! this is not the latest version")
	}
	if a.BranchID == -1 {
		fmt.Fprintln(app.Out, "! this artifact is in the trash")
	}
	size := "None"
	if a.Size != nil {
		size = humanize.Bytes(uint64(*a.Size))
	}
	pairs := [][2]string{
		{"key: " + text(a.Key, "None"), ""},
		{"description: " + text(a.Description, "None"), ""},
		{"uid: " + a.UID, "hash: " + text(a.Hash, "None")},
		{"size: " + size, "transform: " + d.TransformKey},
		{"space: " + d.Space, "branch: " + d.Branch},
		{"created_by: " + d.CreatedBy, "created_at: " + a.CreatedAt.UTC().Format(time.DateTime)},
	}
	if a.NFiles != nil {
		pairs = append(pairs, [2]string{fmt.Sprintf("n_files: %d", *a.NFiles), ""})
	}
	if a.NObservations != nil {
		pairs = append(pairs, [2]string{fmt.Sprintf("n_observations: %d", *a.NObservations), ""})
	}
	if a.Version != nil {
		pairs = append(pairs, [2]string{"version: " + *a.Version, ""})
	}
	pairs = append(pairs, [2]string{"storage path: " + d.Path, ""})
	fmt.Fprintln(app.Out, "└── General")
	for i, p := range pairs {
		branch := "├──"
		if i == len(pairs)-1 {
			branch = "└──"
		}
		line := p[0]
		if p[1] != "" {
			line = fmt.Sprintf("%-40s %s", p[0], p[1])
		}
		fmt.Fprintf(app.Out, "    %s %s\n", branch, line)
	}
	if len(d.InputOfRuns) > 0 {
		fmt.Fprintln(app.Out, "Lineage")
		fmt.Fprintf(app.Out, "└── input of runs: %s\n", strings.Join(d.InputOfRuns, ", "))
	}
}
