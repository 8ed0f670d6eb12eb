package cmd

import (
	"context"
	"fmt"
	"io"
	"math"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"text/tabwriter"

	"github.com/spf13/cobra"

	"github.com/journeysim/journeysim/models"
	"github.com/journeysim/journeysim/output"
)

// SweepOptions are the inputs of `journeysim sweep`.
type SweepOptions struct {
	Out, Err io.Writer
	Scenario string
	scenarioFlags
	Vary       []string
	LHS        int
	Ranges     []string
	PSA        int
	OneWay     bool
	Dir        string
	Force      bool
	Shard      string // "i/n"; "" reads the scheduler's environment
	ShardCount int    // the n of a Kubernetes Indexed Job
	env        func(string) string
}

// NewCmdSweep returns `journeysim sweep`.
func NewCmdSweep(runF func(*SweepOptions) error) *cobra.Command {
	opts := &SweepOptions{env: os.Getenv}
	c := &cobra.Command{
		Use:   "sweep [SCENARIO|FILE] (--vary PATH=LO:HI:STEP | --vary PATH=A,B,C)… | --lhs N --range PATH=LO:HI… | --psa N",
		Short: "Run a scenario at many parameter values and write every replication's metrics",
		Long: `Runs a scenario at every point of a grid (--vary, repeatable: the product of
all), of a Latin hypercube (--lhs N points over --range PATH=LO:HI, repeatable),
of a one-way design (--one-way with --range: the scenario as it is, then each
parameter at the low and the high end of its range, the others unchanged), or
of a probabilistic sensitivity analysis (--psa N: N draws, on a Latin
hypercube, of every parameter that declares an uncertainty; probabilities that
must sum to 1 with one drawn are rescaled), each point for the scenario's
replications. Each point × replication is seeded
from (seed, point, replication), so any point rerun alone gives the same numbers.

Each finished point is written to DIR/parts/ under a temporary name and renamed
when complete, so a sweep that is stopped (Ctrl-C, a killed job) and run again
with the same arguments skips what is done and finishes the rest. When every
point is done, DIR/results.csv (long format: point, parameter values,
replication, metric, value) and DIR/points.csv are written.

Across machines: --shard i/n runs only the points whose index is i modulo n,
with i from 0. With no flag the shard comes from a Slurm array
(SLURM_ARRAY_TASK_ID, SLURM_ARRAY_TASK_COUNT) or a Kubernetes Indexed Job
(JOB_COMPLETION_INDEX, with the count from --shard-count or
JOURNEYSIM_SHARD_COUNT). A shard writes its parts only; journeysim merge DIR…
joins them into results.csv byte for byte as one process would have written it.`,
		Example: `  journeysim sweep --vary places.detox.capacity=4:12:2 --replications 10
  journeysim sweep case-managers-at-detox --vary places.case_management.capacity=20:100:20 --vary policy.mutual_aid_referral=standard,active_peer
  journeysim sweep --lhs 200 --range places.detox.capacity=4:12 --range arrivals.per_year=400:600 --shard 3/8 --out sweep/`,
		Args: cobra.MaximumNArgs(1),
		RunE: func(cmd *cobra.Command, args []string) error {
			opts.Out, opts.Err = cmd.OutOrStdout(), cmd.ErrOrStderr()
			opts.Scenario = scenarioRef(args)
			if err := opts.parse(cmd); err != nil {
				return err
			}
			if opts.Dir == "" {
				opts.Dir = filepath.Join("out", "sweep-"+strings.TrimSuffix(filepath.Base(opts.Scenario), ".toml"))
			}
			if runF != nil {
				return runF(opts)
			}
			return runSweep(cmd.Context(), opts)
		},
	}
	f := c.Flags()
	opts.scenarioFlags.add(f)
	f.StringArrayVar(&opts.Vary, "vary", nil, "a grid axis: path=lo:hi:step or path=a,b,c (repeatable; the product of all)")
	f.IntVar(&opts.LHS, "lhs", 0, "points of a Latin hypercube over the --range parameters")
	f.StringArrayVar(&opts.Ranges, "range", nil, "a Latin-hypercube parameter: path=lo:hi (repeatable)")
	f.BoolVar(&opts.OneWay, "one-way", false, "a one-way design: the scenario as it is, then each --range parameter at its low and high end alone")
	f.IntVar(&opts.PSA, "psa", 0, "probabilistic sensitivity analysis: N draws of every parameter that declares an uncertainty")
	f.StringVar(&opts.Dir, "out", "", "directory of the sweep (default out/sweep-<scenario>)")
	f.BoolVar(&opts.Force, "force", false, "start afresh: remove what the directory holds of an earlier sweep")
	f.StringVar(&opts.Shard, "shard", "", "run only shard i of n, as i/n from 0 (default: from SLURM_ARRAY_TASK_ID or JOB_COMPLETION_INDEX)")
	f.IntVar(&opts.ShardCount, "shard-count", 0, "shards of a Kubernetes Indexed Job (default JOURNEYSIM_SHARD_COUNT)")
	return c
}

