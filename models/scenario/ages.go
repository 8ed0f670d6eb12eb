package scenario

import (
	"fmt"
	"slices"
	"strings"

	"github.com/journeysim/journeysim/models/evidence"
)

// AgeSpec gives every client an age: drawn at first presentation, advancing
// with the clock, and ending in death at the rates of a national life table
// (background mortality), on top of each place's own mortality, which is
// then the excess of drug users over people of their age.
type AgeSpec struct {
	// Source is the default source of the bands' shares.
	Source string `toml:"source"`
	// AtFirstPresentation gives the share of first presentations in each
	// band of age in years; ages are uniform within a band.
	AtFirstPresentation []AgeBand `toml:"at_first_presentation"`
	// Stretch multiplies each age's years above the youngest (the first
	// band's from): below 1 it draws first presentations younger, the
	// youngest age and the bands' shares kept; a parameter calibration can
	// fit where the bands come from figures of all presentations.
	Stretch *Value `toml:"stretch"`
	// Profile lists the bands of age, by their lower ends in years, that
	// runs report the caseload in (age_share.<from>_<to>).
	Profile []float64 `toml:"profile"`
	// LifeTable gives background mortality; nil leaves it out.
	LifeTable *LifeTable `toml:"life_table"`
}

// AgeBand is a band of ages [From, To) in years and its share.
type AgeBand struct {
	From  float64 `toml:"from"`
	To    float64 `toml:"to"`
	Share Value   `toml:"share"`
}

// LifeTable gives death rates by age, one table for each level of the
// attribute By (sex, say), or a single table named "all".
type LifeTable struct {
	Source string `toml:"source"`
	// Unit of the rates: deaths per person-year (a central death rate, m_x).
	Unit  string               `toml:"unit"`
	By    string               `toml:"by"`
	Rates map[string][]AgeRate `toml:"rates"`
}

// AgeRate is a death rate that holds from age From (years) to the next
// row's From; the last row holds for ever.
type AgeRate struct {
	From float64 `toml:"from"`
	Rate Value   `toml:"rate"`
}

// Age limits: a client is an adult who presents before MaxAge.
const (
	MinAge = 0
	MaxAge = 110
)

// MaxAgedYears is the longest run, warm-up and measured years, of a
// scenario with ages: the client record keeps days of birth within it.
const MaxAgedYears = 10_000

// LifeTableAll names the single table of a life table with no by.
const LifeTableAll = "all"

func (s *Scenario) validateAges(c *checker) {
	a := s.Ages
	if a == nil {
		return
	}
	if a.Source != "" {
		if err := evidence.CheckRef(a.Source); err != nil {
			c.add("ages.source", "%v", err)
		}
	}
	if years := (s.Warmup() + s.Horizon()) / DaysPerYear; years > MaxAgedYears {
		c.add("run", "with ages, a run (warm-up and measured years) is at most %d years, not %.0f", MaxAgedYears, years)
	}
	if _, ok := s.CaseMix["age"]; ok {
		c.add("case_mix.age", "with [ages], client.age is the client's age in years: name this attribute otherwise")
	}
	if len(a.AtFirstPresentation) == 0 {
		c.add("ages.at_first_presentation", `required: bands of age with their shares, as in [ { from = 18, to = 25, share = 0.2 }, { from = 25, to = 35, share = 0.8 } ]`)
	}
	var shares sumOf
	for i, b := range a.AtFirstPresentation {
		k := fmt.Sprintf("ages.at_first_presentation[%d]", i)
		if b.From < MinAge || b.To > MaxAge || b.From >= b.To {
			c.add(k, "a band runs from a lower age to a higher one, within %d to %d years, not %g to %g", MinAge, MaxAge, b.From, b.To)
		}
		if i > 0 && b.From != a.AtFirstPresentation[i-1].To {
			c.add(k+".from", "bands follow one another: this one starts at %g, the one before ends at %g", b.From, a.AtFirstPresentation[i-1].To)
		}
		if b.Share.V < 0 || b.Share.V > 1 {
			c.add(k+".share", "a share must be between 0 and 1, not %g", b.Share.V)
		}
		shares.add(fmt.Sprintf("%g-%g", b.From, b.To), b.Share.V)
	}
	if len(a.AtFirstPresentation) > 0 && !shares.isOne() {
		c.add("ages.at_first_presentation", "shares must sum to 1, not %s", shares)
	}
	if a.Stretch != nil && !(a.Stretch.V > 0 && a.Stretch.V <= 2) {
		c.add("ages.stretch", "a factor above 0 and at most 2, not %g", a.Stretch.V)
	}
	for i, x := range a.Profile {
		if x < MinAge || x >= MaxAge || i > 0 && x <= a.Profile[i-1] {
			c.add(fmt.Sprintf("ages.profile[%d]", i), "the lower ends of the reported bands rise from %d to under %d years, not %g", MinAge, MaxAge, x)
		}
	}
	if a.LifeTable != nil {
		s.validateLifeTable(c, a.LifeTable)
	}
}

func (s *Scenario) validateLifeTable(c *checker, t *LifeTable) {
	const key = "ages.life_table"
	if t.Source != "" {
		if err := evidence.CheckRef(t.Source); err != nil {
			c.add(key+".source", "%v", err)
		}
	}
	if t.Unit != "per_year" {
		c.add(key+".unit", `unknown unit %q: use "per_year" (deaths per person-year at each age, a central death rate)`, t.Unit)
	}
	want := []string{LifeTableAll}
	if t.By != "" {
		mix, ok := s.CaseMix[t.By]
		if !ok {
			c.add(key+".by", "unknown attribute %q (case_mix has: %s)", t.By, strings.Join(sortedKeys(s.CaseMix), ", "))
			return
		}
		want = sortedKeys(mix)
	}
	tables := "give one for each of " + strings.Join(want, ", ")
	if t.By == "" {
		tables = "with no by, give one table, rates.all (or by = an attribute, and one for each of its levels)"
	}
	for _, l := range want {
		if _, ok := t.Rates[l]; !ok {
			c.add(key+".rates", "no table for %q: %s", l, tables)
		}
	}
	for _, l := range sortedKeys(t.Rates) {
		k := key + ".rates." + l
		rows := t.Rates[l]
		if !slices.Contains(want, l) {
			c.add(k, "%q is not a table this life table needs: %s", l, tables)
		}
		if len(rows) == 0 {
			c.add(k, "at least one row, as in [ { from = 15, rate = 0.0005 }, { from = 25, rate = 0.0008 } ]")
			continue
		}
		if len(s.Ages.AtFirstPresentation) > 0 && rows[0].From > s.Ages.AtFirstPresentation[0].From {
			c.add(k+"[0].from", "the table must start by age %g, the youngest first presentation, not at %g", s.Ages.AtFirstPresentation[0].From, rows[0].From)
		}
		for i, r := range rows {
			rk := fmt.Sprintf("%s[%d]", k, i)
			if i > 0 && r.From <= rows[i-1].From {
				c.add(rk+".from", "rows rise in age: %g after %g", r.From, rows[i-1].From)
			}
			if r.Rate.V < 0 {
				c.add(rk+".rate", "a rate must be 0 or more, not %g", r.Rate.V)
			}
		}
	}
}
