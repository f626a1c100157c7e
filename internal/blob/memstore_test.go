package blob_test

import (
	"bytes"
	"context"
	"fmt"
	"io"
	"slices"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/lamin-go/lamin/internal/blob"
	"github.com/lamin-go/lamin/internal/blob/blobtest"
)

// memStore is a minimal in-memory blob.Store. Running the conformance
// suite against it as well as against the local backend checks that the
// suite assumes nothing file-system specific.
type memStore struct {
	mu   sync.Mutex
	objs map[string]memObj
}

type memObj struct {
	data    []byte
	modTime time.Time
}

func (m *memStore) Put(ctx context.Context, key string, r io.Reader, size int64) (blob.Info, error) {
	if err := blob.ValidKey(key); err != nil {
		return blob.Info{}, err
	}
	var buf bytes.Buffer
	src := blob.ContextReader(ctx, r)
	if size >= 0 {
		src = io.LimitReader(src, size+1)
	}
	if _, err := io.Copy(&buf, src); err != nil {
		return blob.Info{}, fmt.Errorf("put %s: %w", key, err)
	}
	if size >= 0 && int64(buf.Len()) != size {
		return blob.Info{}, fmt.Errorf("put %s: size mismatch", key)
	}
	if err := ctx.Err(); err != nil {
		return blob.Info{}, fmt.Errorf("put %s: %w", key, err)
	}
	obj := memObj{data: buf.Bytes(), modTime: time.Now()}
	m.mu.Lock()
	m.objs[key] = obj
	m.mu.Unlock()
	return blob.Info{Key: key, Size: int64(len(obj.data)), ModTime: obj.modTime}, nil
}

func (m *memStore) get(op, key string) (memObj, error) {
	if err := blob.ValidKey(key); err != nil {
		return memObj{}, err
	}
	m.mu.Lock()
	defer m.mu.Unlock()
	obj, ok := m.objs[key]
	if !ok {
		return memObj{}, fmt.Errorf("%s %s: %w", op, key, blob.ErrNotFound)
	}
	return obj, nil
}

func (m *memStore) Open(ctx context.Context, key string) (io.ReadCloser, error) {
	obj, err := m.get("open", key)
	if err != nil {
		return nil, err
	}
	return io.NopCloser(bytes.NewReader(obj.data)), nil
}

func (m *memStore) Stat(ctx context.Context, key string) (blob.Info, error) {
	obj, err := m.get("stat", key)
	if err != nil {
		return blob.Info{}, err
	}
	return blob.Info{Key: key, Size: int64(len(obj.data)), ModTime: obj.modTime}, nil
}

func (m *memStore) List(ctx context.Context, prefix string, fn func(blob.Info) error) error {
	if err := blob.ValidPrefix(prefix); err != nil {
		return err
	}
	m.mu.Lock()
	var infos []blob.Info
	for k, obj := range m.objs {
		if strings.HasPrefix(k, prefix) {
			infos = append(infos, blob.Info{Key: k, Size: int64(len(obj.data)), ModTime: obj.modTime})
		}
	}
	m.mu.Unlock()
	slices.SortFunc(infos, func(a, b blob.Info) int { return strings.Compare(a.Key, b.Key) })
	for _, info := range infos {
		if err := fn(info); err != nil {
			return err
		}
	}
	return nil
}

func (m *memStore) Delete(ctx context.Context, key string) error {
	if err := blob.ValidKey(key); err != nil {
		return err
	}
	m.mu.Lock()
	delete(m.objs, key)
	m.mu.Unlock()
	return nil
}

func TestConformanceOfTheInMemoryStore(t *testing.T) {
	blobtest.Run(t, func(t *testing.T) blob.Store {
		return &memStore{objs: map[string]memObj{}}
	})
}
