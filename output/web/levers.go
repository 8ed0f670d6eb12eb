package web

import (
	"regexp"
	"slices"
	"strconv"
	"strings"

	"github.com/journeysim/journeysim/models/scenario"
)

// A Control is one lever of a scenario as the page shows it, with the
// value's source and uncertainty beside it.
type Control struct {
	Path        string   `json:"path"` // as --set and explain name it
	Group       string   `json:"group"`
	Label       string   `json:"label"`
	Kind        string   `json:"kind"` // number, choice, bool or text
	Value       string   `json:"value"`
	Unit        string   `json:"unit,omitempty"` // of a number: places, a year, times
	Allowed     []string `json:"allowed,omitempty"`
	Source      string   `json:"source,omitempty"`
	Citation    string   `json:"citation,omitempty"`
	Uncertainty string   `json:"uncertainty,omitempty"`
	Note        string   `json:"note,omitempty"`
	Origin      string   `json:"origin,omitempty"` // the file that set it
}

// The kinds of number the page offers as levers, by path: what a
// commissioner buys (places, budgets) and what comes to them (arrivals).
// The levers themselves are whatever the scenario has of these kinds.
var numberLevers = []struct {
	re          *regexp.Regexp
	group, unit string
	label       func(sc *scenario.Scenario, m []string) string
}{
	{regexp.MustCompile(`^places\.([^.\[]+)\.capacity$`), "Places", "places", func(sc *scenario.Scenario, m []string) string {
		return placeLabel(sc, m[1])
	}},
	{regexp.MustCompile(`^places\.([^.\[]+)\.budget$`), "Places", "a year", func(sc *scenario.Scenario, m []string) string {
		return placeLabel(sc, m[1]) + ": budget"
	}},
	{regexp.MustCompile(`^arrivals\.per_year$`), "Arrivals", "a year", func(*scenario.Scenario, []string) string { return "First presentations" }},
	{regexp.MustCompile(`^arrivals\.scale$`), "Arrivals", "times", func(*scenario.Scenario, []string) string { return "Demand (arrivals alone)" }},
	{regexp.MustCompile(`^arrivals\.trend$`), "Arrivals", "a year", func(*scenario.Scenario, []string) string {
		return "Change in arrivals (0.02 is 2%)"
	}},
	{regexp.MustCompile(`^scale$`), "Arrivals", "times", func(*scenario.Scenario, []string) string {
		return "Size of the whole system (arrivals and places)"
	}},
}

func placeLabel(sc *scenario.Scenario, name string) string {
	if p := sc.Places[name]; p != nil && p.Label != "" {
		return p.Label
	}
	return words(name)
}

// words writes a key as words: case_management is "case management".
func words(key string) string { return strings.ReplaceAll(key, "_", " ") }

// Controls lists the levers of sc: each policy as a choice (or a switch,
// or a number), then the capacities, budgets and arrivals that
// Parameters lists, in its key order.
func Controls(sc *scenario.Scenario) []Control {
	var cs []Control
	names := make([]string, 0, len(sc.Policy))
	for n := range sc.Policy {
		names = append(names, n)
	}
	slices.Sort(names)
	for _, n := range names {
		pv := sc.Policy[n]
		c := Control{Path: "policy." + n, Group: "Policies", Label: words(n), Value: pv.String(),
			Note: pv.Note, Origin: sc.OriginOf("policy." + n)}
		switch v := pv.V.(type) {
		case bool:
			c.Kind = "bool"
		case float64:
			c.Kind = "number"
		case string:
			c.Kind = "text"
			if len(pv.Allowed) > 0 {
				c.Kind, c.Allowed = "choice", slices.Clone(pv.Allowed)
				if !slices.Contains(c.Allowed, v) {
					c.Allowed = append(c.Allowed, v)
				}
			}
		default:
			continue
		}
		cs = append(cs, c)
	}
	for _, p := range sc.Parameters() {
		for _, nl := range numberLevers {
			m := nl.re.FindStringSubmatch(p.Path)
			if m == nil {
				continue
			}
			if _, err := strconv.ParseFloat(p.Value, 64); err != nil {
				continue // a distribution, not a number
			}
			cs = append(cs, Control{Path: p.Path, Group: nl.group, Label: nl.label(sc, m), Kind: "number", Value: p.Value, Unit: nl.unit,
				Source: p.Source, Citation: p.Citation, Uncertainty: p.Uncertainty, Note: p.Note, Origin: p.Origin})
		}
	}
	// Places before arrivals, each group in key order.
	slices.SortStableFunc(cs, func(a, b Control) int { return groupRank(a.Group) - groupRank(b.Group) })
	return cs
}

func groupRank(g string) int { return slices.Index([]string{"Policies", "Places", "Arrivals"}, g) }
