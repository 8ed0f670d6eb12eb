package cmd

import (
	"bytes"
	"context"
	"fmt"
	"io"

	"github.com/spf13/cobra"

	"github.com/journeysim/journeysim/models"
	"github.com/journeysim/journeysim/models/result"
	"github.com/journeysim/journeysim/models/scenario"
	"github.com/journeysim/journeysim/output"
)

// The lines of a file between which `levers --update` writes its table.
const (
	leversBegin = "<!-- levers: begin (journeysim levers --update README.md writes this table) -->"
	leversEnd   = "<!-- levers: end -->"
)

// LeversOptions are the inputs of `journeysim levers`.
type LeversOptions struct {
	Out, Err io.Writer
	Format   string
	Update   string
	scenarioFlags
}

// NewCmdLevers returns `journeysim levers`.
func NewCmdLevers(runF func(*LeversOptions) error) *cobra.Command {
	opts := &LeversOptions{}
	c := &cobra.Command{
		Use:   "levers",
		Short: "Compare every shipped lever with the scenario it changes: the README's table",
		Long: `Runs every shipped scenario that names what it is compared with
(compare_with = "baseline") against that scenario, as compare does: the same
seed and replications, replication i paired with replication i. It prints,
for each, the change in people treated, deaths, days to treatment and the
cost of treatment a year, with 95% CIs, then the ICER (Fieller CI) and the
incremental return on investment (crime saved over extra spending).
--update FILE writes the table into FILE between the lines
"` + leversBegin + `"
and "` + leversEnd + `", through a temporary file and a rename.`,
		Example: `  journeysim levers
  journeysim levers --update README.md
  journeysim levers --replications 10 --format csv`,
		Args: cobra.NoArgs,
		RunE: func(cmd *cobra.Command, _ []string) error {
			opts.Out, opts.Err = cmd.OutOrStdout(), cmd.ErrOrStderr()
			if err := opts.parse(cmd); err != nil {
				return err
			}
			if err := checkFormat(opts.Format, "markdown", "csv"); err != nil {
				return err
			}
			if runF != nil {
				return runF(opts)
			}
			return leversRun(cmd.Context(), opts)
		},
	}
	f := c.Flags()
	opts.scenarioFlags.add(f)
	f.StringVar(&opts.Format, "format", "markdown", "markdown or csv")
	f.StringVar(&opts.Update, "update", "", "write the table into this file between its lever markers")
	return c
}

func leversRun(ctx context.Context, opts *LeversOptions) error {
	names, err := scenario.ScenarioNames(nil)
	if err != nil {
		return err
	}
	// The levers in the order of their names, grouped by what they are
	// compared with, each base run once.
	var levers []output.Lever
	bases := map[string]output.Run{}
	money := ""
	for _, n := range names {
		sc, err := models.Load(n, nil)
		if err != nil {
			return fmt.Errorf("shipped scenario %s: %w", n, err)
		}
		if sc.CompareWith == "" {
			continue
		}
		br, ok := bases[sc.CompareWith]
		if !ok {
			bsc, bm, err := opts.load(sc.CompareWith)
			if err != nil {
				return fmt.Errorf("%s: compare_with: %w", n, err)
			}
			res, err := opts.replicate(ctx, opts.Err, sc.CompareWith, bsc, bm, "")
			if err != nil {
				return err
			}
			br = output.Run{Meta: res.meta(), Layout: res.Layout, Results: res.Results}
			bases[sc.CompareWith] = br
		}
		asc, am, err := opts.load(n, "run.seed="+fmt.Sprint(br.Meta.Seed), fmt.Sprintf("run.replications=%d", len(br.Results)))
		if err != nil {
			return err
		}
		res, err := opts.replicate(ctx, opts.Err, n, asc, am, "")
		if err != nil {
			return err
		}
		l := output.Lever{Scenario: n, Name: asc.Name, Against: sc.CompareWith,
			Diffs: output.Compare(br.Layout, br.Results, res.Layout, res.Results)}
		if ce, ok := result.CompareEconomics(br.Layout, br.Results, res.Layout, res.Results); ok {
			l.Econ = &ce
			money = ce.Money
		}
		levers = append(levers, l)
	}
	if len(levers) == 0 {
		return fmt.Errorf("no shipped scenario says what it is compared with (compare_with)")
	}
	var b bytes.Buffer
	if opts.Format == "csv" {
		err = output.WriteLeversCSV(&b, levers)
	} else {
		err = output.WriteLeverTable(&b, levers, money)
		if err == nil {
			base := levers[0].Against
			fmt.Fprintf(&b, "\n%d paired replications a lever, seed %d, against its base run once (`journeysim levers`).\n",
				len(bases[base].Results), bases[base].Meta.Seed)
		}
	}
	if err != nil {
		return err
	}
	wrote, err := output.UpdateBlock(opts.Out, opts.Update, leversBegin, leversEnd, b.Bytes())
	if err != nil || !wrote {
		return err
	}
	fmt.Fprintf(opts.Out, "the table of %d levers written to %s\n", len(levers), opts.Update)
	return nil
}
