package cmd

import (
	"fmt"

	"github.com/journeysim/journeysim/output"
	"github.com/spf13/cobra"
)

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
