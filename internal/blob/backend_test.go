package blob

import (
	"errors"
	"io/fs"
	"testing"
)

func TestCutSchemeSplitsURLsAndLeavesPathsAlone(t *testing.T) {
	tests := []struct {
		loc, scheme, rest string
		ok                bool
	}{
		{"s3://bucket/prefix", "s3", "bucket/prefix", true},
		{"file:///data", "file", "/data", true},
		{"gs://b", "gs", "b", true},
		{"git+ssh://host/x", "git+ssh", "host/x", true},
		{"/data/project", "", "/data/project", false},
		{"relative/a://b", "", "relative/a://b", false},
		{"://x", "", "://x", false},
		{"3s://x", "", "3s://x", false},
		{"C:\\data", "", "C:\\data", false},
	}
	for _, tt := range tests {
		scheme, rest, ok := CutScheme(tt.loc)
		if scheme != tt.scheme || rest != tt.rest || ok != tt.ok {
			t.Errorf("CutScheme(%q) = %q, %q, %v; want %q, %q, %v", tt.loc, scheme, rest, ok, tt.scheme, tt.rest, tt.ok)
		}
	}
}

func TestInvalidRootKeepsTheMessageAndTheCause(t *testing.T) {
	if InvalidRoot(nil) != nil {
		t.Fatal("InvalidRoot(nil) != nil")
	}
	err := InvalidRoot(fs.ErrNotExist)
	if err.Error() != fs.ErrNotExist.Error() || !errors.Is(err, ErrInvalidRoot) || !errors.Is(err, fs.ErrNotExist) {
		t.Errorf("InvalidRoot(fs.ErrNotExist) = %q; want the same message, matching both errors", err)
	}
}
