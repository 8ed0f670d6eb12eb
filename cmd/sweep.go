package cmd

import (
	"context"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"strings"

	"github.com/spf13/cobra"

	"github.com/journeysim/journeysim/models"
	"github.com/journeysim/journeysim/models/sweep"
	"github.com/journeysim/journeysim/output"
	"github.com/journeysim/journeysim/sim"
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
must sum to 1 with one drawn are rescaled; a calibrated scenario with posterior
draws, such as the baseline, gives its calibrated parameters from those draws,
so that the analysis carries what the calibration learned, and the rest from
their priors), each point for the scenario's
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
	// One design at a time: a grid, a hypercube, a one-way design or a PSA.
	c.MarkFlagsMutuallyExclusive("vary", "lhs", "psa", "one-way")
	c.MarkFlagsMutuallyExclusive("vary", "range")
	c.MarkFlagsMutuallyExclusive("psa", "range")
	return c
}

// spec reads the sweep's design from the flags.
func (o *SweepOptions) spec() (sweep.Spec, string, error) {
	spec := sweep.Spec{LHS: o.LHS, PSA: o.PSA, OneWay: o.OneWay}
	for _, v := range o.Vary {
		ax, err := sweep.ParseAxis(v)
		if err != nil {
			return spec, "", usageErrorf("--vary %v", err)
		}
		spec.Grid = append(spec.Grid, ax)
	}
	for _, r := range o.Ranges {
		rg, err := sweep.ParseRange(r)
		if err != nil {
			return spec, "", usageErrorf("--range %v", err)
		}
		spec.Ranges = append(spec.Ranges, rg)
	}
	switch {
	case o.PSA > 0:
		return spec, "--psa", nil
	case len(o.Vary) > 0:
		return spec, "--vary", nil
	}
	return spec, "--range", nil
}

func runSweep(ctx context.Context, opts *SweepOptions) error {
	spec, from, err := opts.spec()
	if err != nil {
		return err
	}
	shard, shards, err := opts.shard()
	if err != nil {
		return err
	}
	loader := models.NewLoader("")
	sc, err := loader.Load(opts.Scenario, opts.overrides())
	if err != nil {
		return err
	}
	plan, err := sweep.NewPlan(sc, spec, sc.Seed())
	if err != nil {
		return usageErrorf("%s: %v", from, err)
	}
	if err := opts.checkPoints(ctx, loader, plan, from, sc.Replications()); err != nil {
		return err
	}
	man := &output.SweepManifest{Scenario: opts.Scenario, Sets: opts.overrides(), Fingerprint: sc.Fingerprint(), Seed: sc.Seed(),
		Replications: sc.Replications(), Version: version, Plan: *plan}
	if e := sc.Economics; e != nil {
		man.Money = fmt.Sprintf("%s %d", e.Currency, e.PriceYear)
	}
	m, err := models.Build(sc)
	if err != nil {
		return err
	}
	man.SetMetrics(m.Layout())
	dir, err := output.OpenSweep(man, opts.Dir, opts.Force)
	if err != nil {
		return err
	}
	defer dir.Close()
	todo, err := dir.Todo(shard, shards)
	if err != nil {
		return err
	}
	what := fmt.Sprintf("sweep %s", opts.Scenario)
	if shards > 1 {
		what += fmt.Sprintf(" (shard %d of %d)", shard, shards)
	}
	update, finish := newProgress(opts.Err, len(todo), what, opts.Quiet)
	ran := 0
	_, err = sim.Replicate(ctx, len(todo), opts.Workers, func(ctx context.Context, i int) (struct{}, error) {
		l, rs, err := runPoint(ctx, loader, opts, plan, todo[i], from)
		if err != nil {
			return struct{}{}, fmt.Errorf("point %d: %w", todo[i].ID, err)
		}
		return struct{}{}, dir.WritePart(todo[i], l, rs)
	}, func(n int) { ran = n; update(n) })
	finish()
	if err != nil && ctx.Err() != nil {
		return &Interrupted{Kept: fmt.Sprintf("%d of %d points are kept in %s; run the same command again to go on",
			output.PointsDone(man, opts.Dir), len(plan.Points), opts.Dir)}
	}
	if err != nil {
		return err
	}
	dir.Close()
	fmt.Fprintf(opts.Out, "%s: %d points × %d replications; this run %d points into %s\n",
		what, len(plan.Points), sc.Replications(), ran, opts.Dir)
	if plan.PSA {
		fmt.Fprintln(opts.Out, psaSource(plan))
	}
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

// psaSource says where a PSA's draws came from.
func psaSource(plan *sweep.Plan) string {
	if plan.Posterior == "" {
		return fmt.Sprintf("every one of the %d uncertain parameters drawn from its prior (the scenario has no posterior draws)", len(plan.Params))
	}
	return fmt.Sprintf("%d of the %d uncertain parameters drawn from the posterior draws in %s, the rest from their priors",
		len(plan.FromPosterior), len(plan.Params), plan.Posterior)
}
