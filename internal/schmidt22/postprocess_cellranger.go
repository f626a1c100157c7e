package schmidt22

import (
	"context"

	"github.com/lamin-go/lamin"
)

// postprocess reads the three Cell Ranger files (inputs), assembles the
// cells × genes matrix with per-cell annotations and writes it as an
// AnnData file into the storage root, registered in place as
// "perturbseq counts". Like the seed's script run, it is left unfinished.
// With python3, postprocess_cellranger.py does this inside the run.
func (f *flow) postprocess(ctx context.Context) error {
	in, err := f.as(ctx, "testuser2")
	if err != nil {
		return err
	}
	defer in.Close()
	env, err := writeEnvironment(in.CacheDir())
	if err != nil {
		return err
	}
	run, err := in.Track(ctx, lamin.TrackOptions{PID: leftOpen, EnvFile: env, TransformSpec: f.script(UIDPostprocess, "postprocess_cellranger.py")})
	if err != nil {
		return err
	}
	if f.realScripts() {
		if err := f.runScript(ctx, run, "postprocess_cellranger.py"); err != nil {
			return err
		}
		a, err := in.ArtifactByKey(ctx, "schmidt22_perturbseq.h5ad")
		if err != nil {
			return err
		}
		f.res.H5AD = a.UID
		return nil
	}
	paths := map[string]string{}
	for _, name := range []string{"barcodes.tsv.gz", "features.tsv.gz", "matrix.mtx.gz"} {
		a, err := in.ArtifactByKey(ctx, "perturbseq/filtered_feature_bc_matrix/"+name)
		if err != nil {
			return err
		}
		if paths[name], err = in.Cache(ctx, a, lamin.CacheOptions{}); err != nil {
			return err
		}
	}
	out := f.path("schmidt22_perturbseq.h5ad")
	if err := writePerturbseq(paths["barcodes.tsv.gz"], paths["features.tsv.gz"], paths["matrix.mtx.gz"], out); err != nil {
		return err
	}
	a, err := f.register(ctx, in, "schmidt22_perturbseq.h5ad", lamin.ArtifactOptions{Description: "perturbseq counts"})
	if err != nil {
		return err
	}
	f.res.H5AD = a.UID
	return nil
}
