package cmd

import (
	"context"
	"io"
	"runtime"
	"strconv"
	"time"

	"github.com/spf13/cobra"
	"github.com/spf13/pflag"

	"github.com/journeysim/journeysim/models"
)

// scenarioRef is the scenario a command's optional argument names: the
// baseline when there is none.
func scenarioRef(args []string) string {
	if len(args) == 1 {
		return args[0]
	}
	return models.ValidationBase
}

// scenarioFlags are the flags shared by commands that run scenarios.
type scenarioFlags struct {
	Seed         int64
	Replications int
	Workers      int
	Horizon      string
	Warmup       string
	Sets         []string
	Quiet        bool
	MaxMemory    string
	set          map[string]bool // flags given on the command line
}

func (s *scenarioFlags) add(f *pflag.FlagSet) {
	f.Int64Var(&s.Seed, "seed", 0, "master seed (default: the scenario's)")
	f.IntVar(&s.Replications, "replications", 0, "number of replications (default: the scenario's)")
	f.IntVar(&s.Workers, "workers", runtime.GOMAXPROCS(0), "replications run at once; results do not depend on it")
	f.StringVar(&s.Horizon, "horizon", "", "measured run length after warm-up, e.g. 10y (default: the scenario's)")
	f.StringVar(&s.Warmup, "warmup", "", "warm-up before measuring, e.g. 3y (default: the scenario's)")
	f.StringArrayVar(&s.Sets, "set", nil, "override a scenario value: path=value (repeatable)")
	f.BoolVarP(&s.Quiet, "quiet", "q", false, "no progress bar")
	f.StringVar(&s.MaxMemory, "max-memory", "", "refuse a run that could need more memory than this, e.g. 8GiB; 0 for no limit (default: the machine's memory)")
}

// parse records which flags were given and checks them.
func (s *scenarioFlags) parse(cmd *cobra.Command) error {
	s.set = map[string]bool{}
	cmd.Flags().Visit(func(f *pflag.Flag) { s.set[f.Name] = true })
	if s.Workers < 1 {
		return usageErrorf("--workers must be at least 1")
	}
	if s.set["replications"] && s.Replications < 1 {
		return usageErrorf("--replications must be at least 1")
	}
	_, _, err := s.memoryLimit()
	return err
}

// overrides returns the scenario overrides the flags imply, then the --set ones.
func (s *scenarioFlags) overrides() []string {
	var o []string
	if s.set["seed"] {
		o = append(o, "run.seed="+strconv.FormatInt(s.Seed, 10))
	}
	if s.set["replications"] {
		o = append(o, "run.replications="+strconv.Itoa(s.Replications))
	}
	if s.Horizon != "" {
		o = append(o, "run.horizon="+strconv.Quote(s.Horizon))
	}
	if s.Warmup != "" {
		o = append(o, "run.warmup="+strconv.Quote(s.Warmup))
	}
	return append(o, s.Sets...)
}

// scenarioRunResult is a scenario run to completion.
type scenarioRunResult struct {
	Ref      string
	Scenario *models.Scenario
	Model    *models.Model
	Results  []*models.Result
	Wall     time.Duration
}

// loadScenario loads and compiles ref with the flags' overrides.
func (s *scenarioFlags) load(ref string, extra ...string) (*models.Scenario, *models.Model, error) {
	sc, err := models.Load(ref, append(s.overrides(), extra...))
	if err != nil {
		return nil, nil, err
	}
	m, err := models.Build(sc)
	if err != nil {
		return nil, nil, err
	}
	return sc, m, nil
}

// replicate runs a loaded scenario's replications with a progress bar on stderr.
func (s *scenarioFlags) replicate(ctx context.Context, stderr io.Writer, ref string, sc *models.Scenario, m *models.Model) (*scenarioRunResult, error) {
	return s.replicateKept(ctx, stderr, ref, sc, m, "")
}

// fmtDays renders a duration in days the way scenarios write it.
func fmtDays(d float64) string {
	b, err := models.Duration(d).MarshalText()
	if err != nil {
		return strconv.FormatFloat(d, 'g', -1, 64) + "d"
	}
	return string(b)
}
