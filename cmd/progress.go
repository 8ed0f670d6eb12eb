package cmd

import (
	"fmt"
	"io"
	"os"
	"sync"
	"time"

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
	if quiet || !ok || total < 2 {
		return func(int) {}, func() {}
	}
	if !term.IsTerminal(int(f.Fd())) {
		return plainProgress(f, total, what, time.Now)
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

// plainProgress is progress for a log file (a Slurm job's, CI's): a plain
// line at each tenth of the work done, at most one every 10 seconds, with
// the rate and the time left, and nothing for work that ends sooner.
func plainProgress(w io.Writer, total int, what string, clock func() time.Time) (update func(done int), finish func()) {
	start := clock()
	last, step := start, 0
	var mu sync.Mutex
	return func(done int) {
		mu.Lock()
		defer mu.Unlock()
		now := clock()
		if s := done * 10 / total; s > step && now.Sub(last) >= 10*time.Second {
			step, last = s, now
			rate := float64(done) / now.Sub(start).Seconds()
			left := time.Duration(float64(total-done)/rate) * time.Second
			fmt.Fprintf(w, "%s: %d of %d done (%d%%), %.3g a second, about %s left\n", what, done, total, 100*done/total, rate, left.Round(time.Second))
		}
	}, func() {}
}
