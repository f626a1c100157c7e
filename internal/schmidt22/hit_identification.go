package schmidt22

import (
	"context"
	"fmt"
	"os"
	"path/filepath"
	"strconv"

	"github.com/lamin-go/lamin"
)

// hitIdentification is testuser2's analysis "GWS CRIPSRa analysis": load
// the screen by key, keep genes with pos|fdr < 0.01 and save them as a
// Parquet dataset. Like the seed's notebook, the run is left unfinished.
func (f *flow) hitIdentification(ctx context.Context) error {
	in, err := f.as(ctx, "testuser2")
	if err != nil {
		return err
	}
	defer in.Close()
	spec, err := f.notebook(UIDHitIdentification, "hit-identification.ipynb")
	if err != nil {
		return err
	}
	if _, err = in.Track(ctx, lamin.TrackOptions{PID: leftOpen, TransformSpec: spec}); err != nil {
		return err
	}
	screen, err := in.ArtifactByKey(ctx, "schmidt22-crispra-gws-IFNG.csv")
	if err != nil {
		return err
	}
	table, err := in.Load(ctx, screen, lamin.CacheOptions{})
	if err != nil {
		return err
	}
	col := map[string]int{}
	for i, name := range table.Records[0] {
		col[name] = i
	}
	var hits []Hit
	for _, row := range table.Records[1:] {
		num := func(name string) float64 { v, _ := strconv.ParseFloat(row[col[name]], 64); return v }
		if num("pos|fdr") < 0.01 {
			hits = append(hits, Hit{ID: row[col["id"]], PosScore: num("pos|score"), PosFDR: num("pos|fdr"),
				PosRank: int64(num("pos|rank")), PosLFC: num("pos|lfc")})
		}
	}
	dir, err := os.MkdirTemp(in.CacheDir(), "hits-")
	if err != nil {
		return err
	}
	defer os.RemoveAll(dir)
	out := filepath.Join(dir, "hits.parquet")
	if err := writeHits(out, hits); err != nil {
		return fmt.Errorf("write hits: %w", err)
	}
	a, err := save(ctx, in, out, lamin.ArtifactOptions{Description: "hits from schmidt22 crispra GWS", Kind: "dataset"})
	if err != nil {
		return err
	}
	f.res.Hits, f.res.NHits, f.res.HitTransform = a.UID, len(hits), UIDHitIdentification
	return nil
}
