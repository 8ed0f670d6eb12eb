package output

import (
	"encoding/json"
	"fmt"
	"io"
	"math"
	"sort"
	"strconv"
	"strings"
	"text/tabwriter"
	"unicode"
	"unicode/utf8"

	"github.com/journeysim/journeysim/models/result"
)

// Difference is one metric compared between two scenarios run on common
// random numbers: replication i of one is paired with replication i of the
// other, and the CI is that of the mean paired difference.
type Difference struct {
	result.MetricInfo
	Base, Alt Summary
	Diff      Summary // of alt − base, over pairs where both had data
	// Rel is the mean difference over the base mean; NaN if the base is 0.
	Rel float64
}

// Significant reports whether the difference's 95% CI excludes zero.
func (d Difference) Significant() bool {
	return !math.IsNaN(d.Diff.CILow) && (d.Diff.CILow > 0 || d.Diff.CIHigh < 0)
}

// Compare pairs the metrics the two models share, by name, in the base's order.
func Compare(base *result.Layout, br []*result.Result, alt *result.Layout, ar []*result.Result) []Difference {
	bs, as := Summarize(base, br), Summarize(alt, ar)
	altIndex := map[string]int{}
	for i, info := range alt.Metrics {
		altIndex[info.Name] = i
	}
	n := min(len(br), len(ar))
	var out []Difference
	for bi, info := range base.Metrics {
		ai, ok := altIndex[info.Name]
		if !ok {
			continue
		}
		var ds []float64
		for r := range n {
			b, a := br[r].Values[bi], ar[r].Values[ai]
			if !math.IsNaN(b) && !math.IsNaN(a) {
				ds = append(ds, a-b)
			}
		}
		d := Difference{MetricInfo: info, Base: bs[bi], Alt: as[ai], Diff: summarizeDiff(info, ds), Rel: math.NaN()}
		if bs[bi].Mean != 0 && !math.IsNaN(bs[bi].Mean) {
			d.Rel = d.Diff.Mean / math.Abs(bs[bi].Mean)
		}
		out = append(out, d)
	}
	return out
}

// WriteCompareTable writes base, alternative, difference with its 95% CI,
// and relative change for each metric, the headline metrics first.
func WriteCompareTable(w io.Writer, altName string, ds []Difference, headline []string) error {
	tw := tabwriter.NewWriter(w, 0, 0, 2, ' ', 0)
	fmt.Fprintf(tw, "metric\tbase\t%s\tdifference\t95%% CI\tchange\tunit\tmeasure\n", altName)
	row := func(d Difference) {
		ci, rel := d.Diff.CIText(), relText(d.Rel)
		mark := ""
		if d.Significant() {
			mark = " *"
		}
		fmt.Fprintf(tw, "  %s\t%s\t%s\t%s%s\t%s\t%s\t%s\t%s\n", d.Name, Format(d.Base.Mean), Format(d.Alt.Mean),
			signed(d.Diff.Mean), mark, ci, rel, d.Unit, (*result.Layout)(nil).Label(d.Name))
	}
	isHead := map[string]bool{}
	for _, h := range headline {
		isHead[h] = true
	}
	fmt.Fprintln(tw, "headline\t\t\t\t\t\t\t")
	for _, h := range headline {
		for _, d := range ds {
			if d.Name == h {
				row(d)
			}
		}
	}
	fmt.Fprintln(tw, "all other metrics\t\t\t\t\t\t\t")
	for _, d := range ds {
		if !isHead[d.Name] {
			row(d)
		}
	}
	if err := tw.Flush(); err != nil {
		return err
	}
	_, err := fmt.Fprintln(w, "* the 95% CI of the paired difference excludes zero")
	return err
}

func signed(x float64) string {
	s := Format(x)
	if x > 0 {
		s = "+" + s
	}
	return s
}

// Reading returns a one-line plain-English summary of the largest changes:
// the headline metrics whose difference is significant, largest relative
// change first (at most three).
func Reading(altName string, ds []Difference, headline []string, l *result.Layout) string {
	isHead := map[string]bool{}
	for _, h := range headline {
		isHead[h] = true
	}
	var sig []Difference
	for _, d := range ds {
		if isHead[d.Name] && d.Significant() && !math.IsNaN(d.Rel) {
			sig = append(sig, d)
		}
	}
	if len(sig) == 0 {
		return fmt.Sprintf("%s: no headline metric changed beyond its 95%% confidence interval.", altName)
	}
	sort.SliceStable(sig, func(i, j int) bool { return math.Abs(sig[i].Rel) > math.Abs(sig[j].Rel) })
	if len(sig) > 3 {
		sig = sig[:3]
	}
	parts := make([]string, len(sig))
	for i, d := range sig {
		dir := "up"
		if d.Rel < 0 {
			dir = "down"
		}
		parts[i] = fmt.Sprintf("%s %s %.0f%% (%s to %s)", lowerLabel(l.Label(d.Name)), dir, 100*math.Abs(d.Rel), Human(d.Base.Mean, d.Unit), Human(d.Alt.Mean, d.Unit))
	}
	return fmt.Sprintf("%s against the base: %s.", altName, strings.Join(parts, "; "))
}

