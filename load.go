package lamin

import (
	"context"
	"encoding/csv"
	"encoding/json"
	"fmt"
	"io"
	"os"
	"strings"
)

// Open returns a reader over the artifact's bytes (a file artifact) and,
// inside a run, records the artifact as an input.
func (in *Instance) Open(ctx context.Context, a *Artifact, o CacheOptions) (io.ReadCloser, error) {
	p, err := in.Cache(ctx, a, o)
	if err != nil {
		return nil, err
	}
	f, err := os.Open(p)
	if err != nil {
		return nil, notFoundf("open artifact %s: %v", a.UID, err)
	}
	if st, err := f.Stat(); err == nil && st.IsDir() {
		f.Close()
		return nil, invalidf("artifact %s is a folder; use Cache to get its path", a.UID)
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
	b, err := os.ReadFile(p)
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