// shard returns the shard to run: --shard, else the scheduler's environment,
// else the whole sweep (0 of 1).
func (o *SweepOptions) shard() (i, n int, err error) {
	parse := func(what, is, ns string) (int, int, error) {
		i, err1 := strconv.Atoi(strings.TrimSpace(is))
		n, err2 := strconv.Atoi(strings.TrimSpace(ns))
		if err1 != nil || err2 != nil || n < 1 || i < 0 || i >= n {
			return 0, 0, usageErrorf("%s: shard %q of %q: need whole numbers 0 <= i < n", what, is, ns)
		}
		return i, n, nil
	}
	if o.Shard != "" {
		is, ns, ok := strings.Cut(o.Shard, "/")
		if !ok {
			return 0, 0, usageErrorf("--shard %q: write i/n, as in 0/4", o.Shard)
		}
		return parse("--shard", is, ns)
	}
	if id := o.env("SLURM_ARRAY_TASK_ID"); id != "" {
		return parse("SLURM_ARRAY_TASK_ID", id, o.env("SLURM_ARRAY_TASK_COUNT"))
	}
	if id := o.env("JOB_COMPLETION_INDEX"); id != "" {
		count := strconv.Itoa(o.ShardCount)
		if o.ShardCount == 0 {
			count = o.env("JOURNEYSIM_SHARD_COUNT")
		}
		return parse("JOB_COMPLETION_INDEX", id, count)
	}
	return 0, 1, nil
}

func runSweep(ctx context.Context, opts *SweepOptions) error {
	spec := models.SweepSpec{LHS: opts.LHS, PSA: opts.PSA, OneWay: opts.OneWay}
	for _, v := range opts.Vary {
		ax, err := models.ParseAxis(v)
		if err != nil {
			return usageErrorf("%v", err)
		}
		spec.Grid = append(spec.Grid, ax)
	}
	for _, r := range opts.Ranges {
		rg, err := models.ParseRange(r)
		if err != nil {
			return usageErrorf("%v", err)
		}
		spec.Ranges = append(spec.Ranges, rg)
	}
	shard, shards, err := opts.shard()
	if err != nil {
		return err
	}
	sc, err := models.Load(opts.Scenario, opts.overrides())
	if err != nil {
		return err
	}
	plan, err := models.PlanSweep(sc, spec, sc.Seed())
	if err != nil {
		return usageErrorf("%v", err)
	}
	// Every point must load, build and fit in memory: check them all before
	// running any. Each worker runs one point at a time and keeps its
	// replications.
	for _, p := range plan.Points {
		psc, err := plan.PointScenario(opts.Scenario, opts.overrides(), p)
		if err == nil {
			var m *models.Model
			if m, err = models.Build(psc); err == nil {
				err = opts.checkMemory(opts.Scenario, m, sc.Replications()*opts.Workers, opts.Workers)
			}
		}
		if err != nil {
			return fmt.Errorf("point %d (%s): %w", p.ID, strings.Join(plan.Sets(p), ", "), err)
		}
		if err := ctx.Err(); err != nil {
			return err
		}
	}
	man := &output.SweepManifest{Scenario: opts.Scenario, Sets: opts.overrides(), Fingerprint: sc.Fingerprint(), Seed: sc.Seed(),
		Replications: sc.Replications(), Version: version, SweepPlan: *plan}
	if e := sc.Economics; e != nil {
		man.Money = fmt.Sprintf("%s %d", e.Currency, e.PriceYear)
	}
	what := fmt.Sprintf("sweep %s", opts.Scenario)
	if shards > 1 {
		what += fmt.Sprintf(" (shard %d of %d)", shard, shards)
	}
	var update func(int)
	var finish func()
	started := false
	ran, err := output.RunSweepShard(ctx, man, opts.Dir, opts.Force, shard, shards, opts.Workers, func(done, total int) {
		if !started {
			update, finish = newProgress(opts.Err, total, what, opts.Quiet)
			started = true
		}
		update(done)
	})
	if started {
		finish()
	}
	if err != nil && ctx.Err() != nil {
		done := output.PointsDone(man, opts.Dir)
		return &Interrupted{Kept: fmt.Sprintf("%d of %d points are kept in %s; run the same command again to go on",
			done, len(plan.Points), opts.Dir)}
	}
	if err != nil {
		return err
	}
	fmt.Fprintf(opts.Out, "%s: %d points × %d replications; this run %d points into %s\n",
		what, len(plan.Points), sc.Replications(), ran, opts.Dir)
	if shards > 1 {
		fmt.Fprintf(opts.Out, "when every shard is done: journeysim merge %s…\n", opts.Dir)
		return nil
	}
	if err := output.MergeSweep(ctx, []string{opts.Dir}, opts.Dir); err != nil {
		return err
	}
	fmt.Fprintf(opts.Out, "results written to %s (results.csv, points.csv)\n", opts.Dir)
	return nil
}

