package area

import (
	"bufio"
	"errors"
	"fmt"
	"io"
	"math"
	"slices"
	"strconv"
	"strings"

	"github.com/journeysim/journeysim/models/calibrate"
	"github.com/journeysim/journeysim/models/scenario"
)

// Figures are an area's routine figures, as national monitoring (NDTMS)
// and the commissioner's own accounts give them. A zero is a figure not
// given, except where it says otherwise.
type Figures struct {
	// InTreatment is the number of people in treatment on a day; Opiate
	// the share of them who are opiate clients.
	InTreatment float64
	Opiate      float64
	// Distinct is the number of people in treatment at any time in a year.
	Distinct float64
	// Starts is the number of new treatment journeys a year.
	Starts float64
	// WaitDays is the mean days from presentation to the start of
	// treatment.
	WaitDays float64
	// Capacities: detox beds, residential rehab places and the community
	// caseload limit. Zero keeps the baseline's.
	DetoxBeds, RehabPlaces, CommunityCapacity float64
	// Budgets a year by service (community, detox, residential), in pounds
	// of PriceYear.
	Budget    map[string]float64
	PriceYear int

	// Where each figure came from, by its name in a figures file: a
	// file's line, or a flag.
	From map[string]string
}

// A figure is one name of a figures file: what it sets and says.
type figure struct {
	name, what string
	set        func(f *Figures, x float64)
}

var figures = []figure{
	{"in_treatment", "people in treatment on a day", func(f *Figures, x float64) { f.InTreatment = x }},
	{"opiate_share", "share of those in treatment who are opiate clients, 0 to 1", func(f *Figures, x float64) { f.Opiate = x }},
	{"distinct", "distinct people in treatment in a year", func(f *Figures, x float64) { f.Distinct = x }},
	{"starts", "new treatment journeys a year", func(f *Figures, x float64) { f.Starts = x }},
	{"wait_days", "mean days from presentation to the start of treatment", func(f *Figures, x float64) { f.WaitDays = x }},
	{"detox_beds", "inpatient detox beds", func(f *Figures, x float64) { f.DetoxBeds = x }},
	{"rehab_places", "residential rehab places", func(f *Figures, x float64) { f.RehabPlaces = x }},
	{"community_capacity", "community treatment caseload limit", func(f *Figures, x float64) { f.CommunityCapacity = x }},
	{"budget.community", "community treatment budget a year, pounds", func(f *Figures, x float64) { f.setBudget("community", x) }},
	{"budget.detox", "inpatient detox budget a year, pounds", func(f *Figures, x float64) { f.setBudget("detox", x) }},
	{"budget.residential", "residential rehab budget a year, pounds", func(f *Figures, x float64) { f.setBudget("residential", x) }},
	{"price_year", "the year of the budgets' pounds (default 2024)", func(f *Figures, x float64) { f.PriceYear = int(x) }},
}

func (f *Figures) setBudget(service string, x float64) {
	if f.Budget == nil {
		f.Budget = map[string]float64{}
	}
	f.Budget[service] = x
}

// Names lists the figures a figures file (or journeysim init's flags) can
// give, each with what it is.
func Names() [][2]string {
	var out [][2]string
	for _, fg := range figures {
		out = append(out, [2]string{fg.name, fg.what})
	}
	return out
}

// Set sets the figure called name to x; from says where it came from.
func (f *Figures) Set(name string, x float64, from string) error {
	i := slices.IndexFunc(figures, func(fg figure) bool { return fg.name == name })
	if i < 0 {
		var names []string
		for _, fg := range figures {
			names = append(names, fg.name)
		}
		return fmt.Errorf("unknown figure %q: the figures are %s", name, strings.Join(names, ", "))
	}
	if math.IsNaN(x) || math.IsInf(x, 0) || x < 0 {
		return fmt.Errorf("%s = %g: a figure is a number, 0 or more", name, x)
	}
	if f.From == nil {
		f.From = map[string]string{}
	}
	figures[i].set(f, x)
	f.From[name] = from
	return nil
}

