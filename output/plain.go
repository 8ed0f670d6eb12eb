package output

import (
	"fmt"
	"math"
	"unicode"
	"unicode/utf8"

	"github.com/journeysim/journeysim/models/result"
	"github.com/journeysim/journeysim/models/scenario"
)

// The first page of a report: what was run or compared, and what it found,
// in sentences a board member reads in two minutes, each number with its
// 95% CI and whether it could be no change.

// summaryMeasures are the measures the first page speaks of, in order,
// with what a sentence calls them.
var summaryMeasures = []struct{ metric, noun string }{
	{"distinct_clients_treated", "people in treatment a year"},
	{"days_to_treatment", "days from presenting to treatment"},
	{"deaths", "deaths a year"},
	{"cost.total", "a year on treatment"},
}

func summaryOf(ss []Summary, name string) (Summary, bool) {
	for _, s := range ss {
		if s.Name == name {
			return s, true
		}
	}
	return Summary{}, false
}

// runSummary is the first page of one run's report.
func (r *Report) runSummary() []string {
	meta := r.Meta
	out := []string{fmt.Sprintf("%s, %d replications of %s measured after a warm-up of %s. Each figure is the mean over replications with its 95%% confidence interval.",
		r.Scenario.Name, meta.Replications, fmtDaysText(meta.HorizonDays), fmtDaysText(meta.WarmupDays))}
	for _, m := range summaryMeasures {
		s, ok := summaryOf(r.Summaries, m.metric)
		if !ok || math.IsNaN(s.Mean) {
			continue
		}
		v := Human(s.Mean, s.Unit)
		switch m.metric {
		case "cost.total":
			out = append(out, fmt.Sprintf("The treatment system costs %s %s (95%% CI %s).", v, HumanUnit(s.Unit), HumanCI(s.CILow, s.CIHigh, s.Unit)))
		default:
			out = append(out, fmt.Sprintf("%s %s (95%% CI %s).", upper(v), m.noun, HumanCI(s.CILow, s.CIHigh, s.Unit)))
		}
	}
	if txt := r.valueSentence(); txt != "" {
		out = append(out, txt)
	}
	return out
}

// comparisonSummary is the first page of a comparison's report.
func (r *Report) comparisonSummary() []string {
	out := []string{fmt.Sprintf("%s compared with %s, on %d paired replications of %s (common random numbers: replication i of each sees the same people and chances). Each change is the mean paired difference with its 95%% confidence interval.",
		r.AltName, r.Scenario.Name, r.Meta.Replications, fmtDaysText(r.Meta.HorizonDays))}
	for _, m := range summaryMeasures {
		d, ok := findDiff(r.Diffs, m.metric)
		if !ok || math.IsNaN(d.Diff.Mean) {
			continue
		}
		out = append(out, changeSentence(d, m.noun, r.Scenario.Name))
	}
	if txt := r.valueSentence(); txt != "" {
		out = append(out, txt)
	}
	return out
}

// changeSentence says a difference in words: "17 more people in treatment
// a year than Baseline (95% CI 12 to 22): a real change".
func changeSentence(d Difference, noun, base string) string {
	u := d.Unit
	mean, ci := d.Diff.Mean, HumanCI(d.Diff.CILow, d.Diff.CIHigh, u)
	word := "more"
	if mean < 0 {
		word = "fewer"
	}
	if _, money := moneyOf(u); money {
		word = "more spent"
		if mean < 0 {
			word = "less spent"
		}
	}
	verdict := "a change the replications can tell from none"
	if !d.Significant() {
		verdict = "which could be no change"
	}
	if mean == 0 && d.Diff.CILow == 0 && d.Diff.CIHigh == 0 {
		return fmt.Sprintf("No change in %s.", noun)
	}
	return fmt.Sprintf("%s %s %s than %s (95%% CI %s), %s.", upper(Human(math.Abs(mean), u)), word, noun, base, ci, verdict)
}

// valueSentence says what the economics found, if the report has them.
func (r *Report) valueSentence() string {
	var icer, cost, qalys *EconomicsRow
	for i := range r.Economics {
		switch r.Economics[i].Measure {
		case "icer":
			icer = &r.Economics[i]
		case "incremental_cost":
			cost = &r.Economics[i]
		case "incremental_qalys":
			qalys = &r.Economics[i]
		}
	}
	if icer == nil || cost == nil || qalys == nil {
		return ""
	}
	against := r.EconomicsBase
	qualy := fmt.Sprintf("%s QALYs (95%% CI %s to %s)", sig(qalys.Mean), sig(qalys.CILow), sig(qalys.CIHigh))
	spend := fmt.Sprintf("%s (95%% CI %s)", HumanSigned(cost.Mean, cost.Unit), HumanCI(cost.CILow, cost.CIHigh, cost.Unit))
	switch {
	case qalys.CILow <= 0 && qalys.CIHigh >= 0:
		return fmt.Sprintf("Value for money against %s: the change in quality-adjusted life years, %s, could be none, for a change in spending of %s, discounted.", against, qualy, spend)
	case qalys.Mean > 0 && cost.CIHigh < 0:
		return fmt.Sprintf("Value for money against %s: it saves money (%s, discounted) and gains %s: it dominates.", against, spend, qualy)
	case qalys.Mean > 0:
		return fmt.Sprintf("Value for money against %s: %s per quality-adjusted life year gained (95%% CI %s), for %s and %s, discounted. NICE's threshold is £20,000 to £30,000.", against,
			Human(icer.Mean, cost.Unit), icerCI(icer, cost.Unit), qualy, spend)
	}
	return fmt.Sprintf("Value for money against %s: it loses %s, for a change in spending of %s, discounted.", against, qualy, spend)
}

func icerCI(icer *EconomicsRow, unit string) string {
	if math.IsNaN(icer.CILow) {
		return "unbounded"
	}
	return HumanCI(icer.CILow, icer.CIHigh, unit)
}

func upper(s string) string {
	r, n := utf8.DecodeRuneInString(s)
	return string(unicode.ToUpper(r)) + s[n:]
}

// humanRow is a report row with a label for its name and its numbers
// formatted for a reader.
func humanRow(l *result.Layout, x Summary) reportRow {
	return reportRow{Name: l.Label(x.Name), Mean: Human(x.Mean, x.Unit), CI: HumanCI(x.CILow, x.CIHigh, x.Unit), Unit: HumanUnit(x.Unit), Description: x.Description}
}

// validationScope says which scenario the validation checks ran on, when
// it is not the one reported (ref as run).
func validationScope(ref string, sc *scenario.Scenario) string {
	if ref == "baseline" {
		return ""
	}
	return "These checks ran on the shipped baseline and the scenarios each names, not on " + sc.Name + ": they say how far the model behind this scenario matches the published figures, not how far this scenario matches its area."
}