// NewCmdMerge returns `journeysim merge`.
func NewCmdMerge(runF func(dirs []string, out string) error) *cobra.Command {
	var out string
	c := &cobra.Command{
		Use:   "merge DIR…",
		Short: "Join the shards of a sweep into one results.csv",
		Long: `Joins the parts written by the shards of one sweep (journeysim sweep --shard)
into results.csv and points.csv, exactly as the sweep run in one process writes
them. Every directory must hold the same sweep, and every point must be in
exactly one of them; otherwise nothing is written and the missing or doubled
points are named.`,
		Example: `  journeysim merge shard-0 shard-1 shard-2 --out sweep`,
		Args:    cobra.MinimumNArgs(1),
		RunE: func(cmd *cobra.Command, args []string) error {
			if out == "" {
				out = args[0]
			}
			if runF != nil {
				return runF(args, out)
			}
			if err := output.MergeSweep(cmd.Context(), args, out); err != nil {
				return err
			}
			fmt.Fprintf(cmd.OutOrStdout(), "results written to %s (results.csv, points.csv)\n", out)
			return nil
		},
	}
	c.Flags().StringVar(&out, "out", "", "directory to write results.csv and points.csv to (default: the first DIR)")
	return c
}

// NewCmdSensitivity returns `journeysim sensitivity`.
func NewCmdSensitivity(runF func(dir string, metrics []string, format string) error) *cobra.Command {
	var metrics []string
	var plots string
	c := &cobra.Command{
		Use:   "sensitivity DIR",
		Short: "Which swept parameters move a metric: partial rank correlations and a tornado",
		Long: `Reads a finished sweep (DIR/points.csv and results.csv, as journeysim sweep or
merge writes them), averages each --metric over each point's replications, and
for every numeric parameter computes its partial rank correlation coefficient
with the metric (PRCC: the other parameters' ranks regressed out) with a
p-value, and a one-way reading: the metric's mean where the parameter is in its
lowest fifth of the sweep's points against its highest fifth. A one-way sweep
(sweep --one-way) gives the tornado exactly: each parameter alone at each end
of its range against the scenario as it is. Writes
sensitivity.csv, and for each metric prcc-<metric> and tornado-<metric> plots
with the numbers behind them, into DIR. A Latin hypercube or a PSA suits it
best: in a grid the fifths are whole grid lines.`,
		Example: `  journeysim sweep --lhs 100 --range places.detox.capacity=4:12 --range arrivals.per_year=400:600 --out sw
  journeysim sensitivity sw --metric repeat_detox_share --metric wait_mean_days.detox`,
		Args: cobra.ExactArgs(1),
		RunE: func(cmd *cobra.Command, args []string) error {
			format, err := output.ParsePlotFormat(plots)
			if err != nil {
				return usageErrorf("%v", err)
			}
			if runF != nil {
				return runF(args[0], metrics, string(format))
			}
			ss, skipped, err := output.SweepSensitivity(args[0], metrics)
			if err != nil {
				return err
			}
			var b output.Bundle
			if err := b.Add("sensitivity.csv", func(w io.Writer) error { return output.WriteSensitivityCSV(w, ss) }); err != nil {
				return err
			}
			for _, m := range metrics {
				figs, err := output.SensitivityFigures(m, ss)
				if err != nil {
					return err
				}
				for _, f := range figs {
					if err := b.AddFigure(f, format); err != nil {
						return err
					}
				}
			}
			if err := b.WriteFilesInto(args[0], output.KindFigures); err != nil {
				return err
			}
			w := cmd.OutOrStdout()
			tw := tabwriter.NewWriter(w, 0, 0, 2, ' ', 0)
			fmt.Fprintln(tw, "metric\tparameter\tPRCC\tp\tlow\thigh")
			for _, s := range ss {
				prcc := "-"
				if !math.IsNaN(s.PRCC) {
					prcc = fmt.Sprintf("%+.3f", s.PRCC)
				}
				fmt.Fprintf(tw, "%s\t%s\t%s\t%s\t%s\t%s\n", s.Metric, s.Param, prcc, output.Format(s.P), output.Format(s.LowMean), output.Format(s.HighMean))
			}
			if err := tw.Flush(); err != nil {
				return err
			}
			if len(skipped) > 0 {
				fmt.Fprintf(w, "not numbers, left out: %s\n", strings.Join(skipped, ", "))
			}
			fmt.Fprintf(w, "written to %s: %s\n", args[0], strings.Join(b.Names(), ", "))
			return nil
		},
	}
	c.Flags().StringArrayVar(&metrics, "metric", []string{"completion_rate"}, "a metric to explain (repeatable)")
	c.Flags().StringVar(&plots, "plot-format", "png", "format of the plots: png, svg or pdf")
	return c
}