// ReadFigures reads a figures file: CSV lines "figure,value" (a header
// line "figure,value" and lines starting with # are skipped; a third
// field, a note on the figure's source, is allowed). name is the file's,
// for messages and for the figures' sources.
func ReadFigures(name string, r io.Reader) (*Figures, error) {
	f := &Figures{}
	sc := bufio.NewScanner(r)
	var probs []string
	for line := 1; sc.Scan(); line++ {
		t := strings.TrimSpace(sc.Text())
		if t == "" || strings.HasPrefix(t, "#") || strings.HasPrefix(t, "figure,") {
			continue
		}
		fs := strings.SplitN(t, ",", 3)
		if len(fs) < 2 {
			probs = append(probs, fmt.Sprintf("%s:%d: %q: write figure,value (as in_treatment,1400)", name, line, t))
			continue
		}
		key := strings.TrimSpace(fs[0])
		x, err := strconv.ParseFloat(strings.ReplaceAll(strings.TrimSpace(fs[1]), "_", ""), 64)
		if err != nil {
			probs = append(probs, fmt.Sprintf("%s:%d: %s: %q is not a number", name, line, key, fs[1]))
			continue
		}
		if err := f.Set(key, x, fmt.Sprintf("%s:%d", name, line)); err != nil {
			probs = append(probs, fmt.Sprintf("%s:%d: %v", name, line, err))
		}
	}
	if err := sc.Err(); err != nil {
		return nil, fmt.Errorf("%s: %w", name, err)
	}
	if len(probs) > 0 {
		return nil, errors.New(strings.Join(probs, "\n"))
	}
	return f, nil
}

// Check says what is missing or impossible: the calibration needs the
// caseload and the starts at least.
func (f *Figures) Check() error {
	var probs []string
	if f.InTreatment <= 0 {
		probs = append(probs, "in_treatment: required, the people in treatment on a day (NDTMS: in treatment at the end of the period)")
	}
	if f.Starts <= 0 {
		probs = append(probs, "starts: required, the new treatment journeys a year (NDTMS: new presentations)")
	}
	if f.Opiate > 1 {
		probs = append(probs, fmt.Sprintf("opiate_share = %g: a share, 0 to 1 (55%% is 0.55)", f.Opiate))
	}
	if f.Distinct > 0 && f.Distinct < f.InTreatment {
		probs = append(probs, fmt.Sprintf("distinct = %g is fewer than in_treatment = %g: everyone in treatment on a day is in treatment that year", f.Distinct, f.InTreatment))
	}
	if f.CommunityCapacity > 0 && f.CommunityCapacity < f.InTreatment/2 {
		probs = append(probs, fmt.Sprintf("community_capacity = %g cannot hold most of the %g in treatment: the community caseload limit counts clients", f.CommunityCapacity, f.InTreatment))
	}
	if f.PriceYear != 0 && (f.PriceYear < 2010 || f.PriceYear > 2024) {
		probs = append(probs, fmt.Sprintf("price_year = %d: the baseline's price index runs from 2010 to 2024", f.PriceYear))
	}
	if len(probs) > 0 {
		return errors.New(strings.Join(probs, "\n"))
	}
	return nil
}

// Tolerance is how near the calibrated run must come to each figure: a
// target's sd is half of it, so a fit within two sds is within it.
const Tolerance = 0.05

// Targets are the calibration targets the figures give.
func (f *Figures) Targets() []calibrate.Target {
	t := func(id, metric string, x float64) calibrate.Target {
		return calibrate.Target{ID: id, Metric: metric, Value: x, SD: x * Tolerance / 2}
	}
	ts := []calibrate.Target{
		t("in_treatment", "person_years.in_treatment", f.InTreatment),
		t("starts", "journeys_started", f.Starts),
	}
	if f.Opiate > 0 {
		// The share's sd is in points: 5% of 0.55 would ask for more than
		// the replications can tell.
		ts = append(ts, calibrate.Target{ID: "opiate_share", Metric: "caseload_share.drug.opiate", Value: f.Opiate, SD: 0.01})
	}
	if f.Distinct > 0 {
		ts = append(ts, t("distinct", "distinct_clients_treated", f.Distinct))
	}
	if f.WaitDays > 0 {
		ts = append(ts, t("wait_days", "days_to_treatment", f.WaitDays))
	}
	return ts
}

// The parameters the calibration fits: the first presentations a year (the
// size of the system), the opiate share of them (its mix), the community
// stays of opiate and other clients (how long the caseload holds them)
// and, with a wait given, how fast assessment is.
const (
	paramArrivals   = "arrivals.per_year"
	paramOpiate     = "case_mix.drug.opiate"
	paramAssessment = "places.assessment.stay_modifiers"
)

// Params are the key paths the calibration fits for these figures, in sc
// as Build made it.
func (f *Figures) Params(sc *scenario.Scenario) []string {
	ps := []string{paramArrivals, "places.community.stay_modifiers[0].hazard_ratio", "places.community.stay_modifiers[1].hazard_ratio"}
	if f.Opiate > 0 {
		ps = append(ps, paramOpiate)
	}
	if f.WaitDays > 0 {
		ps = append(ps, fmt.Sprintf("%s[%d].hazard_ratio", paramAssessment, len(sc.Places["assessment"].StayModifiers)-1))
	}
	return ps
}
