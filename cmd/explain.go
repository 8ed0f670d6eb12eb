package cmd

import (
	"fmt"
	"io"
	"text/tabwriter"

	"github.com/spf13/cobra"

	"github.com/journeysim/journeysim/models"
	"github.com/journeysim/journeysim/models/evidence"
	"github.com/journeysim/journeysim/models/scenario"
	"github.com/journeysim/journeysim/output"
)

// ExplainOptions are the inputs of `journeysim explain`.
type ExplainOptions struct {
	Out      io.Writer
	Scenario string
	Sets     []string
	Format   string
	Sources  bool
}

// NewCmdExplain returns `journeysim explain`.
func NewCmdExplain(runF func(*ExplainOptions) error) *cobra.Command {
	opts := &ExplainOptions{}
	c := &cobra.Command{
		Use:   "explain [SCENARIO|FILE]",
		Short: "List every parameter with its value, source and where it was set",
		Long: `Lists every number and distribution of a scenario: its value, any declared
uncertainty, the condition under which a modifier applies, its source (a row of
the evidence table with its citation, "derived" from rows, or "assumption"),
and where it was set (the base file, the scenario file, or --set). Each path
is one that --set, --vary and --range accept.

With --sources it lists the evidence table instead: every row a source may
cite, with its value, setting and citation.`,
		Example: `  journeysim explain case-managers-at-detox
  journeysim explain my-area.toml --format csv > parameters.csv
  journeysim explain --sources`,
		Args: cobra.MaximumNArgs(1),
		RunE: func(cmd *cobra.Command, args []string) error {
			opts.Out = cmd.OutOrStdout()
			opts.Scenario = scenarioRef(args)
			switch opts.Format {
			case "table", "csv", "json":
			default:
				return usageErrorf("unknown --format %q: use table, csv or json", opts.Format)
			}
			if runF != nil {
				return runF(opts)
			}
			if opts.Sources {
				return sourcesRun(opts)
			}
			return explainRun(opts)
		},
	}
	c.Flags().StringArrayVar(&opts.Sets, "set", nil, "override a scenario value: path=value (repeatable)")
	c.Flags().StringVar(&opts.Format, "format", "table", "table, csv or json")
	c.Flags().BoolVar(&opts.Sources, "sources", false, "list the evidence table: the rows a value's source may cite")
	return c
}

func explainRun(opts *ExplainOptions) error {
	sc, err := models.Load(opts.Scenario, opts.Sets)
	if err != nil {
		return err
	}
	ps := sc.Parameters()
	header := []string{"parameter", "value", "uncertainty", "when", "source", "citation", "note", "set_in"}
	row := func(p scenario.Parameter) []string {
		return []string{p.Path, p.Value, p.Uncertainty, p.When, p.Source, p.Citation, p.Note, p.Origin}
	}
	switch opts.Format {
	case "csv":
		return output.WriteRecordsCSV(opts.Out, header, len(ps), func(i int) []string { return row(ps[i]) })
	case "json":
		return output.WriteRecordsJSON(opts.Out, header, len(ps), func(i int) []string { return row(ps[i]) })
	}
	fmt.Fprintf(opts.Out, "%s (%s)\n\n", sc.Name, sc.File)
	tw := tabwriter.NewWriter(opts.Out, 0, 0, 2, ' ', 0)
	fmt.Fprintln(tw, "parameter\tvalue\tuncertainty\twhen\tsource\tset in\tcitation")
	for _, p := range ps {
		fmt.Fprintf(tw, "%s\t%s\t%s\t%s\t%s\t%s\t%s\n", p.Path, p.Value, orDash(p.Uncertainty), orDash(p.When),
			orDash(p.Source), p.Origin, shorten(p.Citation, 90))
	}
	if err := tw.Flush(); err != nil {
		return err
	}
	m, err := models.Build(sc)
	if err != nil {
		return err
	}
	output.WriteCapacities(opts.Out, m.Layout().Capacities)
	for _, w := range sc.Warnings {
		fmt.Fprintf(opts.Out, "warning: %s\n", w)
	}
	return nil
}

// sourcesRun lists the evidence table.
func sourcesRun(opts *ExplainOptions) error {
	rows := evidence.All()
	header := []string{"id", "parameter", "value", "unit", "setting", "citation", "url", "quality", "verified"}
	row := func(i int) []string {
		s := rows[i]
		v := "yes"
		if !s.Verified {
			v = "no: not to be cited"
		}
		return []string{s.ID, s.Parameter, s.Value, s.Unit, s.Setting, s.Citation, s.URL, s.Quality, v}
	}
	switch opts.Format {
	case "csv":
		return output.WriteRecordsCSV(opts.Out, header, len(rows), row)
	case "json":
		return output.WriteRecordsJSON(opts.Out, header, len(rows), row)
	}
	tw := tabwriter.NewWriter(opts.Out, 0, 0, 2, ' ', 0)
	fmt.Fprintln(tw, "id\tparameter\tvalue\tcitation")
	for i := range rows {
		r := row(i)
		id := r[0]
		if !rows[i].Verified {
			id += " (not verified)"
		}
		fmt.Fprintf(tw, "%s\t%s\t%s\t%s\n", id, shorten(r[1], 60), shorten(r[2], 50), shorten(r[5], 60))
	}
	if err := tw.Flush(); err != nil {
		return err
	}
	_, err := fmt.Fprintln(opts.Out, "\nA value's source is a row id (\"C3\" or \"C3, D4\"), \"derived: A6\", \"assumption\" or \"calibrated\"; --format csv gives every column.")
	return err
}

func orDash(s string) string {
	if s == "" {
		return "-"
	}
	return s
}

func shorten(s string, n int) string {
	if r := []rune(s); len(r) > n {
		return string(r[:n-3]) + "..."
	}
	return s
}