// NewCmdCEA returns `journeysim cea`.
func NewCmdCEA() *cobra.Command {
	var plots string
	var wtp []float64
	var out string
	c := &cobra.Command{
		Use:   "cea BASE-SWEEP ALT-SWEEP",
		Short: "Cost-effectiveness plane and acceptability curve from two paired PSA sweeps",
		Long: `Reads two finished PSA sweeps of two scenarios run with the same --psa N and
seed (so each point draws the same parameter values, on common random numbers),
and writes, for the second against the first: ce-plane (incremental discounted
cost against incremental discounted QALYs, one dot a draw) and ceac (the share
of draws whose net monetary benefit is above zero, at each willingness to pay
from 0 to 50,000 per QALY), each as a plot with its CSV, into --out.`,
		Example: `  journeysim sweep baseline --psa 200 --out psa-base
  journeysim sweep case-managers-at-detox --psa 200 --out psa-cm
  journeysim cea psa-base psa-cm --out cea-cm`,
		Args: cobra.ExactArgs(2),
		RunE: func(cmd *cobra.Command, args []string) error {
			format, err := output.ParsePlotFormat(plots)
			if err != nil {
				return usageErrorf("%v", err)
			}
			ps, err := output.SweepCostEffect(args[0], args[1])
			if err != nil {
				return err
			}
			baseName, _ := output.SweepInfo(args[0])
			altName, money := output.SweepInfo(args[1])
			figs, err := output.CEFigures(ps, money, altName, baseName, wtp)
			if err != nil {
				return err
			}
			var b output.Bundle
			for _, f := range figs {
				if err := b.AddFigure(f, format); err != nil {
					return err
				}
			}
			if out == "" {
				out = args[1]
			}
			if err := b.WriteFilesInto(out, output.KindFigures); err != nil {
				return err
			}
			acc := output.Acceptability(ps, wtp)
			w := cmd.OutOrStdout()
			for i, x := range wtp {
				fmt.Fprintf(w, "probability cost-effective at %g per QALY: %.2f (%d draws)\n", x, acc[i], len(ps))
			}
			fmt.Fprintf(w, "results written to %s/ (ce-plane, ceac)\n", out)
			return nil
		},
	}
	c.Flags().Float64SliceVar(&wtp, "wtp", []float64{20000, 30000}, "willingness to pay per QALY to mark (repeatable)")
	c.Flags().StringVar(&plots, "plot-format", "png", "format of the plots: png, svg or pdf")
	c.Flags().StringVar(&out, "out", "", "directory for the plots and CSVs (default ALT-SWEEP)")
	return c
}
