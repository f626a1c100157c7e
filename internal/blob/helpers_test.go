package blob

import (
	"strings"
	"testing"
	"unicode/utf8"
)

func TestTempPattern(t *testing.T) {
	tests := []struct {
		name string
		base string
		want string
	}{
		{"a short name is kept", "dst.bin", ".dst.bin.tmp-*"},
		{"a long name is shortened", strings.Repeat("a", 255), "." + strings.Repeat("a", 200) + ".tmp-*"},
		{"a long name is cut at a rune boundary", "a" + strings.Repeat("é", 120), "." + "a" + strings.Repeat("é", 99) + ".tmp-*"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got := TempPattern(tt.base)
			if got != tt.want {
				t.Fatalf("tempPattern = %q, want %q", got, tt.want)
			}
			if !utf8.ValidString(got) {
				t.Fatalf("tempPattern returned invalid UTF-8")
			}
		})
	}
}
