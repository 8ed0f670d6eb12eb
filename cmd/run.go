package cmd

import (
	"context"
	"fmt"
	"io"
	"runtime"
	"strconv"

	"github.com/spf13/cobra"
	"github.com/spf13/pflag"

	"github.com/journeysim/journeysim/models"
	"github.com/journeysim/journeysim/output"
)

// RunOptions are the inputs of `journeysim run`.
type RunOptions struct {
	Out, Err     io.Writer
	Scenario     string
	Seed         int64
	Replications int
	Workers      int
	Horizon      string
	Warmup       string
	Sets         []string
	Quiet        bool
	flagsSet     map[string]bool
}

// NewCmdRun returns `journeysim run`.
func NewCmdRun(runF func(*RunOptions) error) *cobra.Command {
	opts := &RunOptions{}
	c := &cobra.Command{
		Use:   "run [SCENARIO|FILE]",
		Short: "Run a scenario and print a summary of its results",
		Long: `Runs a scenario: a shipped one by name (journeysim scenarios lists them) or a
TOML file. With no argument it runs the baseline. Every metric is reported as
the mean over replications with a 95% confidence interval.`,
		Example: `  journeysim run
  journeysim run case-managers-at-detox
  journeysim run my-area.toml --replications 40 --set places.detox.capacity=9`,
		Args: cobra.MaximumNArgs(1),
		RunE: func(cmd *cobra.Command, args []string) error {
			opts.Out, opts.Err = cmd.OutOrStdout(), cmd.ErrOrStderr()
			opts.Scenario = "baseline"
			if len(args) == 1 {
				opts.Scenario = args[0]
			}
			opts.flagsSet = map[string]bool{}
			cmd.Flags().Visit(func(f *pflag.Flag) { opts.flagsSet[f.Name] = true })
			if opts.Workers < 1 {
				return usageErrorf("--workers must be at least 1")
			}
			if runF != nil {
				return runF(opts)
			}
			return runRun(cmd.Context(), opts)
		},
	}
	f := c.Flags()
	f.Int64Var(&opts.Seed, "seed", 0, "master seed (default: the scenario's)")
	f.IntVar(&opts.Replications, "replications", 0, "number of replications (default: the scenario's)")
	f.IntVar(&opts.Workers, "workers", runtime.GOMAXPROCS(0), "replications run at once; results do not depend on it")
	f.StringVar(&opts.Horizon, "horizon", "", "measured run length after warm-up, e.g. 10y (default: the scenario's)")
	f.StringVar(&opts.Warmup, "warmup", "", "warm-up before measuring, e.g. 3y (default: the scenario's)")
	f.StringArrayVar(&opts.Sets, "set", nil, "override a scenario value: path=value (repeatable)")
	f.BoolVarP(&opts.Quiet, "quiet", "q", false, "no progress output")
	return c
}

// sets returns the overrides implied by the flags, then --set ones.
func (o *RunOptions) sets() []string {
	var s []string
	if o.flagsSet["seed"] {
		s = append(s, "run.seed="+strconv.FormatInt(o.Seed, 10))
	}
	if o.flagsSet["replications"] {
		s = append(s, "run.replications="+strconv.Itoa(o.Replications))
	}
	if o.Horizon != "" {
		s = append(s, "run.horizon="+strconv.Quote(o.Horizon))
	}
	if o.Warmup != "" {
		s = append(s, "run.warmup="+strconv.Quote(o.Warmup))
	}
	return append(s, o.Sets...)
}

func runRun(ctx context.Context, opts *RunOptions) error {
	sc, err := models.Load(opts.Scenario, opts.sets())
	if err != nil {
		return err
	}
	m, err := models.Build(sc)
	if err != nil {
		return err
	}
	rs, err := m.Replicate(ctx, sc.Seed(), sc.Replications(), opts.Workers, nil)
	if err != nil {
		return err
	}
	fmt.Fprintf(opts.Out, "%s: %d replications, seed %d, %s warm-up, %s measured\n\n",
		sc.Name, sc.Replications(), sc.Seed(), fmtDays(sc.Warmup()), fmtDays(sc.Horizon()))
	return output.WriteTable(opts.Out, output.Summarize(m, rs), m.Headline(), m.Scope.Places)
}

// fmtDays renders a duration in days the way scenarios write it.
func fmtDays(d float64) string {
	b, err := models.Duration(d).MarshalText()
	if err != nil {
		return strconv.FormatFloat(d, 'g', -1, 64) + "d"
	}
	return string(b)
}
