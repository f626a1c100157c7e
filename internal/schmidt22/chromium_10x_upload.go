package schmidt22

import (
	"context"
	"fmt"
	"os"
	"path/filepath"
	"runtime/debug"

	"github.com/lamin-go/lamin"
)

// upload10x is testuser1's sequencer upload script: it writes the reads of
// the Perturb-seq run into the storage root and registers both fastq files
// in place, then finishes the run. With python3, chromium_10x_upload.py
// does this inside the run.
func (f *flow) upload10x(ctx context.Context) error {
	in, err := f.as(ctx, "testuser1")
	if err != nil {
		return err
	}
	defer in.Close()
	env, err := writeEnvironment(in.CacheDir())
	if err != nil {
		return err
	}
	run, err := in.Track(ctx, lamin.TrackOptions{EnvFile: env, TransformSpec: f.script(UIDUpload10x, "chromium_10x_upload.py")})
	if err != nil {
		return err
	}
	if f.realScripts() {
		return f.runScript(ctx, run, "chromium_10x_upload.py")
	}
	f.barcode = Barcodes(f.cfg.Cells)
	r1, r2 := f.path("fastq/perturbseq_R1_001.fastq.gz"), f.path("fastq/perturbseq_R2_001.fastq.gz")
	if err := WriteFastqs(r1, r2, f.barcode, 4*f.cfg.Cells); err != nil {
		return err
	}
	for _, rel := range []string{"fastq/perturbseq_R1_001.fastq.gz", "fastq/perturbseq_R2_001.fastq.gz"} {
		if _, err := f.register(ctx, in, rel, lamin.ArtifactOptions{}); err != nil {
			return err
		}
	}
	return run.Finish(ctx, nil)
}

// writeEnvironment records the Go modules this program was built with,
// the analogue of a Python script's pip freeze.
func writeEnvironment(cacheDir string) (string, error) {
	text := "go (build information unavailable)\n"
	if info, ok := debug.ReadBuildInfo(); ok {
		text = fmt.Sprintf("%s %s\n", info.Main.Path, info.GoVersion)
		for _, d := range info.Deps {
			text += fmt.Sprintf("%s==%s\n", d.Path, d.Version)
		}
	}
	dir := filepath.Join(cacheDir, "environments")
	if err := os.MkdirAll(dir, 0o755); err != nil {
		return "", err
	}
	p := filepath.Join(dir, "requirements.txt")
	return p, os.WriteFile(p, []byte(text), 0o644)
}
