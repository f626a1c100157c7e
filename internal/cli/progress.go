package cli

import (
	"fmt"
	"io"
	"os"
	"strings"
	"time"

	"github.com/dustin/go-humanize"
	"github.com/lamin-go/lamin"
)

// progressThreshold is the transfer size from which a bar is drawn.
const progressThreshold = 50 << 20

// showProgress draws a transfer bar on stderr for transfers over 50 MiB,
// only when stderr is a terminal and quiet is false.
func (app *App) showProgress(in *lamin.Instance, quiet bool) {
	f, ok := app.Err.(*os.File)
	if quiet || !ok || !interactive(f) {
		return
	}
	in.SetProgress(newProgressBar(f).update)
}

type progressBar struct {
	w    io.Writer
	last time.Time
}

func newProgressBar(w io.Writer) *progressBar { return &progressBar{w: w} }

// update redraws at most ten times a second, and once more at the end.
func (p *progressBar) update(done, total int64) {
	if total < progressThreshold {
		return
	}
	end := done >= total
	if !end && time.Since(p.last) < 100*time.Millisecond {
		return
	}
	p.last = time.Now()
	const width = 30
	n := int(width * done / total)
	fmt.Fprintf(p.w, "\r%s%s %5.1f%% %s / %s", strings.Repeat("█", n), strings.Repeat("░", width-n),
		100*float64(done)/float64(total), humanize.IBytes(uint64(done)), humanize.IBytes(uint64(total)))
	if end {
		fmt.Fprintln(p.w)
	}
}
