package result

import (
	"strings"
	"unicode"
	"unicode/utf8"
)

// metricLabels are the plain-language names of metrics that stand alone:
// the one table the report, the CSVs, JSON and the command line share.
var metricLabels = map[string]string{
	"presentations":                  "Presentations for treatment",
	"new_presentations":              "First presentations",
	"distinct_clients_treated":       "People in treatment",
	"clients_admitted":               "People admitted to treatment",
	"journeys_started":               "Treatment journeys started",
	"journey_share.from_justice":     "Journeys referred by the justice system",
	"journey_share.after_justice":    "Journeys after a justice contact in the 2 years before",
	"person_years.in_treatment":      "Time in treatment",
	"person_years.out_of_treatment":  "Time out of treatment",
	"completion_rate":                "Completions over people in treatment",
	"completion_rate_sustained":      "Completions not followed by a return within 6 months",
	"completions_represent_6m":       "Completions followed by a return within 6 months",
	"effective_treatment":            "Retained 12 weeks or completed earlier",
	"exit_share.completed":           "Treatment exits that were completions",
	"exit_share.completed_sustained": "Treatment exits that were completions with no return in 6 months",
	"exit_share.dropped_out":         "Treatment exits that were drop-outs",
	"exit_share.transferred":         "Treatment exits that were transfers",
	"exit_share.died":                "Treatment exits that were deaths",
	"repeat_detox_share":             "Detox admissions that were repeats",
	"days_to_treatment":              "Days from presenting to treatment",
	"days_to_treatment_p90":          "Days from presenting to treatment, 90th centile",
	"deaths":                         "Deaths",
	"deaths.background":              "Deaths at the general population's rate",
	"deaths.drug_poisoning":          "Drug-poisoning deaths",
	"deaths.other":                   "Deaths from other causes",
	"deaths.in_treatment":            "Deaths in treatment",
	"deaths.out_of_treatment":        "Deaths out of treatment",
	"death_rate.in_treatment":        "Death rate in treatment",
	"death_rate.out_of_treatment":    "Death rate out of treatment",
	"deaths_within_4w_of_exit":       "Deaths within 4 weeks of leaving treatment",
	"in_treatment_at_year_end":       "In treatment at the end of a year",
	"in_treatment_over_5y":           "In treatment for over 5 years",
	"age_median.journey_start":       "Median age at the start of a journey",
	"age_mean.in_treatment":          "Mean age in treatment",
	"cost.total":                     "Cost of treatment",
	"cost.total_pv":                  "Cost of treatment over the measured years, discounted",
	"cost_per_completion":            "Cost per completion",
	"crime_cost":                     "Cost of crime",
	"crime_cost_pv":                  "Cost of crime over the measured years, discounted",
	"crime_cost_pv.excl_transfers":   "Cost of crime, discounted, stolen property left out",
	"crime_avoided_in_treatment_pv":  "Crime avoided while in treatment, discounted",
	"health_cost":                    "Health-care costs beyond treatment",
	"health_cost_pv":                 "Health-care costs beyond treatment, discounted",
	"qalys":                          "Quality-adjusted life years",
	"qalys_pv":                       "Quality-adjusted life years, discounted",
	"left.lost_to_contact":           "Lost to contact",
	"left.moved_away":                "Moved away",
	"left.sustained_recovery":        "Left in sustained recovery",
	"left.transferred":               "Transferred to another area",
	// Economics rows of a comparison.
	"incremental_cost":               "Extra cost, discounted",
	"incremental_qalys":              "Extra QALYs, discounted",
	"icer":                           "Cost per QALY gained (ICER)",
	"crime_saved":                    "Crime costs saved, discounted",
	"health_saved":                   "Health-care costs saved, discounted",
	"roi.incremental":                "Crime saved per £1 of extra spending",
	"roi.incremental.excl_transfers": "Crime saved per £1 of extra spending, stolen property left out",
	"bcr.crime_health":               "Crime and health-care costs saved per £1 of extra spending",
}

