package models

import (
	"math"
	"math/rand/v2"
	"strconv"
	"testing"
)

// agesOne gives every client an age at first presentation in [lo, hi)
// and, with rates, a single life table of rows "from:rate" per year.
func agesOne(lo, hi float64, rows string) string {
	s := "\n[ages]\nat_first_presentation = [ { from = " + ftoa(lo) + ", to = " + ftoa(hi) + ", share = 1 } ]\nprofile = [18, 40]\n"
	if rows != "" {
		s += "[ages.life_table]\nunit = \"per_year\"\n[ages.life_table.rates]\nall = [ " + rows + " ]\n"
	}
	return s
}

func ftoa(x float64) string { return strconv.FormatFloat(x, 'g', -1, 64) }

func TestLifeTableDraw(t *testing.T) {
	// Rate a until day 1000, b after: the inverse of the cumulative hazard.
	const a, b = 0.001, 0.01
	lt := &lifeTable{from: []float64{0, 1000}, rate: []float64{a, b}, cum: []float64{0, 1000 * a}}
	for _, c := range []struct{ age, e, want float64 }{
		{0, 0.5, 500},                 // within the first row
		{900, 0.05, 50},               // still within it
		{900, 0.1, 100},               // exactly at the boundary
		{900, 0.6, 100 + 0.5/b},       // across it
		{2000, 1, 1 / b},              // in the last row, which lasts for ever
		{1000, 0.2, 0.2 / b},          // starting on the boundary
		{500, 0.5 + 0.3, 500 + 0.3/b}, // a whole first row, then some
	} {
		if got := lt.draw(c.age, c.e); math.Abs(got-c.want) > 1e-9 {
			t.Errorf("draw(age %g, e %g) = %g, want %g", c.age, c.e, got, c.want)
		}
	}
	zero := &lifeTable{from: []float64{0}, rate: []float64{0}, cum: []float64{0}}
	if got := zero.draw(10, 1); !math.IsInf(got, 1) {
		t.Errorf("a zero rate: draw = %g, want +Inf", got)
	}
}

// TestLifeTableDrawBefore: drawBefore answers as draw does, to the bit,
// at limits on either side of the death and exactly at it; and the index
// by year of age changes no draw.
func TestLifeTableDrawBefore(t *testing.T) {
	lt := &lifeTable{}
	h := 0.0
	for i, r := range []float64{0.000256, 0.000499, 0.000791, 0.001794, 0.003717, 0.009947, 0.025489, 0.077173, 0.244395, 0.519422} {
		from := float64(15+10*i) * daysPerYear
		if i == 0 {
			from = 0
		} else {
			h += lt.rate[i-1] * (from - lt.from[i-1])
		}
		lt.from, lt.rate, lt.cum = append(lt.from, from), append(lt.rate, r/daysPerYear), append(lt.cum, h)
	}
	plain := *lt // searched from the first row
	lt.index()
	rng := rand.New(rand.NewPCG(1, 2))
	checked, deaths := 0, 0
	for i := range 20000 {
		age, e := (18+70*rng.Float64())*daysPerYear, rng.ExpFloat64()
		if i%10 == 0 { // on a row's first day, and past the index
			age = lt.from[i/10%len(lt.from)] + float64(i%3-1)*1e-10
			if i%100 == 0 {
				age = 140 * daysPerYear
			}
		}
		d := lt.draw(age, e)
		if p := plain.draw(age, e); math.Float64bits(p) != math.Float64bits(d) {
			t.Fatalf("draw(age %v, e %v) = %v with the index, %v without", age, e, d, p)
		}
		for _, limit := range []float64{d, math.Nextafter(d, 0), math.Nextafter(d, math.Inf(1)), d * 0.5, d * 2, 1 + 400*rng.Float64(), 30, math.Inf(1)} {
			want := math.Inf(1)
			if d < limit {
				want = d
				deaths++
			}
			if got := lt.drawBefore(age, e, limit); math.Float64bits(got) != math.Float64bits(want) {
				t.Fatalf("drawBefore(age %v, e %v, limit %v) = %v, want %v (draw %v)", age, e, limit, got, want, d)
			}
			checked++
		}
	}
	if deaths < checked/4 {
		t.Errorf("only %d of %d draws died within the limit: the test did not reach the exact path", deaths, checked)
	}
}

