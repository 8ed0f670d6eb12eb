package refmodel

import (
	"bufio"
	"bytes"
	"context"
	"fmt"
	"math"
	"os/exec"
	"slices"
	"strconv"
	"strings"
	"time"
)

// A PeerRun is one timed run of a peer: its events and the wall time of
// its event loop alone, as it reports them.
type PeerRun struct {
	Events      int64
	LoopSeconds float64
}

// RunLimit runs the bare Go loop built from ../shared/peers/limit at path.
func RunLimit(ctx context.Context, path string, cfg Config) (PeerRun, error) {
	out, err := exec.CommandContext(ctx, path, LimitArgs(cfg)...).Output()
	if err != nil {
		return PeerRun{}, fmt.Errorf("bench: running %s: %w", path, err)
	}
	return parsePeer(out, path)
}

// LimitArgs are the bare loop's arguments for cfg.
func LimitArgs(cfg Config) []string {
	return []string{"-heap", "bin",
		"-years", strconv.FormatFloat(cfg.Horizon/365, 'g', -1, 64),
		"-detox", strconv.Itoa(cfg.CapA), "-ct", strconv.Itoa(cfg.CapB),
		"-seed", strconv.FormatUint(cfg.Seed, 10)}
}

// TimeProcess runs path with args to its exit, its output discarded, and
// returns the wall time from start to exit in seconds. It reads the wall
// clock: benchmark code, not results.
func TimeProcess(ctx context.Context, path string, args ...string) (float64, error) {
	cmd := exec.CommandContext(ctx, path, args...)
	t0 := time.Now()
	if out, err := cmd.CombinedOutput(); err != nil {
		return 0, fmt.Errorf("bench: running %s: %w\n%s", path, err, out)
	}
	return time.Since(t0).Seconds(), nil
}

// SimPyPython returns a python3 that can import simpy, or "".
func SimPyPython(ctx context.Context, script string) string {
	if script == "" {
		return ""
	}
	if _, err := exec.LookPath("python3"); err != nil {
		return ""
	}
	for _, py := range []string{"/usr/bin/python3", "python3"} {
		if exec.CommandContext(ctx, py, "-c", "import simpy").Run() == nil {
			return py
		}
	}
	return ""
}

// RunSimPy runs the peers' SimPy model, script, with python.
func RunSimPy(ctx context.Context, python, script string, cfg Config) (PeerRun, error) {
	out, err := exec.CommandContext(ctx, python, script,
		"--years", strconv.FormatFloat(cfg.Horizon/365, 'g', -1, 64),
		"--detox", strconv.Itoa(cfg.CapA), "--ct", strconv.Itoa(cfg.CapB),
		"--seed", strconv.FormatUint(cfg.Seed, 10)).Output()
	if err != nil {
		return PeerRun{}, fmt.Errorf("bench: running %s: %w", script, err)
	}
	return parsePeer(out, script)
}

// parsePeer reads events= and loop_seconds= from a peer's output.
func parsePeer(out []byte, what string) (PeerRun, error) {
	var r PeerRun
	sc := bufio.NewScanner(bytes.NewReader(out))
	for sc.Scan() {
		for _, f := range strings.Fields(sc.Text()) {
			k, v, _ := strings.Cut(f, "=")
			switch k {
			case "events":
				r.Events, _ = strconv.ParseInt(v, 10, 64)
			case "loop_seconds":
				r.LoopSeconds, _ = strconv.ParseFloat(v, 64)
			}
		}
	}
	if r.LoopSeconds <= 0 {
		return PeerRun{}, fmt.Errorf("bench: no loop_seconds in the output of %s", what)
	}
	return r, nil
}

// Median is the median of xs.
func Median(xs []float64) float64 {
	s := slices.Clone(xs)
	slices.Sort(s)
	n := len(s)
	if n == 0 {
		return math.NaN()
	}
	if n%2 == 1 {
		return s[n/2]
	}
	return (s[n/2-1] + s[n/2]) / 2
}
