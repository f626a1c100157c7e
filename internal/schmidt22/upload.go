package schmidt22

import (
	"context"

	"github.com/lamin-go/lamin"
)

// upload mimics testuser1 dropping the screen's results into the storage
// root through an app: the file is registered in place, without a run, so
// lamin warns that no run & transform got linked.
func (f *flow) upload(ctx context.Context) error {
	in, err := f.as(ctx, "testuser1")
	if err != nil {
		return err
	}
	defer in.Close()
	path := f.path("schmidt22-crispra-gws-IFNG.csv")
	if f.genes, f.screen, err = WriteScreen(path, f.cfg.Hits); err != nil {
		return err
	}
	a, err := f.register(ctx, in, "schmidt22-crispra-gws-IFNG.csv", lamin.ArtifactOptions{Description: "Raw data of schmidt22 crispra GWS"})
	if err != nil {
		return err
	}
	f.res.RawCSV = a.UID
	return nil
}
