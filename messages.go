package lamin

import (
	"fmt"
	"io"
	"strings"
	"sync"

	"github.com/lamin-go/lamin/internal/termtext"
	"github.com/lamin-go/lamin/record"
)

// Voice is the vocabulary of messages: the words that name actions and
// records. Only the messages in the catalogue below depend on it.
type Voice int

const (
	// VoiceLaminDB words messages as LaminDB prints them for SDK users:
	// Python calls such as ln.track() and save(), integer ids, full
	// record reprs. It is the default.
	VoiceLaminDB Voice = iota
	// VoiceCLI words messages for the command line: lamin commands and
	// flags, and uids where LaminDB prints integer ids.
	VoiceCLI
)

// Messages prints human messages with LaminDB's markers: → important,
// • hint, ! warning, ✓ success. A nil *Messages prints nothing. It is safe
// for concurrent use (one instance may serve many requests, or several
// instances one writer): each message is written whole.
type Messages struct {
	mu    sync.Mutex
	w     io.Writer
	voice Voice
}

// NewMessages prints to w (normally stderr) in LaminDB's words.
func NewMessages(w io.Writer) *Messages { return &Messages{w: w} }

// NewCLIMessages prints to w in the command line's words (VoiceCLI).
func NewCLIMessages(w io.Writer) *Messages { return &Messages{w: w, voice: VoiceCLI} }

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

// cli reports whether m speaks the command line's words.
func (m *Messages) cli() bool { return m != nil && m.voice == VoiceCLI }

// The catalogue: every message whose words depend on the voice, each
// written once with LaminDB's wording first and the command line's second.

// artifact names an artifact inside a message: LaminDB's repr, or for the
// command line the same without the integer ids of related records.
func (m *Messages) artifact(a *record.Artifact) string {
	if !m.cli() {
		return ArtifactRepr(a)
	}
	return withoutIDs(ArtifactRepr(a))
}

// withoutIDs drops the "<field>_id=<n>" parts of a repr.
func withoutIDs(repr string) string {
	open := strings.IndexByte(repr, '(')
	if open < 0 || !strings.HasSuffix(repr, ")") {
		return repr
	}
	var kept []string
	for _, part := range strings.Split(repr[open+1:len(repr)-1], ", ") {
		if name, _, _ := strings.Cut(part, "="); !strings.HasSuffix(name, "_id") {
			kept = append(kept, part)
		}
	}
	return repr[:open+1] + strings.Join(kept, ", ") + ")"
}

// noRunLinked warns that new artifacts belong to no run.
func (m *Messages) noRunLinked() {
	if m.cli() {
		m.Warn("no run & transform got linked, call `lamin run` or `lamin track` & re-run")
		return
	}
	m.Warn("no run & transform got linked, call `ln.track()` & re-run")
}

// inputNotTracked warns that an artifact read outside any run is no input.
func (m *Messages) inputNotTracked() {
	if m.cli() {
		m.Warn("run input wasn't tracked, call `lamin run` or `lamin track` and re-run")
		return
	}
	m.Warn("run input wasn't tracked, call `ln.track()` and re-run")
}

// inputOnRequest says how to record an input when automatic tracking is off.
func (m *Messages) inputOnRequest() {
	if m.cli() {
		m.Hint("track these data as a run input by passing `--is-run-input`")
		return
	}
	m.Hint("track these data as a run input by passing `is_run_input=True`")
}

// inputsAdded reports artifacts linked as inputs of run, and the
// transforms that made them.
func (m *Messages) inputsAdded(arts []*record.Artifact, run *record.Run, parents []*record.Transform) {
	var list, parentList []string
	for _, a := range arts {
		list = append(list, pick(m.cli(), fmt.Sprint(a.ID), a.UID))
	}
	for _, t := range parents {
		parentList = append(parentList, pick(m.cli(), fmt.Sprint(t.ID), t.UID))
	}
	var text string
	if m.cli() {
		text = fmt.Sprintf("adding %s %s as %s of run %s", plural(len(arts), "artifact", "artifacts"), strings.Join(list, ", "),
			plural(len(arts), "input", "inputs"), run.UID)
	} else {
		text = fmt.Sprintf("adding artifact ids [%s] as inputs for run %d", strings.Join(list, ", "), run.ID)
	}
	if len(parentList) > 0 {
		text += ", adding parent transform " + strings.Join(parentList, ", ")
	}
	m.Hint("%s", text)
}

// willCopy says where a new artifact's bytes will be copied on save.
func (m *Messages) willCopy(a *record.Artifact) {
	switch {
	case m.cli() && a.Key == nil:
		m.Hint("path content will be copied to default storage at '%s' (no key; name it with --key)", StorageKey(a))
	case m.cli():
		m.Hint("path content will be copied to default storage with key '%s'", *a.Key)
	case a.Key == nil:
		m.Hint("path content will be copied to default storage upon `save()` with key `None` ('%s')", StorageKey(a))
	default:
		m.Hint("path content will be copied to default storage upon `save()` with key '%s'", *a.Key)
	}
}

// filesWillCopy is willCopy for the files of a folder.
func (m *Messages) filesWillCopy(n int, folderKey string) {
	if m.cli() {
		m.Hint("%d files will be copied to default storage with keys under '%s/'", n, folderKey)
		return
	}
	m.Hint("%d files will be copied to default storage upon `save()` with keys under '%s/'", n, folderKey)
}

// sameHash reports that saving returned an existing artifact with the same
// content (restored from the trash when it was there).
func (m *Messages) sameHash(a *record.Artifact, fromTrash bool) {
	what := "returning existing artifact with same hash"
	if fromTrash {
		what = "restored artifact with same hash from trash"
	}
	if m.cli() {
		m.Important("%s: %s; to track this artifact as an input, use: lamin cache %s", what, m.artifact(a), a.UID)
		return
	}
	m.Important("%s: %s; to track this artifact as an input, use: ln.Artifact.get()", what, m.artifact(a))
}

// recommendUID suggests passing the transform's stem uid to track.
func (m *Messages) recommendUID(typ, stem string) {
	if m.cli() {
		m.Hint("recommendation: to identify the %s across renames, pass the uid: --uid %s", typ, stem)
		return
	}
	m.Hint("recommendation: to identify the %s across renames, pass the uid: ln.track(\"%s\")", typ, stem)
}

// pick returns cliText for the command line, else laminText.
func pick(cli bool, laminText, cliText string) string {
	if cli {
		return cliText
	}
	return laminText
}

// movedToTrash reports a record moved to the trash; the command line says
// how to bring it back.
func (m *Messages) movedToTrash(registry, uid, repr string) {
	if m.cli() {
		m.Warn("moved record to trash: %s; bring it back with `lamin restore %s %s`", repr, registry, uid)
		return
	}
	m.Warn("moved record to trash (branch_id = -1): %s", repr)
}
