package cmd

import (
	"bytes"
	"context"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"runtime"
	"strconv"
	"strings"
	"text/tabwriter"
	"time"

	"github.com/spf13/cobra"
	"github.com/spf13/pflag"

	"github.com/journeysim/journeysim/models"
	"github.com/journeysim/journeysim/output"
	"github.com/journeysim/journeysim/sim/refmodel"
)

// The lines of a file between which `bench peers --update` writes its table.
const (
	benchBegin = "<!-- bench: begin (journeysim bench peers --update README.md writes this table; make bench) -->"
	benchEnd   = "<!-- bench: end -->"
)

// BenchOptions are the inputs of `journeysim bench peers`.
type BenchOptions struct {
	Out     io.Writer
	Limit   string // path of the peers' bare-loop binary
	SimPy   string // path of the peers' SimPy model; run when Python has simpy
	SimPyN  int    // pairs that include SimPy (it is slow)
	Pairs   int
	Runs    int
	Process bool // also time the whole run process against the bare loop's
	Update  string
	Configs []string
	args    []string // as given, for the record
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
		Long: `Runs the peers' reference model (../shared/peers) as a scenario and written
against journeysim's engine, alternately with the bare hand-written Go event
loop (built from ../shared/peers/limit), and prints each pair's loop times
and the median ratios. With --process it also times the whole process of
journeysim run SCENARIO --replications 1 --workers 1 (into a temporary
directory it removes) against the bare loop's process. --runs repeats the
pairs; --update FILE writes the table, with the date, version and machine,
into FILE between the lines
"` + benchBegin + `"
and "` + benchEnd + `", through a temporary file and a rename.`,
		Example: `  journeysim bench peers --limit bin/limit --simpy-pairs 0
  journeysim bench peers --limit bin/limit --runs 2 --update README.md`,
		Args: cobra.NoArgs,
		RunE: func(cmd *cobra.Command, _ []string) error {
			opts.Out = cmd.OutOrStdout()
			if opts.Pairs < 1 || opts.Runs < 1 {
				return usageErrorf("--pairs and --runs must be at least 1")
			}
			cmd.Flags().Visit(func(f *pflag.Flag) { opts.args = append(opts.args, flagText(f)) })
			if runF != nil {
				return runF(opts)
			}
			return benchPeersRun(cmd.Context(), opts)
		},
	}
	peers.Flags().StringVar(&opts.Limit, "limit", "bin/limit", "path of the built bare-loop peer (go build -o bin/limit in ../shared/peers/limit)")
	peers.Flags().IntVar(&opts.Pairs, "pairs", 7, "number of alternating pairs of runs")
	peers.Flags().IntVar(&opts.Runs, "runs", 1, "how many times to run the pairs")
	peers.Flags().BoolVar(&opts.Process, "process", true, "also time the whole journeysim run process against the bare loop's process")
	peers.Flags().StringVar(&opts.Update, "update", "", "write the table into this file between its bench markers")
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
	var self, tmp string
	if opts.Process {
		var err error
		if self, err = os.Executable(); err != nil {
			return err
		}
		if tmp, err = os.MkdirTemp("", "journeysim-bench-"); err != nil {
			return err
		}
		defer os.RemoveAll(tmp) // made here, by this command
	}
	rec := &refmodel.Record{When: time.Now().UTC().Format("2006-01-02 15:04 MST"), Version: Version(),
		Machine: machineText(), Command: strings.TrimSpace("journeysim bench peers " + strings.Join(opts.args, " "))}
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
		cr := refmodel.ConfigRecord{Name: name, Config: cfg}
		var scBytes, engBytes, mev []float64
		for run := range opts.Runs {
			fmt.Fprintf(opts.Out, "reference model, %s (D = %d, C = %d, %g years, seed %d)", name, cfg.CapA, cfg.CapB, cfg.Horizon/365, cfg.Seed)
			if opts.Runs > 1 {
				fmt.Fprintf(opts.Out, ", run %d of %d", run+1, opts.Runs)
			}
			fmt.Fprintf(opts.Out, "\n  scenario = journeysim run %s; engine = the model written against sim (sim/refmodel); bare = ../shared/peers/limit -heap bin\n", scenario)
			tw := tabwriter.NewWriter(opts.Out, 2, 0, 2, ' ', tabwriter.AlignRight)
			fmt.Fprintln(tw, "pair\tscenario s\tengine s\tbare s\tSimPy s\tscenario/bare\tengine/bare\tprocess/bare\tscenario events\tbare events\tbare Mev/s\tscenario B/waiting\tengine B/waiting\t")
			for i := range opts.Pairs {
				var sc, eng refmodel.Measurement
				var scEvents uint64
				var lim, py refmodel.PeerRun
				var procS, procBare float64
				steps := []func() error{
					func() (err error) { sc, scEvents, err = measureScenario(ctx, scenario); return err },
					func() (err error) { eng, err = refmodel.Measure(ctx, cfg); return err },
					func() (err error) { lim, err = refmodel.RunLimit(ctx, opts.Limit, cfg); return err },
				}
				if opts.Process {
					steps = append(steps,
						func() (err error) {
							procS, err = refmodel.TimeProcess(ctx, self, "run", scenario, "--replications", "1", "--workers", "1",
								"--out", filepath.Join(tmp, "run"), "--force", "--quiet")
							return err
						},
						func() (err error) {
							procBare, err = refmodel.TimeProcess(ctx, opts.Limit, refmodel.LimitArgs(cfg)...)
							return err
						})
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
				cr.Scenario.Add(run, scRatio)
				cr.Engine.Add(run, engRatio)
				mev = append(mev, float64(lim.Events)/lim.LoopSeconds/1e6)
				simpyS, procS2 := "-", "-"
				if py.LoopSeconds > 0 {
					simpyS = strconv.FormatFloat(py.LoopSeconds, 'f', 2, 64)
					cr.SimPy.Add(run, py.LoopSeconds/sc.LoopSeconds)
				}
				if opts.Process {
					cr.Process.Add(run, procS/procBare)
					procS2 = strconv.FormatFloat(procS/procBare, 'f', 3, 64)
				}
				scB, engB := "-", "-" // meaningless with few clients waiting
				if sc.Waiting >= 1000 {
					scB = strconv.FormatFloat(sc.BytesPerWaiting, 'f', 1, 64)
					scBytes = append(scBytes, sc.BytesPerWaiting)
				}
				if eng.Waiting >= 1000 {
					engB = strconv.FormatFloat(eng.BytesPerWaiting, 'f', 1, 64)
					engBytes = append(engBytes, eng.BytesPerWaiting)
				}
				fmt.Fprintf(tw, "%d\t%.4f\t%.4f\t%.4f\t%s\t%.3f\t%.3f\t%s\t%d\t%d\t%.2f\t%s\t%s\t\n", i+1,
					sc.LoopSeconds, eng.LoopSeconds, lim.LoopSeconds, simpyS, scRatio, engRatio, procS2,
					scEvents, lim.Events, float64(lim.Events)/lim.LoopSeconds/1e6, scB, engB)
			}
			tw.Flush()
			fmt.Fprintf(opts.Out, "median wall-time ratio to the bare loop: scenario %.3f, engine %.3f", refmodel.Median(cr.Scenario[run]), refmodel.Median(cr.Engine[run]))
			if opts.Process {
				fmt.Fprintf(opts.Out, ", whole process %.3f", refmodel.Median(cr.Process[run]))
			}
			fmt.Fprintln(opts.Out)
			if len(cr.SimPy) > run && len(cr.SimPy[run]) > 0 {
				fmt.Fprintf(opts.Out, "median speed-up of the scenario over SimPy: %.0f times (%d pairs)\n", refmodel.Median(cr.SimPy[run]), len(cr.SimPy[run]))
			}
			fmt.Fprintln(opts.Out)
		}
		if len(scBytes) > 0 {
			cr.ScenarioBytes, cr.EngineBytes = refmodel.Median(scBytes), refmodel.Median(engBytes)
			fmt.Fprintf(opts.Out, "median bytes per waiting client: scenario %.1f, engine %.1f\n\n", cr.ScenarioBytes, cr.EngineBytes)
		}
		cr.BareMevPerSec = refmodel.Median(mev)
		rec.Configs = append(rec.Configs, cr)
	}
	var b bytes.Buffer
	if err := rec.WriteMarkdown(&b); err != nil {
		return err
	}
	wrote, err := output.UpdateBlock(opts.Out, opts.Update, benchBegin, benchEnd, b.Bytes())
	if err != nil || !wrote {
		return err
	}
	fmt.Fprintf(opts.Out, "the table written to %s\n", opts.Update)
	return nil
}

// flagText writes a flag as it would be typed.
func flagText(f *pflag.Flag) string {
	switch f.Value.Type() {
	case "bool":
		return "--" + f.Name + "=" + f.Value.String()
	case "stringSlice":
		v, _ := f.Value.(pflag.SliceValue)
		return "--" + f.Name + " " + strings.Join(v.GetSlice(), ",")
	}
	return "--" + f.Name + " " + f.Value.String()
}

// machineText describes this machine for a benchmark record: the CPU's
// model, its CPUs, memory and the Go version.
func machineText() string {
	cpu := runtime.GOARCH
	if b, err := os.ReadFile("/proc/cpuinfo"); err == nil {
		for _, line := range strings.Split(string(b), "\n") {
			if k, v, ok := strings.Cut(line, ":"); ok && strings.TrimSpace(k) == "model name" {
				cpu = strings.TrimSpace(v)
				break
			}
		}
	}
	s := fmt.Sprintf("%s, %d CPUs", cpu, runtime.NumCPU())
	if mem := machineMemory(); mem > 0 {
		s += fmt.Sprintf(", %.0f GiB", float64(mem)/(1<<30))
	}
	return s + ", " + runtime.Version()
}
