package schmidt22

import (
	"bufio"
	"compress/gzip"
	"fmt"
	"io"
	"math"
	"math/rand/v2"
	"os"
	"path/filepath"
	"sort"
	"strings"
)

// The data are generated, deterministic and realistic in shape: the same
// seed gives the same bytes on every machine.
const seed = 2022

func newRand(stream uint64) *rand.Rand { return rand.New(rand.NewPCG(seed, stream)) }

// plantedHits are regulators of IFN-γ production of the kind a CRISPRa
// screen in primary T cells finds; the screen plants them as positive hits.
var plantedHits = []string{
	"IFNG", "IL2RA", "IL2RB", "CD28", "VAV1", "LCP2", "LAT", "ZAP70", "LCK", "CD5",
	"CD6", "MAP4K1", "TNFRSF1A", "TNFRSF1B", "IL1R1", "TBX21", "EOMES", "STAT4", "IL12RB1", "IL12RB2",
	"IL18R1", "IL18RAP", "JAK2", "TYK2", "NFATC1", "NFATC2", "NFKB1", "RELA", "JUN", "FOS",
	"BATF", "IRF4", "PRDM1", "RUNX3", "CD3E", "CD3D", "CD3G", "CD247", "ITK", "PLCG1",
	"GRAP2", "FYB1", "CEACAM1", "LTBR", "OTUD7B", "TNFRSF4", "TNFRSF9", "ICOS", "CD2", "CD58",
}

// Genes returns about 19,000 gene symbols: the planted hits first, then
// symbols shaped like the human gene families that fill a genome-wide
// library (zinc fingers, solute carriers, olfactory receptors, ...).
func Genes() []string {
	families := []struct {
		prefix string
		n      int
	}{
		{"ZNF", 720}, {"SLC", 420}, {"OR", 390}, {"KRT", 90}, {"TMEM", 300}, {"CCDC", 190}, {"FAM", 260},
		{"RPL", 50}, {"RPS", 40}, {"KIAA", 180}, {"ANKRD", 65}, {"LRRC", 75}, {"PRR", 36}, {"WDR", 95},
		{"ZBTB", 49}, {"TRIM", 75}, {"ADAM", 33}, {"USP", 54}, {"KLHL", 42}, {"SPATA", 48}, {"TTC", 39},
		{"C1orf", 230}, {"C2orf", 90}, {"C3orf", 70}, {"C5orf", 60}, {"C6orf", 160}, {"C7orf", 70},
		{"PCDH", 70}, {"MYO", 40}, {"KCN", 90}, {"CDH", 30}, {"COL", 60}, {"DNAH", 17}, {"GPR", 180},
		{"HIST1H", 60}, {"IGHV", 120}, {"LINC", 2400}, {"MIR", 1800}, {"SNOR", 400}, {"RNU", 900},
		{"LOC", 7500}, {"PTPN", 23}, {"ATP", 140}, {"NDUF", 45}, {"PSM", 45}, {"EIF", 70}, {"RAB", 70},
	}
	seen := map[string]bool{}
	out := make([]string, 0, 19500)
	add := func(g string) {
		if !seen[g] {
			seen[g] = true
			out = append(out, g)
		}
	}
	for _, g := range plantedHits {
		add(g)
	}
	r := newRand(1)
	for i := 0; len(out) < cap(out)-len(plantedHits)-300; i++ {
		f := families[i%len(families)]
		n := r.IntN(f.n) + 1
		add(fmt.Sprintf("%s%d", f.prefix, n))
		if i > 200000 {
			break
		}
	}
	return out
}

// screenRow is one gene of a MAGeCK gene summary.
type screenRow struct {
	id                     string
	num                    int
	negScore, negP, negFDR float64
	negRank, negGood       int
	negLFC                 float64
	posScore, posP, posFDR float64
	posRank, posGood       int
	posLFC                 float64
}

// screenHeader is the MAGeCK gene summary header.
var screenHeader = []string{"id", "num", "neg|score", "neg|p-value", "neg|fdr", "neg|rank", "neg|goodsgrna", "neg|lfc",
	"pos|score", "pos|p-value", "pos|fdr", "pos|rank", "pos|goodsgrna", "pos|lfc"}

