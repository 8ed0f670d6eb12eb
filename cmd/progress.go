package cmd

import (
	"io"
	"os"

	"github.com/journeysim/journeysim/output"
	"github.com/schollz/progressbar/v3"
	"golang.org/x/term"
)

// newProgress returns a callback that shows replications done, rate and ETA
// on w when w is a terminal and quiet is false, and does nothing otherwise
// (a log file or CI gets no control characters).
func newProgress(w io.Writer, total int, what string, quiet bool) (update func(done int), finish func()) {
	if cw, ok := w.(*output.CleanWriter); ok && cw.File != nil {
		w = cw.File // the bar draws with control characters of its own
	}
	f, ok := w.(*os.File)
	if quiet || !ok || !term.IsTerminal(int(f.Fd())) || total < 2 {
		return func(int) {}, func() {}
	}
	bar := progressbar.NewOptions(total,
		progressbar.OptionSetWriter(w),
		progressbar.OptionSetDescription(what),
		progressbar.OptionShowCount(),
		progressbar.OptionShowIts(),
		progressbar.OptionSetItsString("rep"),
		progressbar.OptionSetPredictTime(true),
		progressbar.OptionSetWidth(30),
		progressbar.OptionThrottle(100_000_000),
		progressbar.OptionClearOnFinish(),
	)
	return func(done int) { bar.Set(done) }, func() { bar.Finish() }
}
