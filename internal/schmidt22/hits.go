package schmidt22

import (
	"bytes"
	"fmt"
	"os"

	"github.com/lamin-go/lamin/internal/parquet"
)

// Hit is one row of the hits table.
type Hit struct {
	ID       string
	PosScore float64
	PosFDR   float64
	PosRank  int64
	PosLFC   float64
}

// writeHits writes hits as a Parquet table with the screen's column names.
func writeHits(path string, hits []Hit) error {
	ids := make([]string, len(hits))
	score, fdr, lfc := make([]float64, len(hits)), make([]float64, len(hits)), make([]float64, len(hits))
	rank := make([]int64, len(hits))
	for i, h := range hits {
		ids[i], score[i], fdr[i], rank[i], lfc[i] = h.ID, h.PosScore, h.PosFDR, h.PosRank, h.PosLFC
	}
	var buf bytes.Buffer
	err := parquet.Write(&buf, []parquet.Column{
		{Name: "id", Strings: ids}, {Name: "pos|score", Float64s: score}, {Name: "pos|fdr", Float64s: fdr},
		{Name: "pos|rank", Int64s: rank}, {Name: "pos|lfc", Float64s: lfc},
	})
	if err != nil {
		return err
	}
	return os.WriteFile(path, buf.Bytes(), 0o644)
}

// readHitIDs returns the id column of a hits table.
func readHitIDs(path string) ([]string, error) {
	f, err := os.Open(path)
	if err != nil {
		return nil, err
	}
	defer f.Close()
	st, err := f.Stat()
	if err != nil {
		return nil, err
	}
	cols, err := parquet.Read(f, st.Size())
	if err != nil {
		return nil, fmt.Errorf("read hits: %w", err)
	}
	for _, c := range cols {
		if c.Name == "id" && c.Strings != nil {
			return c.Strings, nil
		}
	}
	return nil, fmt.Errorf("read hits: %s has no id column of strings", path)
}
