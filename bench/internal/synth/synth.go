package synth

import (
	"fmt"
	"math/rand/v2"
	"strings"
)

// Vocabulary for keys and descriptions.
var (
	// FileNames are the files of one sample folder, in order.
	FileNames = []string{"reads_R1.fastq.gz", "reads_R2.fastq.gz", "aligned.bam", "counts.h5ad", "qc_report.html",
		"metrics.csv", "barcodes.tsv.gz", "features.tsv.gz", "matrix.mtx.gz", "umap.png"}
	// Suffixes are the suffixes of FileNames.
	Suffixes = []string{".fastq.gz", ".fastq.gz", ".bam", ".h5ad", ".html", ".csv", ".tsv.gz", ".tsv.gz", ".mtx.gz", ".png"}
	verbs    = []string{"Align reads of", "Quantify expression in", "Call variants in", "Cluster cells of",
		"Normalize counts of", "Run QC on", "Integrate", "Annotate cell types in", "Score CRISPRa hits in", "Plot"}
	topics = []string{"PBMC", "IFNG-stimulated T cells", "tumour biopsies", "organoids", "bone marrow",
		"Perturb-seq screen", "CRISPRa screen", "lung atlas", "liver slices", "iPSC neurons"}
	pipelines = []string{"Cell Ranger", "nf-core/rnaseq", "nf-core/scrnaseq", "STAR", "salmon", "bcl2fastq", "kallisto", "GATK"}
	tissues   = []string{"donor A", "donor B", "cohort 1", "cohort 2", "pilot", "replicate 3"}
)

const alphabet = "0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz"

// UID is a random uid of n characters ending in suffix (e.g. "0000" for a
// first version).
func UID(rng *rand.Rand, n int, suffix string) string {
	b := make([]byte, n-len(suffix), n)
	for i := range b {
		b[i] = alphabet[rng.IntN(len(alphabet))]
	}
	return string(append(b, suffix...))
}

// Transform is the content of one generated transform row.
type Transform struct {
	Key, Description, Type string
	// SourceCode, Hash, Reference, ReferenceType and Version are nil or a
	// string, ready to bind.
	SourceCode, Hash, Reference, ReferenceType, Version any
}

// NewTransform draws transform number id: three in ten are notebooks, two
// pipelines with a version and a reference, the rest scripts with source
// code.
func NewTransform(rng *rand.Rand, id int) Transform {
	project := rng.IntN(200)
	t := Transform{Description: fmt.Sprintf("%s %s, project %d, %s, batch %d", verbs[rng.IntN(len(verbs))],
		topics[rng.IntN(len(topics))], project, tissues[rng.IntN(len(tissues))], id)}
	switch (id - 1) % 10 {
	case 0, 1, 2:
		t.Type = "notebook"
		t.Key = fmt.Sprintf("notebooks/project-%d/analysis-%d.ipynb", project, id)
	case 3, 4:
		t.Type = "pipeline"
		p := pipelines[rng.IntN(len(pipelines))]
		t.Key = p
		t.Version = fmt.Sprintf("%d.%d.%d", 1+rng.IntN(8), rng.IntN(10), id)
		t.Reference, t.ReferenceType = "https://example.org/"+strings.ReplaceAll(strings.ToLower(p), " ", "-"), "url"
	default:
		t.Type = "script"
		t.Key = fmt.Sprintf("scripts/project-%d/step_%d.py", project, id)
		t.SourceCode = fmt.Sprintf("import lamindb as ln\n\nln.track()\n# %s\nfor sample in samples:\n    process(sample, batch=%d)\nln.finish()\n", t.Description, id)
		t.Hash = UID(rng, 22, "")
	}
	return t
}
