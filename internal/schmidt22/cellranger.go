package schmidt22

import (
	"context"

	"github.com/lamin-go/lamin"
)

// cellRanger stands in for 10x Genomics' Cell Ranger 7.2.0, tracked as a
// pipeline: it reads both fastq files (inputs) and writes the filtered
// feature-barcode matrix into the storage root, registered file by file.
// Like the seed's pipeline run, it is left unfinished. With python3, the
// step's cellranger.py does this inside the run.
func (f *flow) cellRanger(ctx context.Context) error {
	in, err := f.as(ctx, "testuser2")
	if err != nil {
		return err
	}
	defer in.Close()
	run, err := in.Track(ctx, lamin.TrackOptions{PID: leftOpen, TransformSpec: lamin.TransformSpec{
		UID: UIDCellRanger, Key: "Cell Ranger", Type: lamin.TypePipeline, Version: "7.2.0",
		Reference: "https://www.10xgenomics.com/support/software/cell-ranger", ReferenceType: "url"}})
	if err != nil {
		return err
	}
	if f.realScripts() {
		return f.runScript(ctx, run, "cellranger.py")
	}
	for _, key := range []string{"fastq/perturbseq_R1_001.fastq.gz", "fastq/perturbseq_R2_001.fastq.gz"} {
		a, err := in.ArtifactByKey(ctx, key)
		if err != nil {
			return err
		}
		if _, err := in.Cache(ctx, a, lamin.CacheOptions{}); err != nil {
			return err
		}
	}
	dir := f.path("perturbseq/filtered_feature_bc_matrix")
	if err := WriteMatrix(dir, f.barcode, f.genes[:2000], f.screen); err != nil {
		return err
	}
	o := lamin.ArtifactOptions{}
	if f.staging != "" {
		o.Key = "perturbseq/filtered_feature_bc_matrix"
	}
	arts, err := in.ArtifactsFromDir(ctx, dir, o)
	if err != nil {
		return err
	}
	return in.SaveAll(ctx, arts)
}
