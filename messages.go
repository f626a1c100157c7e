package lamin

import (
	"fmt"
	"io"
	"sync"

	"github.com/lamin-go/lamin/internal/termtext"
)

// Messages prints human messages with LaminDB's markers: → important,
// • hint, ! warning, ✓ success. A nil *Messages prints nothing. It is safe
// for concurrent use (one instance may serve many requests, or several
// instances one writer): each message is written whole.
type Messages struct {
	mu sync.Mutex
	w  io.Writer
}

// NewMessages prints to w (normally stderr).
func NewMessages(w io.Writer) *Messages { return &Messages{w: w} }

func (m *Messages) say(marker, format string, args []any) {
	if m == nil || m.w == nil {
		return
	}
	// Records' text (a description, a key) must not steer the terminal.
	line := marker + " " + termtext.Line(fmt.Sprintf(format, args...)) + "\n"
	m.mu.Lock()
	defer m.mu.Unlock()
	io.WriteString(m.w, line)
}

// Important prints a "→" line.
func (m *Messages) Important(format string, args ...any) { m.say("→", format, args) }

// Hint prints a "•" line.
func (m *Messages) Hint(format string, args ...any) { m.say("•", format, args) }

// Warn prints a "!" line.
func (m *Messages) Warn(format string, args ...any) { m.say("!", format, args) }

// Success prints a "✓" line.
func (m *Messages) Success(format string, args ...any) { m.say("✓", format, args) }
