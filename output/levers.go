package output

import (
	"bytes"
	"fmt"
	"io"
	"math"
	"os"
	"strings"

	"github.com/journeysim/journeysim/models/estimate"
	"github.com/journeysim/journeysim/models/result"
)

// A Lever is one shipped lever compared with the scenario it changes, on
// common random numbers.
type Lever struct {
	Scenario string // its file's name, "case-managers-at-detox"
	Name     string // its title
	Against  string // the scenario it is compared with
	Diffs    []Difference
	Econ     *result.CostEffect // nil if either run is not valued
}

// leverColumns are the lever table's measures: the metric and its heading.
// Numbers are as the report puts them (HumanChange).
var leverColumns = []struct{ metric, heading string }{
	{"distinct_clients_treated", "people treated a year"},
	{"deaths", "deaths a year"},
	{"days_to_treatment", "days to treatment"},
	{"cost.total", "treatment cost a year"},
}

// LeverHeader is the header of the lever table's CSV form.
var LeverHeader = []string{"scenario", "name", "against", "measure", "mean", "ci_low", "ci_high", "unit"}

// WriteLeverTable writes the levers as a Markdown table: for each, the
// change in each of the lever columns with its 95% CI, then the ICER and
// the incremental return on investment.
func WriteLeverTable(w io.Writer, ls []Lever, money string) error {
	var b bytes.Buffer
	b.WriteString("| lever | against |")
	for _, c := range leverColumns {
		fmt.Fprintf(&b, " %s |", c.heading)
	}
	fmt.Fprintf(&b, " ICER (a QALY, %s prices) | return (crime saved per £1 spent) |\n|---|---|", strings.TrimPrefix(money, "GBP "))
	for range leverColumns {
		b.WriteString("---|")
	}
	b.WriteString("---|---|\n")
	for _, l := range ls {
		fmt.Fprintf(&b, "| `%s` | `%s` |", l.Scenario, l.Against)
		for _, c := range leverColumns {
			d, ok := findDiff(l.Diffs, c.metric)
			if !ok {
				b.WriteString(" – |")
				continue
			}
			fmt.Fprintf(&b, " %s |", changeCI(d))
		}
		if l.Econ == nil {
			b.WriteString(" – | – |\n")
			continue
		}
		fmt.Fprintf(&b, " %s | %s |\n", icerText(l.Econ), ratioCI(l.Econ.Incremental, ""))
	}
	_, err := w.Write(b.Bytes())
	return err
}

// WriteLeversCSV writes the lever table long: one row a lever and measure.
func WriteLeversCSV(w io.Writer, ls []Lever) error {
	type row struct {
		l             *Lever
		measure, unit string
		mean, lo, hi  float64
	}
	var rows []row
	for i := range ls {
		l := &ls[i]
		for _, c := range leverColumns {
			if d, ok := findDiff(l.Diffs, c.metric); ok {
				rows = append(rows, row{l, c.metric, d.Unit, d.Diff.Mean, d.Diff.CILow, d.Diff.CIHigh})
			}
		}
		if l.Econ != nil {
			rows = append(rows, row{l, "icer", l.Econ.Money + " per QALY", l.Econ.ICER.Mean, l.Econ.ICER.CILow, l.Econ.ICER.CIHigh},
				row{l, "roi.incremental", "returned per 1 spent", l.Econ.Incremental.Mean, l.Econ.Incremental.CILow, l.Econ.Incremental.CIHigh})
		}
	}
	return WriteRecordsCSV(w, LeverHeader, len(rows), func(i int) []string {
		r := rows[i]
		return []string{r.l.Scenario, r.l.Name, r.l.Against, r.measure, csvFloat(r.mean), csvFloat(r.lo), csvFloat(r.hi), r.unit}
	})
}

func findDiff(ds []Difference, metric string) (Difference, bool) {
	for _, d := range ds {
		if d.Name == metric {
			return d, true
		}
	}
	return Difference{}, false
}

