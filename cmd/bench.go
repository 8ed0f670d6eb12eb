package cmd

import (
	"bufio"
	"bytes"
	"context"
	"fmt"
	"io"
	"os/exec"
	"slices"
	"strconv"
	"strings"
	"text/tabwriter"

	"github.com/spf13/cobra"
	"gonum.org/v1/gonum/stat"

	"github.com/journeysim/journeysim/sim/refmodel"
)

// BenchOptions are the inputs of `journeysim bench peers`.
type BenchOptions struct {
	Out     io.Writer
	Limit   string // path of the peers' bare-loop binary
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
		return peerRun{}, fmt.Errorf("bench: no loop_seconds in the output of %s", path)
	}
	return r, nil
}

func median(xs []float64) float64 {
	s := slices.Clone(xs)
	slices.Sort(s)
	return stat.Quantile(0.5, stat.LinInterp, s, nil)
}

func benchPeersRun(ctx context.Context, opts *BenchOptions) error {
	for _, name := range opts.Configs {
		var cfg refmodel.Config
		switch name {
		case "stable":
			cfg = refmodel.Stable()
		case "overloaded":
			cfg = refmodel.Overloaded()
		default:
			return usageErrorf("unknown --config %q: use stable or overloaded", name)
		}
		fmt.Fprintf(opts.Out, "reference model, %s (D = %d, C = %d, %g years, seed %d)\n",
			name, cfg.CapA, cfg.CapB, cfg.Horizon/365, cfg.Seed)
		tw := tabwriter.NewWriter(opts.Out, 2, 0, 2, ' ', tabwriter.AlignRight)
		fmt.Fprintln(tw, "pair\tjourneysim s\tbare loop s\ttime ratio\tjourneysim Mev/s\tbare Mev/s\tbytes/waiting\t")
		var ratios, bpw []float64
		for i := range opts.Pairs {
			var js refmodel.Measurement
			var lim peerRun
			var err error
			runJS := func() error { js, err = refmodel.Measure(ctx, cfg); return err }
			runLim := func() error { lim, err = runLimit(ctx, opts.Limit, cfg); return err }
			first, second := runJS, runLim
			if i%2 == 1 {
				first, second = runLim, runJS
			}
			if err := first(); err != nil {
				return err
			}
			if err := second(); err != nil {
				return err
			}
			ratio := js.LoopSeconds / lim.loopSeconds
			ratios = append(ratios, ratio)
			bpw = append(bpw, js.BytesPerWaiting)
			perWaiting := "-" // meaningless with few clients waiting
			if js.QueueAEnd >= 1000 {
				perWaiting = strconv.FormatFloat(js.BytesPerWaiting, 'f', 1, 64)
			}
			fmt.Fprintf(tw, "%d\t%.4f\t%.4f\t%.3f\t%.2f\t%.2f\t%s\t\n", i+1, js.LoopSeconds, lim.loopSeconds, ratio,
				float64(js.Events)/js.LoopSeconds/1e6, float64(lim.events)/lim.loopSeconds/1e6, perWaiting)
		}
		tw.Flush()
		fmt.Fprintf(opts.Out, "median time ratio journeysim/bare loop: %.3f (events/s ratio %.3f)\n", median(ratios), 1/median(ratios))
		if name == "overloaded" {
			fmt.Fprintf(opts.Out, "median bytes per waiting client: %.1f\n", median(bpw))
		}
		fmt.Fprintln(opts.Out)
	}
	return nil
}
