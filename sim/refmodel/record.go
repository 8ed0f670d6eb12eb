package refmodel

import (
	"fmt"
	"io"
	"slices"
	"strings"
)

// Ratios are the ratios of one measure to the bare loop, pair by pair, in
// each of several runs of the same pairs.
type Ratios [][]float64

// Add appends x to run i.
func (r *Ratios) Add(run int, x float64) {
	for len(*r) <= run {
		*r = append(*r, nil)
	}
	(*r)[run] = append((*r)[run], x)
}

// String gives the median of every pair, each run's median and the range
// over pairs: "1.21 (runs 1.20, 1.22; pairs 1.15 to 1.30)", or "–" for none.
func (r Ratios) String() string { return r.text(2) }

// text is String with prec decimals.
func (r Ratios) text(prec int) string {
	var all []float64
	var runs []string
	for _, xs := range r {
		if len(xs) == 0 {
			continue
		}
		all = append(all, xs...)
		runs = append(runs, fmt.Sprintf("%.*f", prec, Median(xs)))
	}
	if len(all) == 0 {
		return "–"
	}
	s := fmt.Sprintf("**%.*f**", prec, Median(all))
	var parts []string
	if len(runs) > 1 {
		parts = append(parts, "runs "+strings.Join(runs, ", "))
	}
	if len(all) > 1 {
		parts = append(parts, fmt.Sprintf("pairs %.*f to %.*f", prec, slices.Min(all), prec, slices.Max(all)))
	}
	if len(parts) > 0 {
		s += " (" + strings.Join(parts, "; ") + ")"
	}
	return s
}

// Median returns the median of every pair of every run.
func (r Ratios) Median() float64 {
	var all []float64
	for _, xs := range r {
		all = append(all, xs...)
	}
	return Median(all)
}

// ConfigRecord is what `bench peers` measured of one configuration.
type ConfigRecord struct {
	Name     string // stable or overloaded
	Config   Config
	Scenario Ratios // the scenario's loop over the bare loop's
	Engine   Ratios // the engine's loop over the bare loop's
	Process  Ratios // the whole journeysim run process over the bare loop's process
	SimPy    Ratios // SimPy's loop over the scenario's: a speed-up
	// Bytes per waiting client at the end, medians; 0 when too few wait.
	ScenarioBytes, EngineBytes float64
	BareMevPerSec              float64 // the bare loop's events a second, median, millions
}

// Record is a whole `bench peers` measurement, for the README.
type Record struct {
	When, Version, Machine, Command string
	Configs                         []ConfigRecord
}

// WriteMarkdown writes the record as a paragraph and a table.
func (rec *Record) WriteMarkdown(w io.Writer) error {
	fmt.Fprintf(w, "Measured %s by `%s`, journeysim %s, on %s. Each cell is the median over every pair, in bold, then each run's median and the range over pairs. The loop columns time one replication's event loop alone (each implementation's own timer); the whole-process column times `journeysim run SCENARIO --replications 1 --workers 1` from start to exit (loading, the run, every result file and figure) against the bare loop's process.\n\n",
		rec.When, rec.Command, rec.Version, rec.Machine)
	fmt.Fprintln(w, "| configuration | scenario / bare loop | engine / bare loop | whole process / bare process | SimPy's time / the scenario's | bytes per waiting client (scenario, engine) |")
	fmt.Fprintln(w, "|---|---|---|---|---|---|")
	for _, c := range rec.Configs {
		bytes := "–"
		if c.ScenarioBytes > 0 {
			bytes = fmt.Sprintf("%.1f, %.1f", c.ScenarioBytes, c.EngineBytes)
		}
		fmt.Fprintf(w, "| %s (D = %d, C = %d, %g years; bare loop %.1f M events/s) | %s | %s | %s | %s | %s |\n",
			c.Name, c.Config.CapA, c.Config.CapB, c.Config.Horizon/365, c.BareMevPerSec,
			c.Scenario, c.Engine, c.Process, c.SimPy.text(0), bytes)
	}
	return nil
}
