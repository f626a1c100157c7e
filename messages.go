package lamin

import (
	"fmt"
	"io"
)

// Messages prints human messages with LaminDB's markers: → important,
// • hint, ! warning, ✓ success. A nil *Messages prints nothing.
type Messages struct {
	w io.Writer
}

// NewMessages prints to w (normally stderr).
func NewMessages(w io.Writer) *Messages { return &Messages{w: w} }

func (m *Messages) say(marker, format string, args []any) {
	if m == nil || m.w == nil {
		return
	}
	fmt.Fprintf(m.w, marker+" "+format+"\n", args...)
}

// Important prints a "→" line.
func (m *Messages) Important(format string, args ...any) { m.say("→", format, args) }

// Hint prints a "•" line.
func (m *Messages) Hint(format string, args ...any) { m.say("•", format, args) }

// Warn prints a "!" line.
func (m *Messages) Warn(format string, args ...any) { m.say("!", format, args) }

// Success prints a "✓" line.
func (m *Messages) Success(format string, args ...any) { m.say("✓", format, args) }
