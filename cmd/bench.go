package cmd

import (
	"context"
	"fmt"
	"io"
	"strconv"
	"text/tabwriter"

	"github.com/spf13/cobra"

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

// measureScenario builds the named shipped scenario and times one
// replication's run alone, then measures the live heap it holds.
func measureScenario(ctx context.Context, name string) (refmodel.Measurement, uint64, error) {
	sc, err := models.Load(name, nil)
	if err != nil {
		return refmodel.Measurement{}, 0, err
	}
	m, err := models.Build(sc)
	if err != nil {
		return refmodel.Measurement{}, 0, err
	}
	var x *models.Replication
	ms, err := refmodel.MeasureFunc(ctx, func() (any, error) {
		x = m.NewReplication(sc.Seed(), 0)
		return x, nil
	}, func(ctx context.Context, _ any) (int, error) {
		_, err := x.Run(ctx)
		return x.Waiting("detox"), err
	})
	return ms, x.Events(), err
}

func benchPeersRun(ctx context.Context, opts *BenchOptions) error {
	python := refmodel.SimPyPython(ctx, opts.SimPy)
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
			var sc, eng refmodel.Measurement
			var scEvents uint64
			var lim, py refmodel.PeerRun
			steps := []func() error{
				func() (err error) { sc, scEvents, err = measureScenario(ctx, scenario); return err },
				func() (err error) { eng, err = refmodel.Measure(ctx, cfg); return err },
				func() (err error) { lim, err = refmodel.RunLimit(ctx, opts.Limit, cfg); return err },
			}
			if python != "" && i < opts.SimPyN {
				steps = append(steps, func() (err error) { py, err = refmodel.RunSimPy(ctx, python, opts.SimPy, cfg); return err })
			}
			// Rotate the order so that no implementation always runs first.
			for k := range steps {
				if err := steps[(k+i)%len(steps)](); err != nil {
					return err
				}
			}
			scRatio, engRatio := sc.LoopSeconds/lim.LoopSeconds, eng.LoopSeconds/lim.LoopSeconds
			simpyS := "-"
			if py.LoopSeconds > 0 {
				simpyS = strconv.FormatFloat(py.LoopSeconds, 'f', 2, 64)
				simpyRatios = append(simpyRatios, py.LoopSeconds/sc.LoopSeconds)
			}
			scRatios, engRatios = append(scRatios, scRatio), append(engRatios, engRatio)
			scB, engB := "-", "-" // meaningless with few clients waiting
			if sc.Waiting >= 1000 {
				scB = strconv.FormatFloat(sc.BytesPerWaiting, 'f', 1, 64)
				scBytes = append(scBytes, sc.BytesPerWaiting)
			}
			if eng.Waiting >= 1000 {
				engB = strconv.FormatFloat(eng.BytesPerWaiting, 'f', 1, 64)
				engBytes = append(engBytes, eng.BytesPerWaiting)
			}
			fmt.Fprintf(tw, "%d\t%.4f\t%.4f\t%.4f\t%s\t%.3f\t%.3f\t%d\t%d\t%.2f\t%s\t%s\t\n", i+1,
				sc.LoopSeconds, eng.LoopSeconds, lim.LoopSeconds, simpyS, scRatio, engRatio,
				scEvents, lim.Events, float64(lim.Events)/lim.LoopSeconds/1e6, scB, engB)
		}
		tw.Flush()
		fmt.Fprintf(opts.Out, "median wall-time ratio to the bare loop: scenario %.3f, engine %.3f\n", refmodel.Median(scRatios), refmodel.Median(engRatios))
		if len(simpyRatios) > 0 {
			fmt.Fprintf(opts.Out, "median speed-up of the scenario over SimPy: %.0f times (%d pairs)\n", refmodel.Median(simpyRatios), len(simpyRatios))
		}
		if len(scBytes) > 0 {
			fmt.Fprintf(opts.Out, "median bytes per waiting client: scenario %.1f, engine %.1f\n", refmodel.Median(scBytes), refmodel.Median(engBytes))
		}
		fmt.Fprintln(opts.Out)
	}
	return nil
}
