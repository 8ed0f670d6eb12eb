package cmd

import (
	"runtime"
	"strconv"

	"github.com/spf13/cobra"
	"github.com/spf13/pflag"

	"github.com/journeysim/journeysim/models"
	"github.com/journeysim/journeysim/models/scenario"
	"github.com/journeysim/journeysim/models/validation"
	"github.com/journeysim/journeysim/output"
)

// scenarioRef is the scenario a command's optional argument names: the
// baseline when there is none.
func scenarioRef(args []string) string {
	if len(args) == 1 {
		return args[0]
	}
	return validation.Base
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
	f.StringArrayVar(&s.Sets, "set", nil, "override a scenario value: path=value, a path as explain prints it (repeatable)")
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

// load loads and compiles ref with the flags' overrides, then extra.
func (s *scenarioFlags) load(ref string, extra ...string) (*scenario.Scenario, *models.Model, error) {
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

// resultFlags are the flags of the commands that write result files and
// print a summary: run and compare.
type resultFlags struct {
	scenarioFlags
	OutDir string
	Force  bool
	Format string
	Plots  string
	Report bool
}

func (r *resultFlags) add(f *pflag.FlagSet, outHelp, formatHelp, reportHelp string) {
	r.scenarioFlags.add(f)
	f.StringVar(&r.OutDir, "out", "", outHelp)
	f.BoolVar(&r.Force, "force", false, "replace the output directory if journeysim wrote it")
	f.StringVar(&r.Format, "format", "table", formatHelp)
	f.StringVar(&r.Plots, "plot-format", "png", "format of the plots: png, svg or pdf")
	f.BoolVar(&r.Report, "report", false, reportHelp)
}

// parse checks the scenario flags, --format and --plot-format.
func (r *resultFlags) parse(cmd *cobra.Command) error {
	if err := r.scenarioFlags.parse(cmd); err != nil {
		return err
	}
	if err := checkFormat(r.Format, "table", "csv", "json"); err != nil {
		return err
	}
	if _, err := output.ParsePlotFormat(r.Plots); err != nil {
		return usageErrorf("unknown --plot-format %q: use png, svg or pdf", r.Plots)
	}
	return nil
}
