package schmidt22

import (
	"context"
	"embed"
	"fmt"
	"io"
	"os"
	"path/filepath"

	"github.com/lamin-go/lamin"
	"github.com/lamin-go/lamin/internal/blob/backend"
	"github.com/lamin-go/lamin/internal/notebook"
)

// steps holds the walkthrough's Python scripts and Jupyter notebooks, the
// files its transforms record as their source.
//
//go:embed steps
var steps embed.FS

// StepsFolder is the folder, inside the storage root, that receives the
// walkthrough's scripts and notebooks (as in LaminDB's project).
const StepsFolder = "project-flow-scripts"

// DemoName is the name of the instance the walkthrough creates unless
// Config.Name says otherwise; its slug is testuser1/schmidt22-demo.
const DemoName = "schmidt22-demo"

// Config says where the flow runs.
type Config struct {
	// Dir is the storage root of the new instance; it must not exist yet
	// or be empty.
	Dir string
	// Options are passed to the SDK (settings and cache folders, messages).
	Options lamin.Options
	// Log receives the step-by-step narration (nil: discarded).
	Log io.Writer
	// Cells is the number of cells in the Perturb-seq experiment.
	Cells int
	// Hits is the number of genes the screen plants as hits.
	Hits int
	// DB is a PostgreSQL URL for a team instance (Dir is then usually
	// s3://bucket/prefix); "" keeps metadata in SQLite under Dir.
	DB string
	// Name is the instance name (default DemoName).
	Name string
	// Run names the programs that run the steps' scripts for real on a
	// local instance; the zero value lets Go do their work.
	Run Interpreters
}

// Result lists what the flow created, for the demo's summary and tests.
type Result struct {
	Slug             string
	RawCSV           string // uid of the screen upload
	Hits             string // uid of the hits parquet
	NHits            int
	HitTransform     string // uid of the hit-identification transform
	H5AD             string
	FigureUMAP       string
	FigureMatrixPlot string
	ReviewRun        string
}

// Seed uids of the transforms, as in LaminDB's walkthrough.
const (
	UIDHitIdentification  = "T0T28btuB0PG0000"
	UIDUpload10x          = "qCJPkOuZAi9q0000"
	UIDCellRanger         = "3fkyE88RrVHT0000"
	UIDPostprocess        = "YqmbO6oMXjRj0000"
	UIDIntegratedAnalysis = "lB3IyPLQSmvt0000"
	UIDReview             = "1LCd8kco9lZU0000"
)

// flow carries state between steps.
type flow struct {
	cfg     Config
	root    string
	res     *Result
	genes   []string
	screen  []string // planted hits
	barcode []string
	staging string // where files are written when the storage is remote
	steps   string // the folder holding the written scripts and notebooks
}

func (f *flow) say(format string, args ...any) {
	if f.cfg.Log != nil {
		fmt.Fprintf(f.cfg.Log, "\n== "+format+"\n", args...)
	}
}

// as logs in handle and opens the instance as that user, like a separate
// program started by that person.
func (f *flow) as(ctx context.Context, handle string) (*lamin.Instance, error) {
	if _, err := lamin.Login(handle, "", f.cfg.Options); err != nil {
		return nil, err
	}
	return lamin.Open(ctx, "", f.cfg.Options)
}

