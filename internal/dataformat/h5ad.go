package dataformat

import (
	"context"
	"fmt"
	"io"

	"github.com/lamin-go/lamin/internal/hdf5"
)

// h5adLimits bounds the HDF5 metadata read while counting: the counter
// needs a few small structures on the way to the obs index.
var h5adLimits = hdf5.Limits{
	Reads:     1 << 16,   // structures read while resolving one path
	Structure: 64 << 20,  // largest single structure read
	Bytes:     256 << 20, // bytes read while resolving one path
}

// h5adObservations returns the number of observations of the AnnData file
// at path: the length of the obs index, that is the first dimension of the
// dataset obs/<name> where <name> is the obs group's "_index" attribute
// ("_index" when absent). Files written before AnnData 0.7 store obs as a
// compound dataset with one element per observation; its length is used.
// Files using HDF5 features the reader lacks yield an error matching
// errors.ErrUnsupported.
func h5adObservations(ctx context.Context, path string) (int64, error) {
	return countInFile(ctx, path, "reading", h5adObsCount)
}

// h5adObsCount is h5adObservations on an open file of the given size. A
// failure inside the reader (a panic) becomes an error.
func h5adObsCount(r io.ReaderAt, size int64) (n int64, err error) {
	defer func() {
		if p := recover(); p != nil {
			n, err = 0, fmt.Errorf("malformed HDF5 file (reader failure: %v)", p)
		}
	}()
	return h5adObsLen(r, size)
}

// h5adObsLen is h5adObsCount without the recover, so that a panic on some
// input fails a fuzz target instead of passing as an error.
func h5adObsLen(r io.ReaderAt, size int64) (int64, error) {
	f, err := hdf5.Open(r, size, h5adLimits)
	if err != nil {
		return 0, err
	}
	root, err := f.Object(f.Superblock.Root)
	if err != nil {
		return 0, err
	}
	obs, err := child(f, root, "obs")
	if err != nil {
		return 0, fmt.Errorf("finding obs: %w", err)
	}
	if space, ok, err := f.Dataspace(obs); err != nil {
		return 0, err
	} else if ok {
		return firstDim(space, "obs")
	}
	index := "_index"
	if v, ok, err := stringAttribute(f, obs, "_index"); err != nil {
		return 0, fmt.Errorf("reading obs attribute _index: %w", err)
	} else if ok {
		index = v
	}
	idx, err := child(f, obs, index)
	if err != nil {
		return 0, fmt.Errorf("finding obs/%s: %w", index, err)
	}
	space, ok, err := f.Dataspace(idx)
	if err != nil {
		return 0, err
	}
	if !ok {
		return 0, fmt.Errorf("obs/%s is not a dataset", index)
	}
	return firstDim(space, "obs/"+index)
}

// child reads the object that the hard link called name of group g
// points to.
func child(f *hdf5.File, g *hdf5.Object, name string) (*hdf5.Object, error) {
	l, err := f.Lookup(g, name)
	if err != nil {
		return nil, err
	}
	if !l.Hard() {
		return nil, hdf5.Unsupported("%q as a soft or external link", name)
	}
	return f.Object(l.Addr)
}

func firstDim(s hdf5.Dataspace, name string) (int64, error) {
	if len(s.Dims) == 0 {
		return 0, fmt.Errorf("%s is a scalar", name)
	}
	if s.Dims[0] > 1<<62 {
		return 0, fmt.Errorf("%s has implausible length %d", name, s.Dims[0])
	}
	return int64(s.Dims[0]), nil
}

// stringAttribute returns the value of the attribute called name of o,
// which must hold a single string; ok is false when there is no such
// attribute.
func stringAttribute(f *hdf5.File, o *hdf5.Object, name string) (string, bool, error) {
	a, ok, err := f.Attribute(o, name)
	if err != nil || !ok {
		return "", false, err
	}
	t, space, data, err := f.Value(a)
	if err != nil {
		return "", false, err
	}
	for _, n := range space.Dims {
		if n != 1 {
			return "", false, fmt.Errorf("attribute %q is not a single value", name)
		}
	}
	if space.Null {
		return "", false, fmt.Errorf("attribute %q is empty", name)
	}
	out := make([]string, 1)
	if err := f.DecodeStrings(t, data, out); err != nil {
		return "", false, fmt.Errorf("attribute %q: %w", name, err)
	}
	return out[0], true, nil
}
