package cmd

import (
	"fmt"
	"io"
	"text/tabwriter"

	"github.com/spf13/cobra"

	"github.com/journeysim/journeysim/models"
)

// ScenariosOptions are the inputs of `journeysim scenarios`.
type ScenariosOptions struct {
	Out io.Writer
}

// NewCmdScenarios returns `journeysim scenarios`.
func NewCmdScenarios(runF func(*ScenariosOptions) error) *cobra.Command {
	opts := &ScenariosOptions{}
	return &cobra.Command{
		Use:   "scenarios",
		Short: "List the shipped scenarios",
		Args:  cobra.NoArgs,
		RunE: func(cmd *cobra.Command, _ []string) error {
			opts.Out = cmd.OutOrStdout()
			if runF != nil {
				return runF(opts)
			}
			return scenariosRun(opts)
		},
	}
}

func scenariosRun(opts *ScenariosOptions) error {
	names, err := models.ScenarioNames(nil)
	if err != nil {
		return err
	}
	tw := tabwriter.NewWriter(opts.Out, 0, 0, 2, ' ', 0)
	for _, n := range names {
		sc, err := models.Load(n, nil)
		if err != nil {
			return fmt.Errorf("shipped scenario %s: %w", n, err)
		}
		desc := sc.Description
		if desc == "" {
			desc = sc.Name
		}
		fmt.Fprintf(tw, "%s\t%s\n", n, desc)
	}
	return tw.Flush()
}
