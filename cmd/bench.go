package cmd

import (
	"bufio"
	"bytes"
	"context"
	"fmt"
	"io"
	"os/exec"
	"runtime"
	"slices"
	"strconv"
	"strings"
	"text/tabwriter"
	"time"

	"github.com/spf13/cobra"
	"gonum.org/v1/gonum/stat"

	"github.com/journeysim/journeysim/models"
	"github.com/journeysim/journeysim/sim/refmodel"
)

// BenchOptions are the inputs of `journeysim bench peers`.
type BenchOptions struct {
	Out     io.Writer
	Limit   string // path of the peers' bare-loop binary
	SimPy   string // path of the peers' SimPy model; run when Python has simpy
	SimPyN  int    // pairs that include SimPy (it is slow)
	Pairs   int
	Configs []string
}

// NewCmdBench returns `journeysim bench`, which measures journeysim against
// the peers' reference implementations in the same run.
func NewCmdBench(runF func(*BenchOptions) error) *cobra.Command {
	opts := &BenchOptions{}
	bench := &cobra.Command{
		Use:   "bench",
		Short: "Measure speed and memory against the peers' reference model",
	}
	peers := &cobra.Command{
		Use:   "peers",
		Short: "Run the reference model and the bare Go loop alternately and print the median ratios",
		Long: `Runs the peers' reference model (../shared/peers) written against journeysim's
engine, alternately with the bare hand-written Go event loop (built from
../shared/peers/limit), and prints each pair's loop times and the median ratio.`,
		Args: cobra.NoArgs,
		RunE: func(cmd *cobra.Command, _ []string) error {
			opts.Out = cmd.OutOrStdout()
			if opts.Pairs < 1 {
				return usageErrorf("--pairs must be at least 1")
			}
			if runF != nil {
				return runF(opts)
			}
			return benchPeersRun(cmd.Context(), opts)
		},
	}
	peers.Flags().StringVar(&opts.Limit, "limit", "bin/limit", "path of the built bare-loop peer (go build -o bin/limit in ../shared/peers/limit)")
	peers.Flags().IntVar(&opts.Pairs, "pairs", 7, "number of alternating pairs of runs")
	peers.Flags().StringVar(&opts.SimPy, "simpy", "../shared/peers/simpy/model.py", "path of the peers' SimPy model, run with python3 when it has simpy")
	peers.Flags().IntVar(&opts.SimPyN, "simpy-pairs", 3, "how many of the pairs include SimPy (about 11 s a run for stable)")
	peers.Flags().StringSliceVar(&opts.Configs, "config", []string{"stable", "overloaded"}, "configurations: stable, overloaded")
	bench.AddCommand(peers)
	return bench
}

type peerRun struct {
	events      int64
	loopSeconds float64
}

func runLimit(ctx context.Context, path string, cfg refmodel.Config) (peerRun, error) {
	out, err := exec.CommandContext(ctx, path, "-heap", "bin",
		"-years", strconv.FormatFloat(cfg.Horizon/365, 'g', -1, 64),
		"-detox", strconv.Itoa(cfg.CapA), "-ct", strconv.Itoa(cfg.CapB),
		"-seed", strconv.FormatUint(cfg.Seed, 10)).Output()
	if err != nil {
		return peerRun{}, fmt.Errorf("bench: running %s: %w", path, err)
	}
	return parsePeer(out, path)
}

