package schmidt22

import (
	"context"
	"fmt"
	"os"

	"github.com/lamin-go/lamin"
	"github.com/lamin-go/lamin/internal/h5ad"
)

// postprocess reads the three Cell Ranger files (inputs), assembles the
// cells × genes matrix with per-cell annotations and writes it as an
// AnnData file into the storage root, registered in place as
// "perturbseq counts". Like the seed's script run, it is left unfinished.
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
	_, err = in.Track(ctx, lamin.TrackOptions{PID: leftOpen, EnvFile: env, TransformSpec: f.script(UIDPostprocess, "postprocess_cellranger.py")})
	if err != nil {
		return err
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
	counts, err := ReadCounts(paths["barcodes.tsv.gz"], paths["features.tsv.gz"], paths["matrix.mtx.gz"])
	if err != nil {
		return err
	}
	nCells, nGenes := len(counts.Barcodes), len(counts.Genes)
	clusters := make([]string, nCells)
	total := make([]float64, nCells)
	for c := 0; c < nCells; c++ {
		clusters[c] = fmt.Sprintf("cluster %d", cellCluster(c))
		for g := 0; g < nGenes; g++ {
			total[c] += float64(counts.X[c*nGenes+g])
		}
	}
	out := f.path("schmidt22_perturbseq.h5ad")
	err = h5ad.Write(out, h5ad.Matrix{NObs: nCells, NVars: nGenes, Data: counts.X},
		h5ad.Frame{Index: counts.Barcodes, Columns: []h5ad.Column{{Name: "cluster", Strings: clusters}, {Name: "n_counts", Floats: total}}},
		h5ad.Frame{Index: counts.Genes, Columns: []h5ad.Column{{Name: "gene_ids", Strings: counts.GeneIDs}}},
		map[string]string{"title": "perturbseq counts"})
	if err != nil {
		os.Remove(out)
		return err
	}
	a, err := f.register(ctx, in, "schmidt22_perturbseq.h5ad", lamin.ArtifactOptions{Description: "perturbseq counts"})
	if err != nil {
		return err
	}
	f.res.H5AD = a.UID
	return nil
}