// WriteScreen writes a MAGeCK-style gene summary of a genome-wide CRISPRa
// screen for IFN-γ into path. nHits genes get pos|fdr < 0.01 (the planted
// hits, then further genes as needed); it returns the genes and the hits.
func WriteScreen(path string, nHits int) (genes, hits []string, err error) {
	genes = Genes()
	r := newRand(2)
	rows := make([]screenRow, len(genes))
	for i, g := range genes {
		hit := i < nHits
		row := screenRow{id: g, num: 3 + r.IntN(3)}
		if hit {
			row.posP = math.Pow(10, -7+4*r.Float64())
			row.posFDR = 0.009 * math.Pow(r.Float64(), 2)
			row.posLFC = 1 + 3*r.Float64()
			row.posGood = row.num - r.IntN(2)
			hits = append(hits, g)
		} else {
			row.posP = 0.001 + r.Float64()*0.999
			row.posFDR = math.Min(1, 0.02+r.Float64())
			row.posLFC = r.NormFloat64() * 0.4
			row.posGood = r.IntN(row.num + 1)
		}
		row.posScore = row.posP * (0.5 + 0.5*r.Float64())
		row.negP = 0.01 + r.Float64()*0.99
		row.negScore = row.negP * (0.5 + 0.5*r.Float64())
		row.negFDR = math.Min(1, 0.05+r.Float64())
		row.negLFC = r.NormFloat64() * 0.3
		row.negGood = r.IntN(row.num + 1)
		rows[i] = row
	}
	rank := func(score func(screenRow) float64, set func(*screenRow, int)) {
		idx := make([]int, len(rows))
		for i := range idx {
			idx[i] = i
		}
		sort.SliceStable(idx, func(a, b int) bool { return score(rows[idx[a]]) < score(rows[idx[b]]) })
		for k, i := range idx {
			set(&rows[i], k+1)
		}
	}
	rank(func(s screenRow) float64 { return s.posScore }, func(s *screenRow, k int) { s.posRank = k })
	rank(func(s screenRow) float64 { return s.negScore }, func(s *screenRow, k int) { s.negRank = k })
	sort.SliceStable(rows, func(a, b int) bool { return rows[a].posRank < rows[b].posRank })

	return genes, hits, writeFile(path, func(w io.Writer) error {
		bw := bufio.NewWriter(w)
		fmt.Fprintln(bw, strings.Join(screenHeader, ","))
		for _, s := range rows {
			fmt.Fprintf(bw, "%s,%d,%.6g,%.6g,%.6g,%d,%d,%.5f,%.6g,%.6g,%.6g,%d,%d,%.5f\n",
				s.id, s.num, s.negScore, s.negP, s.negFDR, s.negRank, s.negGood, s.negLFC,
				s.posScore, s.posP, s.posFDR, s.posRank, s.posGood, s.posLFC)
		}
		return bw.Flush()
	})
}

// writeFile creates path (and its folder) and fills it with fill.
func writeFile(path string, fill func(io.Writer) error) error {
	if err := os.MkdirAll(filepath.Dir(path), 0o755); err != nil {
		return err
	}
	f, err := os.Create(path)
	if err != nil {
		return err
	}
	if err := fill(f); err != nil {
		f.Close()
		return err
	}
	return f.Close()
}

// writeGzip is writeFile with gzip compression.
func writeGzip(path string, fill func(io.Writer) error) error {
	return writeFile(path, func(w io.Writer) error {
		zw := gzip.NewWriter(w)
		bw := bufio.NewWriter(zw)
		if err := fill(bw); err != nil {
			return err
		}
		if err := bw.Flush(); err != nil {
			return err
		}
		return zw.Close()
	})
}

const bases = "ACGT"