func TestAgeBands(t *testing.T) {
	g := &ages{cum: []float64{0.25, 1}, from: []float64{18 * daysPerYear, 30 * daysPerYear}, to: []float64{30 * daysPerYear, 50 * daysPerYear}, profile: []float64{18, 25, 40}}
	if got := g.drawAge(0.1, 0.5) / daysPerYear; math.Abs(got-24) > 1e-9 {
		t.Errorf("drawAge(0.1, 0.5) = %g years, want 24 (the first band's middle)", got)
	}
	if got := g.drawAge(0.25, 0) / daysPerYear; math.Abs(got-30) > 1e-9 {
		t.Errorf("drawAge(0.25, 0) = %g years, want 30 (the second band's start)", got)
	}
	for _, c := range []struct {
		years float64
		band  int
	}{{17.9, -1}, {18, 0}, {24.99, 0}, {25, 1}, {39.5, 1}, {40, 2}, {90, 2}} {
		if got := g.ageBand(c.years); got != c.band {
			t.Errorf("ageBand(%g) = %d, want %d", c.years, got, c.band)
		}
	}
	if got := []string{g.ageBandName(0), g.ageBandName(1), g.ageBandName(2)}; got[0] != "18_24" || got[1] != "25_39" || got[2] != "40_plus" {
		t.Errorf("band names %v, want [18_24 25_39 40_plus]", got)
	}
}

func TestModelBackgroundMortality(t *testing.T) {
	t.Run("constant_rate", func(t *testing.T) {
		// No deaths but the life table's 0.5 a year, leaving at 1 a year:
		// 2000/1.5 people using, 2000/3 deaths a year, all background.
		src := mtHead("5y", "10y", 2000, "using") + agesOne(30, 31, "{ from = 0, rate = 0.5 }") + `
[places.using]
kind = "state"
[places.using.exits.leaves]
hazard = { unit = "per_year", bands = [ { rate = 1 } ] }
[[places.using.routes.leaves]]
to = "gone"
`
		m := mtModel(t, src)
		rs := mtReplicate(t, m, mtReps)
		mtNear(t, "deaths / person_years.using", mtRatio(t, m, rs, "deaths", "person_years.using"), 0.5, 0)
		mtNear(t, "deaths.background", mtStat(t, m, rs, "deaths.background"), 2000.0/3, 0)
	})
	t.Run("rises_with_age", func(t *testing.T) {
		// Nobody dies before 40, then 2 a year; first presentations at 30
		// to 31. Each client lives 40 - 30.5 + 0.5 = 10 years in the model.
		src := mtHead("15y", "10y", 365.25, "using") + agesOne(30, 31, "{ from = 0, rate = 0 }, { from = 40, rate = 2 }") + `
[places.using]
kind = "state"
[places.using.exits.leaves] # 50 years on: by then everyone has died
hazard = { unit = "per_year", bands = [ { until = "50y", rate = 0 }, { rate = 1 } ] }
[[places.using.routes.leaves]]
to = "gone"
`
		m := mtModel(t, src)
		rs := mtReplicate(t, m, mtReps)
		mtNear(t, "person_years.using", mtStat(t, m, rs, "person_years.using"), 3652.5, 0)
		mtNear(t, "deaths", mtStat(t, m, rs, "deaths"), 365.25, 0)
		mtFar(t, "person_years.using", mtStat(t, m, rs, "person_years.using"), 365.25*9.5, 0) // if ages stood still at presentation
	})
}

func TestModelClientAge(t *testing.T) {
	// First presentations aged 30 to 35 wait 8 years in hub, then go to old
	// if aged 40 or more as they leave: ages 38 to 43 then, so 3/5 do. Read
	// at admission, the age would be under 35 and nobody would.
	src := mtHead("10y", "10y", 1000, "hub") + agesOne(30, 35, "") + `
[places.hub]
kind = "state"
stay = "fixed(8y)"
[places.hub.exits.next]
probability = 1
[[places.hub.routes.next]]
to = "old"
when = "client.age >= 40"
probability = 1
[[places.hub.routes.next]]
to = "young"
otherwise = true
` + mtPass("old", "fixed(1d)", "gone") + mtPass("young", "fixed(1d)", "gone")
	m := mtModel(t, src)
	rs := mtReplicate(t, m, mtReps)
	mtNear(t, "admissions.old / admissions.hub", mtRatio(t, m, rs, "admissions.old", "admissions.hub"), 0.6, 0)
}

// A follow-up's drug deaths leave out those the life table drew: J9 and J8
// count drug-related deaths.
func TestFollowupDrugDeaths(t *testing.T) {
	// Deaths at 0.2 a year from the place (drug-related) and 0.3 from the
	// life table; nobody leaves otherwise within the year followed.
	src := mtHead("2y", "10y", 2000, "using") + agesOne(30, 31, "{ from = 0, rate = 0.3 }") + `
[places.using]
kind = "state"
[places.using.mortality]
unit = "per_year"
bands = [ { rate = 0.2 } ]
[places.using.exits.leaves]
hazard = { unit = "per_year", bands = [ { until = "2y", rate = 0 }, { rate = 1 } ] }
[[places.using.routes.leaves]]
to = "gone"

[followups.entrants]
place = "using"
at = ["1y"]
`
	m := mtModel(t, src)
	rs := mtReplicate(t, m, mtReps)
	mtNear(t, "band_drug_deaths / band_deaths", mtRatio(t, m, rs, "followup.entrants.1y.band_drug_deaths", "followup.entrants.1y.band_deaths"), 0.4, 0)
}
