package cmd

import (
	"io"
	"runtime"
	"runtime/debug"
	"sort"

	"github.com/spf13/cobra"

	"github.com/journeysim/journeysim/output"
)

// NewCmdReport returns `journeysim report`: run with the report on.
func NewCmdReport(runF func(*RunOptions) error) *cobra.Command {
	c := NewCmdRun(runF)
	c.Use = "report [SCENARIO|FILE]"
	c.Short = "Run a scenario and write its report (HTML and Markdown) with the result files"
	c.Long = `Runs a scenario like journeysim run and also writes report.html, one
self-contained file with every plot embedded as SVG that prints on A4, and its
Markdown twin report.md: the headline table, the plots, the parameter table
with sources, a method section in the STRESS-DES order, and the validation
checks against published figures (--validate=false leaves them out).`
	c.Example = `  journeysim report
  journeysim report case-managers-at-detox --out board-paper/`
	c.Flags().Lookup("report").DefValue = "true"
	c.Flags().Set("report", "true")
	// The report carries the model's validation page unless asked not to.
	c.Flags().Lookup("validate").DefValue = "true"
	c.Flags().Set("validate", "true")
	return c
}

// machine describes this run's software and hardware for the report.
func machine(workers int) output.Machine {
	m := output.Machine{GoVersion: runtime.Version(), OS: runtime.GOOS, Arch: runtime.GOARCH,
		CPUs: runtime.NumCPU(), Workers: workers}
	if bi, ok := debug.ReadBuildInfo(); ok {
		for _, d := range bi.Deps {
			switch d.Path {
			case "gonum.org/v1/gonum", "gonum.org/v1/plot", "github.com/BurntSushi/toml", "github.com/spf13/cobra":
				m.Modules = append(m.Modules, d.Path+" "+d.Version)
			}
		}
		sort.Strings(m.Modules)
	}
	return m
}

// addReport adds report.html and report.md to the bundle.
func addReport(b *output.Bundle, r *output.Report) error {
	if err := b.Add("report.html", r.WriteHTML); err != nil {
		return err
	}
	return b.Add("report.md", func(w io.Writer) error { return r.WriteMarkdown(w) })
}
