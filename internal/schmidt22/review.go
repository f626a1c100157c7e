package schmidt22

import (
	"context"

	"github.com/lamin-go/lamin"
)

// review is testuser1 looking at the results: the matrixplot figure is
// found by key and cached, which records it as an input of the review run.
// With python3 and jupyter nbconvert, schmidt22.ipynb does this inside
// the run.
func (f *flow) review(ctx context.Context) error {
	in, err := f.as(ctx, "testuser1")
	if err != nil {
		return err
	}
	defer in.Close()
	spec, err := f.notebook(UIDReview, "schmidt22.ipynb")
	if err != nil {
		return err
	}
	run, err := in.Track(ctx, lamin.TrackOptions{PID: leftOpen, TransformSpec: spec})
	if err != nil {
		return err
	}
	if f.realNotebook() {
		if err := f.runNotebook(ctx, run, "schmidt22.ipynb"); err != nil {
			return err
		}
		f.res.ReviewRun = run.UID
		return nil
	}
	fig, err := in.FindArtifact(ctx, []string{"key__contains=figures/matrixplot"})
	if err != nil {
		return err
	}
	if _, err := in.Cache(ctx, fig, lamin.CacheOptions{}); err != nil {
		return err
	}
	f.res.ReviewRun = run.UID
	return nil
}