// simpyPython returns a python3 that can import simpy, or "".
func simpyPython(ctx context.Context, script string) string {
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

func runSimPy(ctx context.Context, python, script string, cfg refmodel.Config) (peerRun, error) {
	out, err := exec.CommandContext(ctx, python, script,
		"--years", strconv.FormatFloat(cfg.Horizon/365, 'g', -1, 64),
		"--detox", strconv.Itoa(cfg.CapA), "--ct", strconv.Itoa(cfg.CapB),
		"--seed", strconv.FormatUint(cfg.Seed, 10)).Output()
	if err != nil {
		return peerRun{}, fmt.Errorf("bench: running %s: %w", script, err)
	}
	return parsePeer(out, script)
}

// parsePeer reads events= and loop_seconds= from a peer's output.
func parsePeer(out []byte, what string) (peerRun, error) {
	var r peerRun
	sc := bufio.NewScanner(bytes.NewReader(out))
	for sc.Scan() {
		for _, f := range strings.Fields(sc.Text()) {
			k, v, _ := strings.Cut(f, "=")
			switch k {
			case "events":
				r.events, _ = strconv.ParseInt(v, 10, 64)
			case "loop_seconds":
				r.loopSeconds, _ = strconv.ParseFloat(v, 64)
			}
		}
	}
	if r.loopSeconds <= 0 {
		return peerRun{}, fmt.Errorf("bench: no loop_seconds in the output of %s", what)
	}
	return r, nil
}

func median(xs []float64) float64 {
	s := slices.Clone(xs)
	slices.Sort(s)
	return stat.Quantile(0.5, stat.LinInterp, s, nil)
}

// scenarioRun is one timed run of the peers' model as a journeysim scenario.
type scenarioRun struct {
	loopSeconds     float64
	events          uint64
	bytesPerWaiting float64
	waiting         int
}

// runScenario builds the named shipped scenario and times one replication's
// run alone, then measures the live heap it holds. It reads the wall clock:
// benchmark code, not results.
func runScenario(ctx context.Context, name string) (scenarioRun, error) {
	sc, err := models.Load(name, nil)
	if err != nil {
		return scenarioRun{}, err
	}
	m, err := models.Build(sc)
	if err != nil {
		return scenarioRun{}, err
	}
	var before, after runtime.MemStats
	runtime.GC()
	runtime.ReadMemStats(&before)
	x := m.NewReplication(sc.Seed(), 0)
	t0 := time.Now()
	if _, err := x.Run(ctx); err != nil {
		return scenarioRun{}, err
	}
	el := time.Since(t0).Seconds()
	runtime.GC()
	runtime.ReadMemStats(&after)
	r := scenarioRun{loopSeconds: el, events: x.Events(), waiting: x.Waiting("detox")}
	if r.waiting > 0 && after.HeapAlloc > before.HeapAlloc {
		r.bytesPerWaiting = float64(after.HeapAlloc-before.HeapAlloc) / float64(r.waiting)
	}
	runtime.KeepAlive(x)
	return r, nil
}

func benchPeersRun(ctx context.Context, opts *BenchOptions) error {
	python := simpyPython(ctx, opts.SimPy)
	if python == "" {
		fmt.Fprintf(opts.Out, "SimPy: not run (no python3 with simpy, or no %s; apt-get install python3-simpy3)\n\n", opts.SimPy)
	}
	for _, name := range opts.Configs {
		var cfg refmodel.Config
		var scenario string
		switch name {
		case "stable":
			cfg, scenario = refmodel.Stable(), "bench/peer-reference"
		case "overloaded":
			cfg, scenario = refmodel.Overloaded(), "bench/peer-overloaded"
		default:
			return usageErrorf("unknown --config %q: use stable or overloaded", name)
		}
		fmt.Fprintf(opts.Out, "reference model, %s (D = %d, C = %d, %g years, seed %d)\n",
			name, cfg.CapA, cfg.CapB, cfg.Horizon/365, cfg.Seed)
		fmt.Fprintf(opts.Out, "  scenario = journeysim run %s; engine = the model written against sim (sim/refmodel); bare = ../shared/peers/limit -heap bin\n", scenario)
		tw := tabwriter.NewWriter(opts.Out, 2, 0, 2, ' ', tabwriter.AlignRight)
		fmt.Fprintln(tw, "pair\tscenario s\tengine s\tbare s\tSimPy s\tscenario/bare\tengine/bare\tscenario events\tbare events\tbare Mev/s\tscenario B/waiting\tengine B/waiting\t")
		var scRatios, engRatios, scBytes, engBytes, simpyRatios []float64
		for i := range opts.Pairs {
			var sc scenarioRun
			var eng refmodel.Measurement
			var lim peerRun
			var py peerRun
			steps := []func() error{
				func() (err error) { sc, err = runScenario(ctx, scenario); return err },
				func() (err error) { eng, err = refmodel.Measure(ctx, cfg); return err },
				func() (err error) { lim, err = runLimit(ctx, opts.Limit, cfg); return err },
			}
			if python != "" && i < opts.SimPyN {
				steps = append(steps, func() (err error) { py, err = runSimPy(ctx, python, opts.SimPy, cfg); return err })
			}
			// Rotate the order so that no implementation always runs first.
			for k := range steps {
				if err := steps[(k+i)%len(steps)](); err != nil {
					return err
				}
			}
			scRatio, engRatio := sc.loopSeconds/lim.loopSeconds, eng.LoopSeconds/lim.loopSeconds
			simpyS := "-"
			if py.loopSeconds > 0 {
				simpyS = strconv.FormatFloat(py.loopSeconds, 'f', 2, 64)
				simpyRatios = append(simpyRatios, py.loopSeconds/sc.loopSeconds)
			}
			scRatios, engRatios = append(scRatios, scRatio), append(engRatios, engRatio)
			scB, engB := "-", "-" // meaningless with few clients waiting
			if sc.waiting >= 1000 {
				scB = strconv.FormatFloat(sc.bytesPerWaiting, 'f', 1, 64)
				scBytes = append(scBytes, sc.bytesPerWaiting)
			}
			if eng.QueueAEnd >= 1000 {
				engB = strconv.FormatFloat(eng.BytesPerWaiting, 'f', 1, 64)
				engBytes = append(engBytes, eng.BytesPerWaiting)
			}
			fmt.Fprintf(tw, "%d\t%.4f\t%.4f\t%.4f\t%s\t%.3f\t%.3f\t%d\t%d\t%.2f\t%s\t%s\t\n", i+1,
				sc.loopSeconds, eng.LoopSeconds, lim.loopSeconds, simpyS, scRatio, engRatio,
				sc.events, lim.events, float64(lim.events)/lim.loopSeconds/1e6, scB, engB)
		}
		tw.Flush()
		fmt.Fprintf(opts.Out, "median wall-time ratio to the bare loop: scenario %.3f, engine %.3f\n", median(scRatios), median(engRatios))
		if len(simpyRatios) > 0 {
			fmt.Fprintf(opts.Out, "median speed-up of the scenario over SimPy: %.0f times (%d pairs)\n", median(simpyRatios), len(simpyRatios))
		}
		if len(scBytes) > 0 {
			fmt.Fprintf(opts.Out, "median bytes per waiting client: scenario %.1f, engine %.1f\n", median(scBytes), median(engBytes))
		}
		fmt.Fprintln(opts.Out)
	}
	return nil
}
