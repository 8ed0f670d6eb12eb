package area

import (
	"fmt"
	"math"
	"slices"
	"strings"

	"github.com/journeysim/journeysim/models/evidence"
	"github.com/journeysim/journeysim/models/scenario"
)

// Base is what Build needs to know of the scenario it builds on, from a run
// of it: its new treatment journeys a year and the opiate clients' share of
// its caseload.
type Base struct {
	Starts, Opiate float64
}

// DefaultPriceYear is the year of a budget's pounds when none is given:
// the last of the baseline's price index.
const DefaultPriceYear = 2024

// Build sets the figures on sc, the scenario the area builds on, loaded
// (it is changed), and returns the scenario file of the area's inputs,
// named name and built on baseRef: the capacities and budgets as given,
// and first guesses, with wide uncertainties to search within, of the
// parameters the calibration fits (see Params). The guesses scale the
// base's values by how the area's figures compare with the base's run.
func Build(sc *scenario.Scenario, base Base, f *Figures, name, baseRef string) ([]byte, error) {
	if err := f.Check(); err != nil {
		return nil, err
	}
	from := func(fig string) string { return "from " + f.From[fig] }
	var keys []string
	for _, c := range []struct {
		place, fig, note string
		x                float64
	}{
		{"detox", "detox_beds", "beds", f.DetoxBeds},
		{"residential", "rehab_places", "places", f.RehabPlaces},
		{"community", "community_capacity", "the caseload limit", f.CommunityCapacity},
	} {
		if c.x <= 0 {
			continue
		}
		ps := sc.Places[c.place]
		if ps == nil {
			return nil, fmt.Errorf("%s: the base has no place %q", c.fig, c.place)
		}
		ps.Capacity = &scenario.Value{V: math.Round(c.x), Source: evidence.Local, Note: c.note + ", " + from(c.fig)}
		ps.Budget = nil
		keys = append(keys, "places."+c.place+".capacity")
	}

	// Budgets: the area's own unit cost, the budget over the places it pays
	// for a year.
	year := f.PriceYear
	if year == 0 {
		year = DefaultPriceYear
	}
	for _, service := range []string{"community", "detox", "residential"} {
		b, ok := f.Budget[service]
		if !ok {
			continue
		}
		ps := sc.Places[service]
		if ps == nil || ps.Capacity == nil || ps.Capacity.V <= 0 {
			return nil, fmt.Errorf("budget.%s: the base's %s has no capacity to spread the budget over", service, service)
		}
		perDay := b / (365 * ps.Capacity.V)
		ps.Cost = &scenario.CostSpec{Price: fmt.Sprintf("GBP %d", year), PerDay: &scenario.Value{V: perDay, Source: evidence.Local,
			Note: fmt.Sprintf("the area's budget, £%s a year (%s), over %s places a day", thousands(b), from("budget."+service), thousands(ps.Capacity.V))}}
		keys = append(keys, "places."+service+".cost")
	}

	// The size of the system: first presentations in proportion to starts.
	if sc.Arrivals.PerYear == nil || base.Starts <= 0 {
		return nil, fmt.Errorf("the base has no arrivals.per_year, or no starts in its run, to scale")
	}
	g := sc.Arrivals.PerYear.V * f.Starts / base.Starts
	sc.Arrivals.PerYear = &scenario.Value{V: g, Source: evidence.Calibrated,
		Uncertainty: mustDist("uniform(%.4g, %.4g)", g/4, g*4),
		Note:        "first presentations a year: the size of the area's system"}
	keys = append(keys, "arrivals.per_year")

	// The mix: the opiate share of arrivals that gives the caseload's,
	// guessed by keeping the base's odds ratio between the two.
	if f.Opiate > 0 {
		drug := sc.CaseMix["drug"]
		op, ok := drug["opiate"]
		if !ok || len(drug) != 2 || base.Opiate <= 0 || base.Opiate >= 1 {
			return nil, fmt.Errorf("opiate_share: the base's case_mix.drug is not opiate and one other level")
		}
		or := odds(base.Opiate) / odds(op.V)
		p := min(max(fromOdds(odds(min(max(f.Opiate, 0.01), 0.99))/or), 0.06), 0.94)
		for k := range drug {
			v := drug[k]
			v.V, v.Uncertainty, v.Source = 1-p, scenario.Dist{}, evidence.Calibrated
			v.Note = "the rest of the arrivals"
			if k == "opiate" {
				v.V, v.Uncertainty = p, mustDist("uniform(0.05, 0.95)")
				v.Note = "the opiate share of first presentations, fitted to the opiate share of the caseload"
			}
			drug[k] = v
		}
		keys = append(keys, "case_mix.drug")
	}

	// How long clients stay in community treatment, by drug: the area's
	// retention may be far from England's, so the search is wider than
	// the base's uncertainty.
	com := sc.Places["community"]
	for i, c := range []struct{ when, prior string }{{"'opiate'", "uniform(0.02, 1.5)"}, {"'non_opiate'", "uniform(0.2, 5)"}} {
		if com == nil || len(com.StayModifiers) <= i || com.StayModifiers[i].HazardRatio == nil || !strings.Contains(com.StayModifiers[i].When.String(), c.when) {
			return nil, fmt.Errorf("the base's places.community.stay_modifiers[%d] is not a hazard ratio for clients whose drug is %s", i, c.when)
		}
		com.StayModifiers = slices.Clone(com.StayModifiers)
		hr := *com.StayModifiers[i].HazardRatio
		hr.Uncertainty = mustDist("%s", c.prior)
		hr.Note = "the area's retention: searched wider than England's"
		com.StayModifiers[i].HazardRatio = &hr
	}
	keys = append(keys, "places.community.stay_modifiers")

	// Waits: how fast assessment is, a hazard ratio on its stay.
	if f.WaitDays > 0 {
		as := sc.Places["assessment"]
		if as == nil {
			return nil, fmt.Errorf("wait_days: the base has no place \"assessment\"")
		}
		hr := 5.0 / f.WaitDays
		as.StayModifiers = append(slices.Clone(as.StayModifiers), scenario.Modifier{HazardRatio: &scenario.Value{V: hr,
			Source: evidence.Calibrated, Uncertainty: mustDist("uniform(%.4g, %.4g)", hr/5, hr*5),
			Note: "how fast the area assesses: fitted to its mean days from presentation to treatment"}})
		keys = append(keys, paramAssessment)
	}

	sc.Name = name
	var given []string
	for _, fg := range figures {
		if _, ok := f.From[fg.name]; ok {
			given = append(given, fg.name)
		}
	}
	sc.Description = fmt.Sprintf("%s: an area built by journeysim init on %s from its routine figures (%s).", name, baseRef, strings.Join(given, ", "))
	header := fmt.Sprintf("%s from routine figures (%s).\n# The capacities and budgets are the area's; the values with uncertainties\n# are first guesses that the calibration beside this file fits.\n\n", InputsHeader, strings.Join(given, ", "))
	return sc.Encode(header, baseRef, scenario.TopKeys(keys)), nil
}

// InputsHeader starts the inputs file Build writes, so that journeysim
// knows a file it may replace.
const InputsHeader = "# An area's inputs, written by journeysim init"

func odds(p float64) float64     { return p / (1 - p) }
func fromOdds(o float64) float64 { return o / (1 + o) }

func mustDist(format string, a ...any) scenario.Dist {
	d, err := scenario.ParseDist(fmt.Sprintf(format, a...))
	if err != nil {
		panic(err)
	}
	return d
}

// thousands writes x rounded, with commas.
func thousands(x float64) string {
	s := fmt.Sprintf("%.0f", x)
	for i := len(s) - 3; i > 0; i -= 3 {
		s = s[:i] + "," + s[i:]
	}
	return s
}
