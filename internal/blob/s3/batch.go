package s3

import (
	"context"
	"sync"

	"github.com/lamin-go/lamin/internal/blob"
)

// PutFilesFrom uploads many local files, 4×Concurrency at a time
// (each object is written atomically by S3). On the first error the
// remaining uploads are cancelled and the objects of the batch that did
// arrive are deleted, so the batch is all or nothing.
func (s *Store) PutFilesFrom(ctx context.Context, items []blob.FileItem) error {
	ctx, cancel := context.WithCancel(ctx)
	defer cancel()
	jobs := make(chan int)
	var mu sync.Mutex
	var first error
	// started marks every upload attempted: a cancelled PUT may still
	// have completed on the server, so cleanup deletes all of them.
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
				_, err := s.PutFileFrom(ctx, items[i].Key, items[i].Path)
				mu.Lock()
				if err != nil && first == nil {
					first = err
					cancel()
				}
				mu.Unlock()
			}
		}()
	}
	for i := range items {
		if ctx.Err() != nil {
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
