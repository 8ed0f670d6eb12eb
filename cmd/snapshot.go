package cmd

import (
	"context"
	"fmt"
	"io"
	"strings"

	"github.com/spf13/cobra"

	"github.com/journeysim/journeysim/models/calibrate"
	"github.com/journeysim/journeysim/models/scenario"
	"github.com/journeysim/journeysim/output"
)

// SnapshotOptions are the inputs of `journeysim snapshot`.
type SnapshotOptions struct {
	Out, Err io.Writer
	Scenario string
	scenarioFlags
	File  string
	Force bool
}

// NewCmdSnapshot returns `journeysim snapshot`.
func NewCmdSnapshot(runF func(*SnapshotOptions) error) *cobra.Command {
	opts := &SnapshotOptions{}
	c := &cobra.Command{
		Use:   "snapshot [SCENARIO|FILE] --out FILE.toml",
		Short: "Write the state of a scenario after its warm-up as a start to project from",
		Long: `Runs the scenario's replications to the end of the warm-up and writes the people
then in each place and on each waiting list (the mean over the replications) as
a scenario file built on it, with a [start] table and no warm-up:

  [start]
  people = [
    { place = "community", count = 212, years = "2-3", age = "30-35", case_mix = { drug = "opiate" } },
    …
  ]

years is the time in the place so far (for a treatment place, the time in
treatment), age the age now; both are bands drawn evenly within. A run of the
file starts from that state on day one and measures at once: a projection from
the present. Edit the counts (a waiting list that has grown, a caseload that has
fallen) to start from your area as it is today.`,
		Example: `  journeysim snapshot baseline --out today.toml
  journeysim run today.toml`,
		Args: cobra.MaximumNArgs(1),
		RunE: func(cmd *cobra.Command, args []string) error {
			opts.Out, opts.Err = cmd.OutOrStdout(), cmd.ErrOrStderr()
			opts.Scenario = scenarioRef(args)
			if err := opts.parse(cmd); err != nil {
				return err
			}
			if opts.File == "" || !strings.HasSuffix(opts.File, ".toml") {
				return usageErrorf("--out: the snapshot's file, a name ending in .toml")
			}
			if runF != nil {
				return runF(opts)
			}
			return runSnapshot(cmd.Context(), opts)
		},
	}
	f := c.Flags()
	opts.scenarioFlags.add(f)
	f.StringVar(&opts.File, "out", "", "the scenario file to write (.toml)")
	f.BoolVar(&opts.Force, "force", false, "replace --out if journeysim snapshot wrote it")
	return c
}

func runSnapshot(ctx context.Context, opts *SnapshotOptions) error {
	sc, m, err := opts.load(opts.Scenario)
	if err != nil {
		return err
	}
	if sc.Start != nil {
		return usageErrorf("%s starts from a snapshot already: take one of the scenario it is built on", opts.Scenario)
	}
	if err := output.CheckWriteFile(opts.File, scenario.SnapshotHeader, opts.Force, sc.Files...); err != nil {
		return err
	}
	if err := m.Settle(ctx, opts.Workers); err != nil {
		return err
	}
	st, err := m.Snapshot(ctx, sc.Seed(), sc.Replications(), opts.Workers)
	if err != nil {
		return err
	}
	comment := fmt.Sprintf("%s at the end of its %s warm-up: the mean of %d replications (seed %d),\n%d people in all.",
		sc.Name, scenario.FormatDays(sc.Warmup()), sc.Replications(), sc.Seed(), st.Total())
	name := sc.Name + ", from a snapshot"
	if err := output.WriteFileAtomic(opts.File, scenario.SnapshotFile(st, name, calibrate.BaseRef(opts.Scenario, opts.File), comment)); err != nil {
		return err
	}
	fmt.Fprintf(opts.Out, "%d people in %d groups written to %s\nnext: journeysim run %s\n", st.Total(), len(st.People), opts.File, opts.File)
	return nil
}
