package capture

import (
	"bytes"
	"errors"
	"strings"
	"testing"
)

// countingWriter records what is written and how many Write calls it got.
type countingWriter struct {
	bytes.Buffer
	calls int
}

func (w *countingWriter) Write(p []byte) (int, error) {
	w.calls++
	return w.Buffer.Write(p)
}

// failWriter fails every write.
type failWriter struct{ err error }

func (w failWriter) Write([]byte) (int, error) { return 0, w.err }

func TestLogWriterCollapsesCarriageReturns(t *testing.T) {
	tests := []struct {
		name   string
		chunks []string
		want   string
	}{
		{"lines without carriage returns pass unchanged", []string{"a\nb\n"}, "a\nb\n"},
		{"empty lines are kept", []string{"\n\n"}, "\n\n"},
		{"a carriage return keeps only the text after it", []string{"a\rb\rc\n"}, "c\n"},
		{"a carriage return split across chunks keeps the last segment", []string{"ab\r", "cd\n"}, "cd\n"},
		{"CRLF is a plain line ending", []string{"x\r\n"}, "x\n"},
		{"CR and LF in separate chunks are a plain line ending", []string{"x\r", "\n"}, "x\n"},
		{"repeated carriage returns before a newline still end the line", []string{"abc\r\r\n"}, "abc\n"},
		{"progress updates collapse to the final one", []string{"\r10%", "\r50%", "\r100%\n"}, "100%\n"},
		{"collapsing applies to each line on its own", []string{"a\r\nb\rc\nd\n"}, "a\nc\nd\n"},
		{"a partial last line is written on close", []string{"a\nb"}, "a\nb"},
		{"a trailing carriage return at close keeps the text", []string{"abc\r"}, "abc"},
		{"nothing written gives an empty log", nil, ""},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			for _, mode := range []string{"in chunks", "byte by byte"} {
				chunks := tt.chunks
				if mode == "byte by byte" {
					chunks = strings.Split(strings.Join(tt.chunks, ""), "")
				}
				var buf bytes.Buffer
				w := NewLogWriter(&buf)
				for _, c := range chunks {
					if n, err := w.Write([]byte(c)); err != nil || n != len(c) {
						t.Fatalf("%s: Write(%q) = %d, %v", mode, c, n, err)
					}
				}
				if err := w.Close(); err != nil {
					t.Fatalf("%s: Close: %v", mode, err)
				}
				if got := buf.String(); got != tt.want {
					t.Errorf("%s: log = %q, want %q", mode, got, tt.want)
				}
			}
		})
	}
}

func TestLogWriterStreaming(t *testing.T) {
	t.Run("completed lines are written before close", func(t *testing.T) {
		var w countingWriter
		lw := NewLogWriter(&w)
		lw.Write([]byte("one\ntwo\nthr"))
		if got := w.String(); got != "one\ntwo\n" {
			t.Errorf("before Close: %q, want %q", got, "one\ntwo\n")
		}
		if w.calls != 1 {
			t.Errorf("one Write completing two lines made %d writes, want 1", w.calls)
		}
		lw.Close()
		if got := w.String(); got != "one\ntwo\nthr" {
			t.Errorf("after Close: %q", got)
		}
	})
	t.Run("a very long unterminated line is written out before close", func(t *testing.T) {
		var w countingWriter
		lw := NewLogWriter(&w)
		long := strings.Repeat("x", 2*maxPendingLine)
		lw.Write([]byte(long))
		if w.Len() != len(long) {
			t.Errorf("wrote %d bytes before Close, want %d", w.Len(), len(long))
		}
		lw.Write([]byte("y\n"))
		lw.Close()
		if w.String() != long+"y\n" {
			t.Errorf("log does not hold the whole line")
		}
	})
	t.Run("an error from the underlying writer is returned and kept", func(t *testing.T) {
		boom := errors.New("disk full")
		lw := NewLogWriter(failWriter{boom})
		if _, err := lw.Write([]byte("a\n")); !errors.Is(err, boom) {
			t.Errorf("first Write error = %v, want %v", err, boom)
		}
		if _, err := lw.Write([]byte("b")); !errors.Is(err, boom) {
			t.Errorf("second Write error = %v, want %v", err, boom)
		}
		if err := lw.Close(); !errors.Is(err, boom) {
			t.Errorf("Close error = %v, want %v", err, boom)
		}
	})
	t.Run("writing after close fails", func(t *testing.T) {
		lw := NewLogWriter(&bytes.Buffer{})
		lw.Close()
		if _, err := lw.Write([]byte("late")); err == nil {
			t.Error("Write after Close succeeded")
		}
		if err := lw.Close(); err != nil {
			t.Errorf("second Close: %v", err)
		}
	})
}