// placeLabels are labels of metrics of one place, with %s its name.
var placeLabels = map[string]string{
	"occupancy":           "Clients in %s",
	"admissions":          "Admissions to %s",
	"capacity":            "Places at %s",
	"utilisation":         "Places at %s in use",
	"wait_mean_days":      "Mean wait for %s",
	"wait_p90_days":       "Wait for %s, 90th centile",
	"wait_over_21d_share": "Waits for %s over 3 weeks",
	"queue_mean":          "People waiting for %s",
	"reneged":             "People giving up waiting for %s",
	"missed":              "People %s had no place for",
	"cost":                "Cost of %s",
	"median_stay_days":    "Median stay in %s",
	"distinct_admitted":   "People admitted to %s",
	"readmit_90d":         "Readmitted to %s within 90 days",
	"readmit_1y":          "Readmitted to %s within a year",
	"repeat_share":        "Admissions to %s that were repeats",
	"retained_12w":        "Retained in %s 12 weeks",
	"stayed_12w":          "Stayed in %s 12 weeks or more",
	"linkage_30d":         "Other treatment within 30 days of leaving %s",
	"linkage_90d":         "Other treatment within 90 days of leaving %s",
	"dropped_out_12w":     "Dropped out of %s within 12 weeks",
	"dropout_4w_share":    "Drop-outs from %s in the first 4 weeks",
	"person_years":        "Time in %s",
}

// Label is the plain-language name of metric name (a nil Layout takes a
// word after a place measure for a place): from the table of labels, with a place's label for its name, a year, a follow-up and a
// breakdown by attribute said in words, and failing those the name with
// spaces for underscores.
func (l *Layout) Label(name string) string {
	place := func(p string) string {
		if l != nil && l.Scenario != nil {
			if ps := l.Scenario.Places[p]; ps != nil && ps.Label != "" {
				return ps.Label
			}
		}
		return words(p)
	}
	isPlace := func(p string) bool {
		if l == nil || l.Scenario == nil {
			return p != "" && !strings.Contains(p, ".") // no model to ask
		}
		_, ok := l.Scenario.Places[p]
		return ok
	}
	return label(name, place, isPlace)
}

func label(name string, place func(string) string, isPlace func(string) bool) string {
	if s, ok := metricLabels[name]; ok {
		return s
	}
	if rest, ok := strings.CutPrefix(name, "year_"); ok {
		if k, m, ok := strings.Cut(rest, "."); ok {
			return "Year " + k + ": " + lowerFirst(label(m, place, isPlace))
		}
	}
	// A breakdown by an attribute of the case mix.
	if base, lv, ok := cutBreakdown(name); ok {
		return label(base, place, isPlace) + " (" + words(lv) + " clients)"
	}
	head, rest, _ := strings.Cut(name, ".")
	if f, ok := placeLabels[head]; ok && isPlace(rest) {
		return strings.Replace(f, "%s", place(rest), 1)
	}
	if head == "exits" {
		if p, reason, ok := strings.Cut(rest, "."); ok && isPlace(p) {
			return "Exits from " + place(p) + ": " + words(reason)
		}
	}
	if head == "followup" {
		parts := strings.SplitN(rest, ".", 3)
		if len(parts) == 3 {
			return upperFirst(words(parts[0])) + ", at " + parts[1] + ": " + words(parts[2])
		}
	}
	if head == "incidents" {
		return upperFirst(words(rest))
	}
	if w, ok := strings.CutPrefix(name, "net_monetary_benefit@"); ok {
		if len(w) > 3 {
			w = w[:len(w)-3] + "," + w[len(w)-3:]
		}
		return "Net monetary benefit at £" + w + " a QALY"
	}
	if rest, ok := strings.CutPrefix(name, "roi.before_after."); ok {
		at, who, _ := strings.Cut(rest, ".")
		s := "Before-and-after return at " + at
		if who != "" {
			s += ", " + who
		}
		return s
	}
	if rest, ok := strings.CutPrefix(name, "roi.full."); ok {
		who, excl := strings.CutSuffix(rest, ".excl_transfers")
		s := "Crime avoided in treatment per £1 of treatment, " + who
		if excl {
			s += ", stolen property left out"
		}
		return s
	}
	return upperFirst(words(name))
}

// cutBreakdown splits "completion_rate.drug.opiate" into its measure and
// the attribute's level.
func cutBreakdown(name string) (base, level string, ok bool) {
	for _, attr := range []string{".drug.", ".sex.", ".severity.", ".recovery_capital.", ".dual_diagnosis.", ".offender."} {
		if i := strings.LastIndex(name, attr); i > 0 && !strings.Contains(name[i+len(attr):], ".") {
			return name[:i], name[i+len(attr):], true
		}
	}
	return "", "", false
}

func words(s string) string {
	return strings.NewReplacer("_", " ", ".", " ").Replace(s)
}

func upperFirst(s string) string {
	r, n := utf8.DecodeRuneInString(s)
	return string(unicode.ToUpper(r)) + s[n:]
}

func lowerFirst(s string) string {
	r, n := utf8.DecodeRuneInString(s)
	if n < len(s) {
		if r2, _ := utf8.DecodeRuneInString(s[n:]); unicode.IsUpper(r2) {
			return s // an acronym
		}
	}
	return string(unicode.ToLower(r)) + s[n:]
}
