package schmidt22

import (
	"fmt"
	"os"
	"path/filepath"
	"sort"
	"strings"

	"github.com/lamin-go/lamin/internal/h5ad"
)

// datasets are the example data the steps' scripts ask for, the way
// LaminDB's scripts call ln.core.datasets: each writes its files under a
// base folder (the storage root) and returns the path the script goes on
// with. The data are the same as the Go steps write.
var datasets = map[string]func(basedir string, cells, hits int) (string, error){
	// fastq_perturbseq writes the sequencer's reads of the Perturb-seq run.
	"fastq_perturbseq": func(basedir string, cells, _ int) (string, error) {
		dir := filepath.Join(basedir, "fastq")
		return dir, WriteFastqs(filepath.Join(dir, "perturbseq_R1_001.fastq.gz"), filepath.Join(dir, "perturbseq_R2_001.fastq.gz"),
			Barcodes(cells), 4*cells)
	},
	// dir_scrnaseq_cellranger writes Cell Ranger's filtered feature-barcode matrix.
	"dir_scrnaseq_cellranger": func(basedir string, cells, hits int) (string, error) {
		dir := filepath.Join(basedir, "perturbseq", "filtered_feature_bc_matrix")
		genes := Genes()
		return dir, WriteMatrix(dir, Barcodes(cells), genes[:2000], genes[:hits])
	},
	// schmidt22_perturbseq turns that matrix into the AnnData file.
	"schmidt22_perturbseq": func(basedir string, _, _ int) (string, error) {
		out := filepath.Join(basedir, "schmidt22_perturbseq.h5ad")
		return out, WritePerturbseq(filepath.Join(basedir, "perturbseq", "filtered_feature_bc_matrix"), out)
	},
}

// Datasets lists the names WriteDataset knows.
func Datasets() []string {
	names := make([]string, 0, len(datasets))
	for n := range datasets {
		names = append(names, n)
	}
	sort.Strings(names)
	return names
}

// WriteDataset writes the example data set name under basedir for an
// experiment of cells cells and hits screen hits, and returns its path.
func WriteDataset(name, basedir string, cells, hits int) (string, error) {
	write, ok := datasets[name]
	if !ok {
		return "", fmt.Errorf("unknown data set %q; use one of %s", name, strings.Join(Datasets(), ", "))
	}
	if cells == 0 {
		cells = 600
	}
	if hits == 0 {
		hits = 123
	}
	return write(basedir, cells, hits)
}

// WritePerturbseq reads the three files of a Cell Ranger matrix folder,
// assembles the cells × genes matrix with each cell's cluster and total
// counts and writes it as an AnnData file titled "perturbseq counts".
func WritePerturbseq(matrixDir, out string) error {
	barcodes, features, matrix := matrixFiles(matrixDir)
	return writePerturbseq(barcodes, features, matrix, out)
}

func writePerturbseq(barcodes, features, matrix, out string) error {
	counts, err := ReadCounts(barcodes, features, matrix)
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
	err = h5ad.Write(out, h5ad.Matrix{NObs: nCells, NVars: nGenes, Data: counts.X},
		h5ad.Frame{Index: counts.Barcodes, Columns: []h5ad.Column{{Name: "cluster", Strings: clusters}, {Name: "n_counts", Floats: total}}},
		h5ad.Frame{Index: counts.Genes, Columns: []h5ad.Column{{Name: "gene_ids", Strings: counts.GeneIDs}}},
		map[string]string{"title": "perturbseq counts"})
	if err != nil {
		os.Remove(out)
	}
	return err
}
