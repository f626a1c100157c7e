package s3

import (
	"context"
	"sync"

	"github.com/lamin-go/lamin/internal/blob"
)

// PutFilesFrom uploads many local files, 4×Concurrency at a time
// (each object is written atomically by S3). After the first error no
// further upload starts, those in flight finish, and the objects of the
// batch that did arrive are deleted, so the batch is all or nothing.
func (s *Store) PutFilesFrom(ctx context.Context, items []blob.FileItem) error {
	jobs := make(chan int)
	var mu sync.Mutex
	var first error
	// After the first failure no new upload starts, but those in flight
	// run to their end: a PUT cancelled mid-request may still complete on
	// the server after the cleanup below has deleted its key.
	fail := func(err error) {
		mu.Lock()
		defer mu.Unlock()
		if first == nil {
			first = err
		}
	}
	failed := func() bool {
		mu.Lock()
		defer mu.Unlock()
		return first != nil
	}
	// started marks every upload attempted, so cleanup deletes all of them.
	started := make([]bool, len(items))
	var wg sync.WaitGroup
	for w := 0; w < 4*max(s.cfg.Concurrency, 1); w++ {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for i := range jobs {
				mu.Lock()
				started[i] = true
				mu.Unlock()
				if _, err := s.PutFileFrom(ctx, items[i].Key, items[i].Path); err != nil {
					fail(err)
				}
			}
		}()
	}
	for i := range items {
		if err := ctx.Err(); err != nil {
			fail(err)
		}
		if failed() {
			break
		}
		jobs <- i
	}
	close(jobs)
	wg.Wait()
	if first == nil {
		return nil
	}
	cleanup := context.WithoutCancel(ctx)
	for i, ok := range started {
		if ok {
			_ = s.Delete(cleanup, items[i].Key)
		}
	}
	return first
}
