package blob

import (
	"errors"
	"strings"
	"testing"
)

func TestValidKey(t *testing.T) {
	long := func(n int) string { return strings.Repeat("k", n) }
	tests := []struct {
		name    string
		key     string
		wantErr string // substring of the error; "" means valid
	}{
		{"a simple key is valid", "a", ""},
		{"a nested key is valid", "a/b/c.txt", ""},
		{"dots inside segments are valid", "a..b/...", ""},
		{"a hidden segment is valid", ".hidden/x", ""},
		{"unicode is valid", "ключ/数据", ""},
		{"a literal replacement character is valid", "a\uFFFDb", ""},
		{"a 255-byte segment is valid", long(255), ""},
		{"a 1024-byte key is valid", long(255) + "/" + long(255) + "/" + long(255) + "/" + long(254) + "/" + long(1), ""},
		{"the empty key is invalid", "", "empty"},
		{"an absolute key is invalid", "/x", "leading slash"},
		{"a parent segment is invalid", "a/../b", `segment 2 is ".."`},
		{"a dot segment is invalid", "./a", `segment 1 is "."`},
		{"an empty segment is invalid", "a//b", "empty segment 2"},
		{"a trailing slash is invalid", "a/b/", "trailing slash"},
		{"a backslash is invalid", `a\b`, "backslash at byte 1"},
		{"a NUL byte is invalid", "ab\x00", "NUL byte at byte 2"},
		{"a newline is invalid", "a\nb", `control character '\n' at byte 1`},
		{"a DEL is invalid", "a\x7f", "control character"},
		{"invalid UTF-8 is invalid", "a\xc3", "invalid UTF-8 at byte 1"},
		{"a 256-byte segment is invalid", "a/" + long(256), "segment 2 is 256 bytes long, limit is 255"},
		{"a 1025-byte key is invalid", long(255) + "/" + long(255) + "/" + long(255) + "/" + long(255) + "/" + long(1), "1025 bytes long, limit is 1024"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			err := ValidKey(tt.key)
			if tt.wantErr == "" {
				if err != nil {
					t.Fatalf("ValidKey(%q) = %v, want nil", tt.key, err)
				}
				return
			}
			if !errors.Is(err, ErrInvalidKey) {
				t.Fatalf("ValidKey(%q) = %v, want ErrInvalidKey", tt.key, err)
			}
			msg := err.Error()
			if !strings.Contains(msg, tt.wantErr) {
				t.Errorf("error %q does not mention %q", msg, tt.wantErr)
			}
			if strings.ContainsAny(msg, "\n\r") {
				t.Errorf("error %q spans several lines", msg)
			}
			if !strings.HasPrefix(msg, "invalid key ") {
				t.Errorf("error %q does not start with %q", msg, "invalid key ")
			}
			if len(msg) > 200 {
				t.Errorf("error is %d bytes long, want a short message", len(msg))
			}
		})
	}
}

func TestValidKeyErrorNamesTheKey(t *testing.T) {
	tests := []struct {
		name, key, want string
	}{
		{"a short key is quoted in full", "a//b", `"a//b"`},
		{"a long key is shortened with its length", strings.Repeat("x", 2000), `... (2000 bytes)`},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			err := ValidKey(tt.key)
			if err == nil || !strings.Contains(err.Error(), tt.want) {
				t.Fatalf("ValidKey error = %v, want it to contain %s", err, tt.want)
			}
		})
	}
}

func TestValidPrefix(t *testing.T) {
	tests := []struct {
		name   string
		prefix string
		valid  bool
	}{
		{"the empty prefix is valid", "", true},
		{"a partial segment is valid", "fig", true},
		{"a trailing slash is valid", "figures/", true},
		{"a trailing dot is valid", "a/.", true},
		{"a trailing double dot is valid", "..", true},
		{"a lone slash is invalid", "/", false},
		{"an absolute prefix is invalid", "/a", false},
		{"a parent segment before the end is invalid", "../a", false},
		{"an empty segment is invalid", "a//", false},
		{"a backslash is invalid", `a\`, false},
		{"a newline is invalid", "a\n", false},
		{"a 256-byte partial segment is invalid", strings.Repeat("p", 256), false},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			err := ValidPrefix(tt.prefix)
			if tt.valid && err != nil {
				t.Fatalf("ValidPrefix(%q) = %v, want nil", tt.prefix, err)
			}
			if !tt.valid && !errors.Is(err, ErrInvalidKey) {
				t.Fatalf("ValidPrefix(%q) = %v, want ErrInvalidKey", tt.prefix, err)
			}
		})
	}
}