// changeCI is a difference and its 95% CI as the report writes it; a
// change that is exactly 0 in every pair (the lever does not touch it) is
// "0".
func changeCI(d Difference) string {
	if d.Diff.Mean == 0 && d.Diff.CILow == 0 && d.Diff.CIHigh == 0 {
		return "0"
	}
	return HumanChange(d.Diff.Mean, d.Diff.CILow, d.Diff.CIHigh, d.Unit)
}

// ratioCI is a ratio with its Fieller CI in unit (money, or "" for a
// plain number).
func ratioCI(r estimate.Ratio, unit string) string {
	if math.IsNaN(r.Mean) {
		return "no data"
	}
	if math.IsNaN(r.CILow) {
		return Human(r.Mean, unit) + " (CI unbounded)"
	}
	return fmt.Sprintf("%s (%s)", Human(r.Mean, unit), HumanCI(r.CILow, r.CIHigh, unit))
}

// icerText is the ICER with its Fieller CI, said as the quadrant of the
// cost-effectiveness plane reads once the CIs place it: a lever that saves
// money and gains QALYs dominates, one that costs more for fewer is
// dominated, one that saves money and loses QALYs saves so much a QALY
// lost. A QALY change whose CI includes none has no ratio worth reading.
func icerText(ce *result.CostEffect) string {
	dc, dq := ce.Cost, ce.QALYs
	above := func(m estimate.Mean) bool { return m.CILow > 0 }
	below := func(m estimate.Mean) bool { return m.CIHigh < 0 }
	switch {
	case dc.Mean == 0 && dq.Mean == 0:
		return "no change"
	case !above(dq) && !below(dq):
		return fmt.Sprintf("no clear QALY change: %s", HumanChange(dq.Mean, dq.CILow, dq.CIHigh, "QALYs"))
	case above(dq) && below(dc):
		return fmt.Sprintf("dominant: saves %s (discounted), gains %s QALYs", Human(-dc.Mean, ce.Money), sig(dq.Mean))
	case below(dq) && above(dc):
		return fmt.Sprintf("dominated: costs %s more (discounted), loses %s QALYs", Human(dc.Mean, ce.Money), sig(-dq.Mean))
	case below(dq):
		return "saves " + ratioCI(ce.ICER, ce.Money) + " a QALY lost"
	}
	return ratioCI(ce.ICER, ce.Money)
}

// UpdateBlock writes block to w if path is empty, and otherwise puts it
// between the marker lines begin and end of the file at path, through a
// temporary file and a rename. It reports whether it wrote the file.
func UpdateBlock(w io.Writer, path, begin, end string, block []byte) (bool, error) {
	if path == "" {
		_, err := w.Write(block)
		return false, err
	}
	text, err := os.ReadFile(path)
	if err != nil {
		return false, err
	}
	out, err := ReplaceBlock(text, begin, end, block)
	if err != nil {
		return false, fmt.Errorf("%s: %w", path, err)
	}
	return true, WriteFileAtomic(path, out)
}

// ReplaceBlock replaces the lines between the line holding begin and the
// line holding end in text with block, keeping both marker lines.
func ReplaceBlock(text []byte, begin, end string, block []byte) ([]byte, error) {
	i := bytes.Index(text, []byte(begin))
	if i < 0 {
		return nil, fmt.Errorf("no line %q to put the table after", begin)
	}
	i += bytes.IndexByte(text[i:], '\n') + 1
	j := bytes.Index(text[i:], []byte(end))
	if j < 0 {
		return nil, fmt.Errorf("no line %q after %q to end the table", end, begin)
	}
	j += i
	j = bytes.LastIndexByte(text[:j], '\n') + 1
	var out bytes.Buffer
	out.Write(text[:i])
	out.Write(block)
	out.Write(text[j:])
	return out.Bytes(), nil
}
