package schmidt22

import (
	"context"

	"github.com/lamin-go/lamin"
)

// review is testuser1 looking at the results: the matrixplot figure is
// found by key and cached, which records it as an input of the review run.
func (f *flow) review(ctx context.Context) error {
	in, err := f.as(ctx, "testuser1")
	if err != nil {
		return err
	}
	defer in.Close()
	run, err := in.Track(ctx, lamin.TrackOptions{PID: leftOpen, TransformSpec: lamin.TransformSpec{
		UID: UIDReview, Key: "schmidt22.ipynb", Type: lamin.TypeNotebook,
		Description: "Trace data & code in a project: Schmidt _et al._ (2022)", Source: source("review.go")}})
	if err != nil {
		return err
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
