package cmd

import (
	"fmt"
	"io"
	"strings"
	"text/tabwriter"

	"github.com/spf13/cobra"

	"github.com/journeysim/journeysim/models"
	"github.com/journeysim/journeysim/models/scenario"
	"github.com/journeysim/journeysim/output"
)

// ScenariosOptions are the inputs of `journeysim scenarios`.
type ScenariosOptions struct {
	Out    io.Writer
	Format string
}

// NewCmdScenarios returns `journeysim scenarios`.
func NewCmdScenarios(runF func(*ScenariosOptions) error) *cobra.Command {
	opts := &ScenariosOptions{}
	c := &cobra.Command{
		Use:   "scenarios",
		Short: "List the shipped scenarios",
		Args:  cobra.NoArgs,
		RunE: func(cmd *cobra.Command, _ []string) error {
			opts.Out = cmd.OutOrStdout()
			switch opts.Format {
			case "table", "csv", "json":
			default:
				return usageErrorf("unknown --format %q: use table, csv or json", opts.Format)
			}
			if runF != nil {
				return runF(opts)
			}
			return scenariosRun(opts)
		},
	}
	c.Flags().StringVar(&opts.Format, "format", "table", "table, csv or json")
	return c
}

func scenariosRun(opts *ScenariosOptions) error {
	names, err := scenario.ScenarioNames(nil)
	if err != nil {
		return err
	}
	rows := make([][]string, len(names))
	for i, n := range names {
		sc, err := models.Load(n, nil)
		if err != nil {
			return fmt.Errorf("shipped scenario %s: %w", n, err)
		}
		base := strings.TrimSuffix(sc.Base, ".toml")
		rows[i] = []string{n, sc.Name, base, sc.Description, sc.CompareWith}
	}
	header := []string{"scenario", "name", "base", "description", "compare_with"}
	switch opts.Format {
	case "csv":
		return output.WriteRecordsCSV(opts.Out, header, len(rows), func(i int) []string { return rows[i] })
	case "json":
		return output.WriteRecordsJSON(opts.Out, header, len(rows), func(i int) []string { return rows[i] })
	}
	tw := tabwriter.NewWriter(opts.Out, 0, 0, 2, ' ', 0)
	for _, r := range rows {
		desc := r[3]
		if desc == "" {
			desc = r[1]
		}
		fmt.Fprintf(tw, "%s\t%s\n", r[0], desc)
	}
	return tw.Flush()
}