// WriteFastqs writes paired Chromium reads: R1 holds the 16 bp cell barcode
// and 12 bp UMI, R2 a 90 bp cDNA read; nReads records each.
func WriteFastqs(r1, r2 string, barcodes []string, nReads int) error {
	r := newRand(3)
	seq := func(n int) string {
		b := make([]byte, n)
		for i := range b {
			b[i] = bases[r.IntN(4)]
		}
		return string(b)
	}
	qual := func(n int) string {
		b := make([]byte, n)
		for i := range b {
			b[i] = byte('F' - r.IntN(8))
		}
		return string(b)
	}
	var reads1, reads2 []string
	for i := 0; i < nReads; i++ {
		name := fmt.Sprintf("@A00228:279:HFWFVDMXX:1:1101:%d:%d", 1000+i, 1000+r.IntN(30000))
		bc := strings.TrimSuffix(barcodes[r.IntN(len(barcodes))], "-1")
		s1 := bc + seq(12)
		reads1 = append(reads1, fmt.Sprintf("%s 1:N:0:GACTAGTA\n%s\n+\n%s\n", name, s1, qual(len(s1))))
		reads2 = append(reads2, fmt.Sprintf("%s 2:N:0:GACTAGTA\n%s\n+\n%s\n", name, seq(90), qual(90)))
	}
	write := func(path string, reads []string) error {
		return writeGzip(path, func(w io.Writer) error {
			for _, rd := range reads {
				if _, err := io.WriteString(w, rd); err != nil {
					return err
				}
			}
			return nil
		})
	}
	if err := write(r1, reads1); err != nil {
		return err
	}
	return write(r2, reads2)
}

// Barcodes returns n Chromium-style cell barcodes ("AAACCTGAGAAACCAT-1").
func Barcodes(n int) []string {
	r := newRand(4)
	out := make([]string, n)
	seen := map[string]bool{}
	for i := 0; i < n; {
		b := make([]byte, 16)
		for j := range b {
			b[j] = bases[r.IntN(4)]
		}
		bc := string(b) + "-1"
		if !seen[bc] {
			seen[bc] = true
			out[i] = bc
			i++
		}
	}
	sort.Strings(out)
	return out
}

// Clusters is the number of cell clusters the mock counts contain.
const Clusters = 6

// cellCluster assigns each cell a cluster.
func cellCluster(i int) int { return i % Clusters }

// WriteMatrix writes a Cell Ranger filtered_feature_bc_matrix folder:
// barcodes.tsv.gz, features.tsv.gz and matrix.mtx.gz (Matrix Market,
// features × barcodes, integer counts). Hit genes are expressed more
// highly in some clusters, so the integrated analysis has a signal.
func WriteMatrix(dir string, barcodes, genes, hits []string) error {
	r := newRand(5)
	if err := writeGzip(filepath.Join(dir, "barcodes.tsv.gz"), func(w io.Writer) error {
		for _, b := range barcodes {
			fmt.Fprintln(w, b)
		}
		return nil
	}); err != nil {
		return err
	}
	if err := writeGzip(filepath.Join(dir, "features.tsv.gz"), func(w io.Writer) error {
		for i, g := range genes {
			fmt.Fprintf(w, "ENSG%011d\t%s\tGene Expression\n", 100000+i*7, g)
		}
		return nil
	}); err != nil {
		return err
	}
	isHit := map[string]bool{}
	for _, h := range hits {
		isHit[h] = true
	}
	type entry struct{ row, col, v int }
	var entries []entry
	for c := range barcodes {
		cl := cellCluster(c)
		for g, gene := range genes {
			p := 0.04
			mean := 1.5
			if isHit[gene] && (cl == 1 || cl == 4) {
				p, mean = 0.6, 6
			}
			if r.Float64() < p {
				entries = append(entries, entry{g + 1, c + 1, 1 + int(r.ExpFloat64()*mean)})
			}
		}
	}
	return writeGzip(filepath.Join(dir, "matrix.mtx.gz"), func(w io.Writer) error {
		fmt.Fprintln(w, "%%MatrixMarket matrix coordinate integer general")
		fmt.Fprintln(w, `%metadata_json: {"software_version": "cellranger-7.2.0", "format_version": 2}`)
		fmt.Fprintf(w, "%d %d %d\n", len(genes), len(barcodes), len(entries))
		for _, e := range entries {
			fmt.Fprintf(w, "%d %d %d\n", e.row, e.col, e.v)
		}
		return nil
	})
}
