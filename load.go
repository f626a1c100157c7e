package lamin

import (
	"context"
	"encoding/csv"
	"encoding/json"
	"fmt"
	"io"
	"os"
	"strings"
	"syscall"
)

// Open returns a reader (an *os.File) over the artifact's bytes (a file
// artifact), checked against the record as Cache checks them, and, inside
// a run, records the artifact as an input.
func (in *Instance) Open(ctx context.Context, a *Artifact, o CacheOptions) (io.ReadCloser, error) {
	p, err := in.Cache(ctx, a, o)
	if err != nil {
		return nil, err
	}
	f, err := in.openVerified(a, p)
	if err != nil {
		return nil, err
	}
	if st, err := f.Stat(); err == nil && st.IsDir() {
		f.Close()
		return nil, invalidf("artifact %s is a folder; use Cache to get its path", a.UID)
	}
	return f, nil
}

// openVerified opens the file Cache returned and checks the open file
// again, so a file swapped between the check and the open is refused: a
// local path must still resolve inside the storage root (the last step is
// opened without following links) and the open file must have the
// recorded size.
func (in *Instance) openVerified(a *Artifact, p string) (*os.File, error) {
	flags := os.O_RDONLY
	if in.caps().LocalPath {
		resolved, ok, err := in.insideRoot(p)
		if err != nil {
			return nil, notFoundf("open artifact %s: %v", a.UID, err)
		}
		if !ok {
			return nil, &userError{cat: ErrPermission, msg: fmt.Sprintf(
				"artifact %s: %s %s (it points to %s); refusing to read it: restore the original file or re-save it", a.UID, p, errOutsideRoot, resolved)}
		}
		p, flags = resolved, flags|syscall.O_NOFOLLOW
	}
	f, err := os.OpenFile(p, flags, 0)
	if err != nil {
		return nil, notFoundf("open artifact %s: %v", a.UID, err)
	}
	st, err := f.Stat()
	if err != nil {
		f.Close()
		return nil, fmt.Errorf("open artifact %s: %w", a.UID, err)
	}
	if !st.IsDir() && a.Size != nil && a.NFiles == nil && st.Size() != *a.Size {
		f.Close()
		return nil, modifiedf(&a.Artifact, p, fmt.Sprintf("it has %d bytes, the record says %d", st.Size(), *a.Size))
	}
	return f, nil
}

// Loaded is an artifact's content parsed by suffix.
type Loaded struct {
	// Path is the local file the content was read from.
	Path string
	// Records holds the rows of a CSV or TSV file, header first.
	Records [][]string
	// JSON holds a decoded .json file.
	JSON any
	// Text holds a .txt file.
	Text string
}

// Load reads the artifact and parses it by suffix (.csv, .tsv, .json,
// .txt) and, inside a run, records it as an input. Other suffixes are an
// error pointing to Cache.
func (in *Instance) Load(ctx context.Context, a *Artifact, o CacheOptions) (*Loaded, error) {
	switch a.Suffix {
	case ".csv", ".tsv", ".json", ".txt":
	default:
		return nil, invalidf("There is no loader for %s files. Use Cache to get the path.", suffixOrNone(a.Suffix))
	}
	p, err := in.Cache(ctx, a, o)
	if err != nil {
		return nil, err
	}
	f, err := in.openVerified(a, p)
	if err != nil {
		return nil, err
	}
	b, err := io.ReadAll(f)
	f.Close()
	if err != nil {
		return nil, notFoundf("read artifact %s: %v", a.UID, err)
	}
	l := &Loaded{Path: p}
	switch a.Suffix {
	case ".csv", ".tsv":
		r := csv.NewReader(strings.NewReader(string(b)))
		if a.Suffix == ".tsv" {
			r.Comma = '\t'
		}
		r.FieldsPerRecord = -1
		if l.Records, err = r.ReadAll(); err != nil {
			return nil, invalidf("parse %s: %v", p, err)
		}
	case ".json":
		if err := json.Unmarshal(b, &l.JSON); err != nil {
			return nil, invalidf("parse %s: %v", p, err)
		}
	case ".txt":
		l.Text = string(b)
	}
	return l, nil
}

func suffixOrNone(s string) string {
	if s == "" {
		return fmt.Sprintf("%q", s)
	}
	return s
}