// lowerLabel starts a label in lower case for the middle of a sentence,
// an acronym aside.
func lowerLabel(s string) string {
	r, n := utf8.DecodeRuneInString(s)
	if r2, _ := utf8.DecodeRuneInString(s[n:]); unicode.IsUpper(r2) {
		return s
	}
	return string(unicode.ToLower(r)) + s[n:]
}

// WriteDifferencesCSV writes each metric's base and alternative means and
// the paired difference with its 95% CI.
func WriteDifferencesCSV(w io.Writer, ds []Difference) error {
	cw := newCSVWriter(w)
	cw.Write(differenceHeader)
	for _, d := range ds {
		cw.Write(differenceRow(d))
	}
	cw.Flush()
	return cw.Error()
}

var differenceHeader = []string{"metric", "base_mean", "alt_mean", "difference", "ci_low", "ci_high", "relative_change", "unit", "n_pairs"}

func differenceRow(d Difference) []string {
	return []string{d.Name, csvFloat(d.Base.Mean), csvFloat(d.Alt.Mean), csvFloat(d.Diff.Mean),
		csvFloat(d.Diff.CILow), csvFloat(d.Diff.CIHigh), csvFloat(d.Rel), d.Unit, strconv.Itoa(d.Diff.N)}
}

// Comparison is one alternative's differences from the base.
type Comparison struct {
	Alternative string
	Diffs       []Difference
}

// WriteComparisonsCSV writes every alternative's differences as one CSV
// document, the alternative in the first column.
func WriteComparisonsCSV(w io.Writer, cs []Comparison) error {
	cw := newCSVWriter(w)
	cw.Write(append([]string{"alternative"}, differenceHeader...))
	for _, c := range cs {
		for _, d := range c.Diffs {
			cw.Write(append([]string{c.Alternative}, differenceRow(d)...))
		}
	}
	cw.Flush()
	return cw.Error()
}

// WriteComparisonsJSON writes every alternative's differences as one JSON
// document: the base, then each alternative with its differences keyed by
// metric in the base's metric order.
func WriteComparisonsJSON(w io.Writer, base string, cs []Comparison) error {
	var b strings.Builder
	fmt.Fprintf(&b, "{\n  \"base\": %s,\n  \"alternatives\": [", jsonString(base))
	for i, c := range cs {
		if i > 0 {
			b.WriteString(",")
		}
		fmt.Fprintf(&b, "\n    {\"alternative\": %s, \"differences\": {", jsonString(c.Alternative))
		writeDifferences(&b, c.Diffs, "\n      ")
		b.WriteString("\n    }}")
	}
	b.WriteString("\n  ]\n}\n")
	_, err := io.WriteString(w, b.String())
	return err
}

// WriteDifferencesJSON writes each metric's comparison as a JSON object
// keyed by metric name, in the base's metric order; no data is null.
func WriteDifferencesJSON(w io.Writer, base, alt string, ds []Difference) error {
	var b strings.Builder
	fmt.Fprintf(&b, "{\n  \"base\": %s,\n  \"alternative\": %s,\n  \"differences\": {", jsonString(base), jsonString(alt))
	writeDifferences(&b, ds, "\n    ")
	b.WriteString("\n  }\n}\n")
	_, err := io.WriteString(w, b.String())
	return err
}

func writeDifferences(b *strings.Builder, ds []Difference, indent string) {
	for i, d := range ds {
		if i > 0 {
			b.WriteString(",")
		}
		fmt.Fprintf(b, "%s%s: {\"base_mean\": %s, \"alt_mean\": %s, \"difference\": %s, \"ci_low\": %s, \"ci_high\": %s, \"relative_change\": %s, \"unit\": %s, \"n_pairs\": %d}",
			indent, jsonString(d.Name), jsonNum(d.Base.Mean), jsonNum(d.Alt.Mean), jsonNum(d.Diff.Mean), jsonNum(d.Diff.CILow), jsonNum(d.Diff.CIHigh), jsonNum(d.Rel), jsonString(d.Unit), d.Diff.N)
	}
}

// jsonString is s as a JSON string.
func jsonString(s string) string {
	b, _ := json.Marshal(s)
	return string(b)
}

func jsonNum(x float64) string {
	v, _ := jsonNumber(x).MarshalJSON()
	return string(v)
}