// Run executes the whole walkthrough on a fresh instance at cfg.Dir, which
// becomes the current instance.
func Run(ctx context.Context, cfg Config) (*Result, error) {
	if cfg.Cells == 0 {
		cfg.Cells = 600
	}
	if cfg.Hits == 0 {
		cfg.Hits = 123
	}
	if cfg.Name == "" {
		cfg.Name = DemoName
	}
	if entries, err := os.ReadDir(cfg.Dir); err == nil && len(entries) > 0 {
		return nil, fmt.Errorf("folder %s is not empty; pass a new folder", cfg.Dir)
	}
	f := &flow{cfg: cfg, res: &Result{}}
	f.say("lamin init --storage %s (as testuser1)", cfg.Dir)
	if _, err := lamin.Login("testuser1", "", cfg.Options); err != nil {
		return nil, err
	}
	in, err := lamin.Init(ctx, cfg.Dir, lamin.InitOptions{Options: cfg.Options, DB: cfg.DB, Name: cfg.Name})
	if err != nil {
		return nil, err
	}
	f.root = in.Storage().Root
	if caps, _ := backend.CapabilitiesOf(f.root); !caps.LocalPath {
		// Tools write their files locally first; lamin uploads them.
		if f.staging, err = os.MkdirTemp("", "schmidt22-"); err != nil {
			return nil, err
		}
		defer os.RemoveAll(f.staging)
	}
	f.res.Slug = in.Slug()
	in.Close()
	if f.steps, err = writeSteps(f.path(StepsFolder)); err != nil {
		return nil, err
	}
	steps := []struct {
		title string
		run   func(context.Context) error
	}{
		{"upload of the CRISPRa screen results by testuser1 (no run)", f.upload},
		{"hit identification by testuser2", f.hitIdentification},
		{"sequencer upload by testuser1 (chromium_10x_upload)", f.upload10x},
		{"Cell Ranger 7.2.0 by testuser2", f.cellRanger},
		{"post-processing of the Cell Ranger output by testuser2", f.postprocess},
		{"integrated analysis by testuser2", f.integratedAnalysis},
		{"review of the figures by testuser1", f.review},
	}
	for i, s := range steps {
		f.say("step %d/%d: %s", i+1, len(steps), s.title)
		if err := s.run(ctx); err != nil {
			return f.res, fmt.Errorf("step %d (%s): %w", i+1, s.title, err)
		}
	}
	return f.res, nil
}

// save registers a file and returns the artifact.
func save(ctx context.Context, in *lamin.Instance, path string, o lamin.ArtifactOptions) (*lamin.Artifact, error) {
	a, err := in.NewArtifact(ctx, path, o)
	if err != nil {
		return nil, err
	}
	return a, a.Save(ctx)
}

// path is where a step writes the file with storage key rel: inside the
// storage root (registered in place) or, for remote storage, a local
// staging folder (uploaded on save under the same key).
func (f *flow) path(rel string) string {
	if f.staging != "" {
		return filepath.Join(f.staging, filepath.FromSlash(rel))
	}
	return filepath.Join(f.root, filepath.FromSlash(rel))
}

// register saves the file written at f.path(rel) under key rel.
func (f *flow) register(ctx context.Context, in *lamin.Instance, rel string, o lamin.ArtifactOptions) (*lamin.Artifact, error) {
	if f.staging != "" {
		o.Key = rel
	}
	return save(ctx, in, f.path(rel), o)
}

// leftOpen is the TrackOptions.PID of the steps that, as in the seed, are
// never finished (notebooks left open, a pipeline without a finish call):
// no process is recorded, so `lamin check` does not take them for runs
// whose process crashed.
const leftOpen = -1

// writeSteps copies the embedded scripts and notebooks into dir.
func writeSteps(dir string) (string, error) {
	if err := os.MkdirAll(dir, 0o755); err != nil {
		return "", err
	}
	entries, err := steps.ReadDir("steps")
	if err != nil {
		return "", err
	}
	for _, e := range entries {
		b, err := steps.ReadFile("steps/" + e.Name())
		if err != nil {
			return "", err
		}
		if err := os.WriteFile(filepath.Join(dir, e.Name()), b, 0o644); err != nil {
			return "", err
		}
	}
	return dir, nil
}

// script is the transform spec of the Python script name: its key, type
// and the file whose text and hash are recorded.
func (f *flow) script(uid, name string) lamin.TransformSpec {
	return lamin.TransformSpec{UID: uid, Key: name, Type: lamin.TypeScript, Path: filepath.Join(f.steps, name)}
}

// notebook is the transform spec of the Jupyter notebook name: recorded
// like `lamin run NOTEBOOK.ipynb` records one, with the title as the
// description and the py:percent rendering as the source.
func (f *flow) notebook(uid, name string) (lamin.TransformSpec, error) {
	path := filepath.Join(f.steps, name)
	title, err := notebook.Title(path)
	if err != nil {
		return lamin.TransformSpec{}, err
	}
	source, err := notebook.Source(path)
	if err != nil {
		return lamin.TransformSpec{}, err
	}
	return lamin.TransformSpec{UID: uid, Key: name, Type: lamin.TypeNotebook, Description: title, Path: path, Source: source}, nil
}
