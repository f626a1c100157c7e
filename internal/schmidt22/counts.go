package schmidt22

import (
	"bufio"
	"compress/gzip"
	"fmt"
	"os"
	"path/filepath"
	"strings"
)

// Counts is a cells × genes count matrix read from a Cell Ranger folder.
type Counts struct {
	Barcodes []string
	GeneIDs  []string
	Genes    []string
	X        []float32 // row-major, len(Barcodes) × len(Genes)
}

func readGzipLines(path string, fn func(string) error) error {
	f, err := os.Open(path)
	if err != nil {
		return err
	}
	defer f.Close()
	zr, err := gzip.NewReader(f)
	if err != nil {
		return fmt.Errorf("%s: %w", path, err)
	}
	sc := bufio.NewScanner(zr)
	sc.Buffer(make([]byte, 1<<20), 1<<20)
	for sc.Scan() {
		if err := fn(sc.Text()); err != nil {
			return fmt.Errorf("%s: %w", path, err)
		}
	}
	return sc.Err()
}

// ReadCounts parses barcodes.tsv.gz, features.tsv.gz and matrix.mtx.gz.
func ReadCounts(barcodes, features, matrix string) (*Counts, error) {
	c := &Counts{}
	if err := readGzipLines(barcodes, func(l string) error { c.Barcodes = append(c.Barcodes, l); return nil }); err != nil {
		return nil, err
	}
	if err := readGzipLines(features, func(l string) error {
		parts := strings.Split(l, "\t")
		if len(parts) < 2 {
			return fmt.Errorf("feature line %q has fewer than 2 fields", l)
		}
		c.GeneIDs, c.Genes = append(c.GeneIDs, parts[0]), append(c.Genes, parts[1])
		return nil
	}); err != nil {
		return nil, err
	}
	nCells, nGenes := len(c.Barcodes), len(c.Genes)
	c.X = make([]float32, nCells*nGenes)
	header := false
	err := readGzipLines(matrix, func(l string) error {
		if strings.HasPrefix(l, "%") {
			return nil
		}
		var a, b, v int
		if _, err := fmt.Sscan(l, &a, &b, &v); err != nil {
			return fmt.Errorf("matrix line %q: %v", l, err)
		}
		if !header {
			header = true
			if a != nGenes || b != nCells {
				return fmt.Errorf("matrix is %d×%d, features × barcodes are %d×%d", a, b, nGenes, nCells)
			}
			return nil
		}
		if a < 1 || a > nGenes || b < 1 || b > nCells {
			return fmt.Errorf("entry %d %d out of range", a, b)
		}
		c.X[(b-1)*nGenes+(a-1)] = float32(v)
		return nil
	})
	return c, err
}

// matrixFiles are the three files of a filtered_feature_bc_matrix folder.
func matrixFiles(dir string) (barcodes, features, matrix string) {
	return filepath.Join(dir, "barcodes.tsv.gz"), filepath.Join(dir, "features.tsv.gz"), filepath.Join(dir, "matrix.mtx.gz")
}
