package capture

import (
	"bytes"
	"errors"
	"io"
)

// maxPendingLine bounds the memory held for one unterminated line. A longer
// line is written out as is and the rest of it continues in the log; the
// carriage-return rule then applies only to the part that follows.
const maxPendingLine = 64 << 10

// errLogWriterClosed is returned by writes after Close.
var errLogWriterClosed = errors.New("capture: write to closed log writer")

// logWriter implements the carriage-return collapsing described at
// NewLogWriter.
type logWriter struct {
	w         io.Writer
	line      []byte // text of the current line since its last effective '\r'
	pendingCR bool   // the last byte seen was '\r' (possibly part of "\r\n")
	out       []byte // completed lines of the current Write, sent in one call
	err       error  // first error from w, or errLogWriterClosed
}

// NewLogWriter returns a writer that copies text to w with carriage-return
// progress lines collapsed, the way LaminDB stores run logs: within a line
// terminated by '\n', only the text after the last '\r' is kept, so
// "10%\r50%\r100%\n" is logged as "100%\n". A '\r' discards the text before
// it only when more text follows on the same line, so "abc\r\n" is logged
// as "abc\n" and a final "abc\r" without a newline as "abc".
//
// The writer holds only the current incomplete line; every Write passes the
// lines it completes to w in a single call, so concurrent writers sharing a
// synchronised w never interleave within a line. Close writes the last
// partial line, if any, without adding a newline; it does not close w.
// After an error from w, Write and Close keep returning that error.
func NewLogWriter(w io.Writer) io.WriteCloser {
	return &logWriter{w: w}
}

// Write collapses p into the current line and writes completed lines to
// the underlying writer. It always consumes all of p.
func (l *logWriter) Write(p []byte) (int, error) {
	if l.err != nil {
		return 0, l.err
	}
	n := len(p)
	for len(p) > 0 {
		i := bytes.IndexAny(p, "\r\n")
		if i < 0 {
			l.appendText(p)
			break
		}
		l.appendText(p[:i])
		if p[i] == '\n' {
			l.out = append(l.out, l.line...)
			l.out = append(l.out, '\n')
			l.line = l.line[:0]
			l.pendingCR = false
		} else {
			l.pendingCR = true
		}
		p = p[i+1:]
	}
	if len(l.line) > maxPendingLine {
		l.out = append(l.out, l.line...)
		l.line = l.line[:0]
	}
	return n, l.flushOut()
}

// appendText adds text without line breaks to the current line, first
// dropping what a preceding '\r' overwrote.
func (l *logWriter) appendText(b []byte) {
	if len(b) == 0 {
		return
	}
	if l.pendingCR {
		l.line = l.line[:0]
		l.pendingCR = false
	}
	l.line = append(l.line, b...)
}

// flushOut writes the completed lines collected by Write.
func (l *logWriter) flushOut() error {
	if len(l.out) == 0 {
		return nil
	}
	_, err := l.w.Write(l.out)
	l.out = l.out[:0]
	if err != nil {
		l.err = err
	}
	return err
}

// Close writes the last partial line. Further writes fail.
func (l *logWriter) Close() error {
	if l.err != nil {
		if l.err == errLogWriterClosed {
			return nil
		}
		return l.err
	}
	l.out = append(l.out, l.line...)
	l.line = nil
	l.pendingCR = false
	if err := l.flushOut(); err != nil {
		return err
	}
	l.err = errLogWriterClosed
	return nil
}
