package hdf5_test

import (
	"compress/gzip"
	"errors"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/lamin-go/lamin/internal/hdf5"
)

// fixtureDir holds HDF5 files written by libhdf5 through h5py and AnnData
// (see gen.py there), which the observation counter is tested on too.
var fixtureDir = filepath.Join("..", "dataformat", "testdata", "h5ad")

// fixtures returns the names of the files in fixtureDir.
func fixtures(t testing.TB) []string {
	t.Helper()
	paths, err := filepath.Glob(filepath.Join(fixtureDir, "*.h5ad.gz"))
	if err != nil || len(paths) == 0 {
		t.Fatalf("no fixtures in %s: %v", fixtureDir, err)
	}
	names := make([]string, len(paths))
	for i, p := range paths {
		names[i] = strings.TrimSuffix(filepath.Base(p), ".h5ad.gz")
	}
	return names
}

// loadFixture returns the uncompressed content of fixture name.
func loadFixture(t testing.TB, name string) []byte {
	t.Helper()
	f, err := os.Open(filepath.Join(fixtureDir, name+".h5ad.gz"))
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	zr, err := gzip.NewReader(f)
	if err != nil {
		t.Fatal(err)
	}
	data, err := io.ReadAll(zr)
	if err != nil {
		t.Fatal(err)
	}
	return data
}

// limits are the limits files are walked with.
func limits(size int) hdf5.Limits {
	return hdf5.Limits{Reads: 1 << 16, Structure: 64 << 20, Bytes: 4*uint64(size) + 1<<20}
}

// walker visits every object reachable from the root group by hard links
// and describes what it finds, by path: "group", "soft link",
// "<type> <dims>" for datasets with their values (strings and numbers) in
// values, and attributes as "<path>@<name>". Errors of objects are kept
// by path; errors matching errors.ErrUnsupported do not stop the walk.
// Disagreements between the reader's functions, which no input may cause,
// are kept in bugs.
type walker struct {
	f      *hdf5.File
	bugs   []string
	kinds  map[string]string
	values map[string][]string
	errs   map[string]error
	seen   map[uint64]bool
}

func walk(f *hdf5.File) *walker {
	w := &walker{f: f, kinds: map[string]string{}, values: map[string][]string{}, errs: map[string]error{}, seen: map[uint64]bool{}}
	w.object("", f.Superblock.Root, 0)
	return w
}

func (w *walker) fail(path string, err error) {
	if _, ok := w.errs[path]; !ok {
		w.errs[path] = err
	}
}

func (w *walker) object(path string, addr uint64, depth int) {
	if w.seen[addr] || depth > 16 {
		return
	}
	w.seen[addr] = true
	o, err := w.f.Object(addr)
	if err != nil {
		w.fail(path, err)
		return
	}
	err = w.f.Attributes(o, func(a *hdf5.Attribute) (bool, error) {
		t, space, data, err := w.f.Value(a)
		if err == nil {
			w.kinds[path+"@"+a.Name] = fmt.Sprint(t, " ", space.Dims)
			w.values[path+"@"+a.Name], err = w.decode(t, space, data)
		}
		if err != nil && !errors.Is(err, errors.ErrUnsupported) {
			return true, fmt.Errorf("attribute %s: %w", a.Name, err)
		}
		return false, nil
	})
	if err != nil {
		w.fail(path, err)
	}
	if o.IsGroup() {
		w.kinds[path+"/"] = "group"
		first := true
		err := w.f.Links(o, func(l hdf5.Link) (bool, error) {
			if first {
				// Lookup finds what Links lists.
				if got, err := w.f.Lookup(o, l.Name); err != nil || got != l {
					w.bugs = append(w.bugs, fmt.Sprintf("%s: Links gave %v, Lookup %v, %v", path, l, got, err))
				}
				first = false
			}
			if !l.Hard() {
				w.kinds[path+"/"+l.Name] = "soft link"
				return false, nil
			}
			w.object(path+"/"+l.Name, l.Addr, depth+1)
			return false, nil
		})
		if err != nil {
			w.fail(path, err)
		}
		return
	}
	if err := w.dataset(path, o); err != nil && !errors.Is(err, errors.ErrUnsupported) {
		w.fail(path, err)
	}
}

// dataset decodes the dataset o and reads its data.
func (w *walker) dataset(path string, o *hdf5.Object) error {
	var ds hdf5.Dataset
	var err error
	for _, m := range o.Messages {
		switch m.Type {
		case hdf5.MsgDatatype:
			ds.Type, err = w.f.ParseDatatype(m.Data)
		case hdf5.MsgDataspace:
			ds.Space, err = w.f.ParseDataspace(m.Data)
		case hdf5.MsgLayout:
			ds.Layout, err = w.f.ParseLayout(m.Data)
		}
		if err != nil {
			return err
		}
	}
	if s, ok, err := w.f.Dataspace(o); err != nil || !ok {
		return fmt.Errorf("dataset without a dataspace: %v", err)
	} else if fmt.Sprint(s) != fmt.Sprint(ds.Space) {
		w.bugs = append(w.bugs, fmt.Sprintf("%s: dataspace %v, its message says %v", path, s, ds.Space))
	}
	if ds.Type == nil {
		return errors.New("dataset without a datatype")
	}
	w.kinds[path] = fmt.Sprint(ds.Type, " ", ds.Space.Dims)
	n, err := w.f.Len(&ds)
	if err != nil {
		return err
	}
	data := make([]byte, 0, uint64(n)*ds.Type.Size)
	err = w.f.Read(&ds, func(first int, b []byte) {
		if uint64(first)*ds.Type.Size != uint64(len(data)) || uint64(len(b))%ds.Type.Size != 0 {
			w.bugs = append(w.bugs, fmt.Sprintf("%s: piece of %d bytes at element %d after %d bytes", path, len(b), first, len(data)))
		}
		data = append(data, b...)
	})
	if err != nil {
		return err
	}
	if uint64(len(data)) != uint64(n)*ds.Type.Size {
		w.bugs = append(w.bugs, fmt.Sprintf("%s: read %d bytes of %d elements of %d", path, len(data), n, ds.Type.Size))
	}
	w.values[path], err = w.decode(ds.Type, ds.Space, data)
	return err
}

// decode formats the elements in data.
func (w *walker) decode(t *hdf5.Datatype, s hdf5.Dataspace, data []byte) ([]string, error) {
	n, ok := s.Count()
	if !ok || uint64(len(data)) != n*t.Size {
		return nil, fmt.Errorf("%d bytes for %v elements of %d", len(data), s, t.Size)
	}
	out := make([]string, n)
	switch {
	case t.IsString():
		return out, w.f.DecodeStrings(t, data, out)
	case t.Class == hdf5.ClassFloat:
		for i := range out {
			out[i] = fmt.Sprint(t.Float(data[uint64(i)*t.Size:]))
		}
	case t.Class == hdf5.ClassFixed:
		for i := range out {
			v, _ := t.Int(data[uint64(i)*t.Size:])
			out[i] = fmt.Sprint(v)
		}
	default:
		return nil, nil
	}
	return out, nil
}
