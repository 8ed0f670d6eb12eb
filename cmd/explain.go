package cmd

import (
	"fmt"
	"io"
	"text/tabwriter"

	"github.com/spf13/cobra"

	"github.com/journeysim/journeysim/models"
	"github.com/journeysim/journeysim/output"
)

// ExplainOptions are the inputs of `journeysim explain`.
type ExplainOptions struct {
	Out      io.Writer
	Scenario string
	Sets     []string
	Format   string
}

// NewCmdExplain returns `journeysim explain`.
func NewCmdExplain(runF func(*ExplainOptions) error) *cobra.Command {
	opts := &ExplainOptions{}
	c := &cobra.Command{
		Use:   "explain [SCENARIO|FILE]",
		Short: "List every parameter with its value, source and where it was set",
		Long: `Lists every number and distribution of a scenario: its value, its source (a row
of the evidence table with its citation, "derived" from rows, or "assumption"),
any declared uncertainty, and where it was set (the base file, the scenario
file, or --set).`,
		Args: cobra.MaximumNArgs(1),
		RunE: func(cmd *cobra.Command, args []string) error {
			opts.Out = cmd.OutOrStdout()
			opts.Scenario = scenarioRef(args)
			if opts.Format != "table" && opts.Format != "csv" {
				return usageErrorf("unknown --format %q: use table or csv", opts.Format)
			}
			if runF != nil {
				return runF(opts)
			}
			return explainRun(opts)
		},
	}
	c.Flags().StringArrayVar(&opts.Sets, "set", nil, "override a scenario value: path=value (repeatable)")
	c.Flags().StringVar(&opts.Format, "format", "table", "table or csv")
	return c
}

func explainRun(opts *ExplainOptions) error {
	sc, err := models.Load(opts.Scenario, opts.Sets)
	if err != nil {
		return err
	}
	ps := sc.Parameters()
	if opts.Format == "csv" {
		cw := output.NewCSVWriter(opts.Out)
		cw.Write([]string{"parameter", "value", "source", "citation", "uncertainty", "note", "set_in"})
		for _, p := range ps {
			cw.Write([]string{p.Path, p.Value, p.Source, p.Citation, p.Uncertainty, p.Note, p.Origin})
		}
		cw.Flush()
		return cw.Error()
	}
	fmt.Fprintf(opts.Out, "%s (%s)\n\n", sc.Name, sc.File)
	tw := tabwriter.NewWriter(opts.Out, 0, 0, 2, ' ', 0)
	fmt.Fprintln(tw, "parameter\tvalue\tsource\tset in\tcitation")
	for _, p := range ps {
		src := p.Source
		if src == "" {
			src = "-"
		}
		cit := p.Citation
		if r := []rune(cit); len(r) > 90 {
			cit = string(r[:87]) + "..."
		}
		fmt.Fprintf(tw, "%s\t%s\t%s\t%s\t%s\n", p.Path, p.Value, src, p.Origin, cit)
	}
	return tw.Flush()
}
