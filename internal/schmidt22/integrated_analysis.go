package schmidt22

import (
	"context"
	"io"
	"os"
	"path/filepath"

	"github.com/lamin-go/lamin"
	"github.com/lamin-go/lamin/internal/h5ad"
)

// integratedAnalysis joins the Perturb-seq counts with the screen's hits:
// each cell is scored by its expression of hit genes, shown on an
// embedding (figure 1) and summarised per cluster (figure 2). Both figures
// are saved with keys under figures/. Like the seed's notebook, the run is
// left unfinished.
func (f *flow) integratedAnalysis(ctx context.Context) error {
	in, err := f.as(ctx, "testuser2")
	if err != nil {
		return err
	}
	defer in.Close()
	spec, err := f.notebook(UIDIntegratedAnalysis, "integrated-analysis.ipynb")
	if err != nil {
		return err
	}
	if _, err = in.Track(ctx, lamin.TrackOptions{PID: leftOpen, TransformSpec: spec}); err != nil {
		return err
	}
	countsArt, err := in.FindArtifact(ctx, []string{"description__icontains=perturbseq"})
	if err != nil {
		return err
	}
	countsPath, err := in.Cache(ctx, countsArt, lamin.CacheOptions{})
	if err != nil {
		return err
	}
	adata, err := h5ad.Read(countsPath)
	if err != nil {
		return err
	}
	hitsArt, err := in.FindArtifact(ctx, []string{"description=hits from schmidt22 crispra GWS"})
	if err != nil {
		return err
	}
	hitsPath, err := in.Cache(ctx, hitsArt, lamin.CacheOptions{})
	if err != nil {
		return err
	}
	hits, err := readHitIDs(hitsPath)
	if err != nil {
		return err
	}
	isHit := map[string]bool{}
	for _, id := range hits {
		isHit[id] = true
	}
	nCells, nGenes := adata.X.NObs, adata.X.NVars
	var hitCols []int
	for g, name := range adata.Var.Index {
		if isHit[name] {
			hitCols = append(hitCols, g)
		}
	}
	clusterOf := make([]int, nCells)
	clusterNames := map[string]int{}
	for _, col := range adata.Obs.Columns {
		if col.Name == "cluster" {
			for c, v := range col.Strings {
				if _, ok := clusterNames[v]; !ok {
					clusterNames[v] = len(clusterNames)
				}
				clusterOf[c] = clusterNames[v]
			}
		}
	}
	scores := make([]float64, nCells)
	means := make([][]float64, len(clusterNames))
	sizes := make([]int, len(clusterNames))
	for i := range means {
		means[i] = make([]float64, len(hitCols))
	}
	for c := 0; c < nCells; c++ {
		sizes[clusterOf[c]]++
		for j, g := range hitCols {
			v := float64(adata.X.Data[c*nGenes+g])
			scores[c] += v
			means[clusterOf[c]][j] += v
		}
	}
	for i := range means {
		for j := range means[i] {
			if sizes[i] > 0 {
				means[i][j] /= float64(sizes[i])
			}
		}
	}
	dir, err := os.MkdirTemp(in.CacheDir(), "figures-")
	if err != nil {
		return err
	}
	defer os.RemoveAll(dir)
	figures := []struct {
		key  string
		draw func(io.Writer) error
		uid  *string
	}{
		{"figures/umap_fig1_score-wgs-hits.png", func(w io.Writer) error { return UMAPFigure(w, clusterOf, scores) }, &f.res.FigureUMAP},
		{"figures/matrixplot_fig2_score-wgs-hits-per-cluster.png", func(w io.Writer) error { return MatrixPlot(w, means) }, &f.res.FigureMatrixPlot},
	}
	for _, fig := range figures {
		p := filepath.Join(dir, filepath.Base(fig.key))
		if err := writeFile(p, fig.draw); err != nil {
			return err
		}
		a, err := save(ctx, in, p, lamin.ArtifactOptions{Key: fig.key})
		if err != nil {
			return err
		}
		*fig.uid = a.UID
	}
	return nil
}
