package termtext

import (
	"bytes"
	"testing"
)

func TestLineEscapesEveryControlCharacter(t *testing.T) {
	for in, want := range map[string]string{
		"plain text, ünïcode ✓": "plain text, ünïcode ✓",
		"\x1b]0;owned\x07":      `\x1b]0;owned\a`,
		"\x1b[2J\x1b[H":         `\x1b[2J\x1b[H`,
		"ok\rFAKE":              `ok\rFAKE`,
		"two\nlines\ttab":       `two\nlines\ttab`,
		"del\x7f c1\u009b31m":   `del\x7f c1\u009b31m`,
		"bad \xff\x9b utf8":     `bad \xff\x9b utf8`,
		"\x00nul":               `\x00nul`,
	} {
		if got := Line(in); got != want {
			t.Errorf("Line(%q) = %q, want %q", in, got, want)
		}
	}
}

func TestTextKeepsNewlinesAndTabs(t *testing.T) {
	if got, want := Text("a\tb\nc\x1b[31m"), "a\tb\nc\\x1b[31m"; got != want {
		t.Errorf("Text = %q, want %q", got, want)
	}
}

func TestWriterEscapesAcrossSplitWrites(t *testing.T) {
	var out bytes.Buffer
	w := NewWriter(&out)
	in := []byte("ü\x1b[2J✓\n")
	for i := range in {
		if n, err := w.Write(in[i : i+1]); n != 1 || err != nil {
			t.Fatalf("write: %d %v", n, err)
		}
	}
	if err := w.Flush(); err != nil {
		t.Fatal(err)
	}
	if got, want := out.String(), "ü\\x1b[2J✓\n"; got != want {
		t.Errorf("got %q, want %q", got, want)
	}
}

func FuzzLineLeavesNoControlCharacter(f *testing.F) {
	f.Add("\x1b]0;t\x07\r\n\u009b")
	f.Fuzz(func(t *testing.T, s string) {
		for _, r := range Line(s) {
			if needsEscape(r) || r == 0xfffd && !bytes.ContainsRune([]byte(s), 0xfffd) {
				t.Fatalf("Line(%q) keeps %q", s, r)
			}
		}
	})
}
