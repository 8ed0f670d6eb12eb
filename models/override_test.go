package models

import (
	"context"
	"io/fs"
	"math"
	"strconv"
	"strings"
	"testing"

	"github.com/journeysim/journeysim/models/result"
	"github.com/journeysim/journeysim/models/scenario"
)

// TestPriceYearConverts: moving the price year from 2011 to 2024 scales
// every money figure alike, whatever the currency and year each cost was
// stated in (GBP 2011, EUR 2011, GBP 1992, crime in GBP 2012): by the
// price index of 2024 over 2011, 117.3/83.3.
func TestPriceYearConverts(t *testing.T) {
	run := func(sets ...string) (*Model, *result.Result) {
		sc, err := Load("baseline", append([]string{"run.replications=1", `run.warmup="2y"`, `run.horizon="2y"`}, sets...))
		if err != nil {
			t.Fatal(err)
		}
		m, err := Build(sc)
		if err != nil {
			t.Fatal(err)
		}
		r, err := m.Run(context.Background(), sc.Seed(), 0)
		if err != nil {
			t.Fatal(err)
		}
		return m, r
	}
	m11, r11 := run()
	m24, r24 := run("economics.price_year=2024")
	want := 117.3 / 83.3
	n := 0
	for i, mi := range m11.Metrics() {
		if !strings.Contains(mi.Unit, "GBP 2011") {
			continue
		}
		n++
		if got := m24.Metrics()[i].Unit; got != strings.Replace(mi.Unit, "2011", "2024", 1) {
			t.Errorf("%s: unit %q at 2024 prices", mi.Name, got)
		}
		a, b := r11.Values[i], r24.Values[i]
		if a == 0 && b == 0 {
			continue
		}
		if got := b / a; math.Abs(got/want-1) > 1e-9 {
			t.Errorf("%s: %v at 2011 prices, %v at 2024: ×%v, want ×%v", mi.Name, a, b, got, want)
		}
	}
	if n < 10 {
		t.Fatalf("%d money metrics; want the costs, crime and their present values", n)
	}
	// A year the index does not have is an error naming it.
	if _, err := Load("baseline", []string{"economics.price_year=2031"}); err == nil || !strings.Contains(err.Error(), "no price index for 2031") {
		t.Errorf("price year 2031: %v", err)
	}
}

// TestOverrideKeepsUncertainty: a value overridden, by a file or by --set,
// keeps the uncertainty it inherits, unless it gives its own or "none".
func TestOverrideKeepsUncertainty(t *testing.T) {
	uncertainty := func(sc *scenario.Scenario, path string) string {
		for _, p := range sc.Parameters() {
			if p.Path == path {
				return p.Uncertainty
			}
		}
		t.Fatalf("no parameter %s", path)
		return ""
	}
	for _, tt := range []struct {
		set, want string
	}{
		{"arrivals.per_year=500", "uniform(80, 500)"},
		{`arrivals.per_year={ value = 500, source = "assumption" }`, "uniform(80, 500)"},
		{`arrivals.per_year={ value = 500, uncertainty = "uniform(400, 600)" }`, "uniform(400, 600)"},
		{`arrivals.per_year={ value = 500, uncertainty = "none" }`, ""},
	} {
		sc, err := Load("baseline", []string{tt.set})
		if err != nil {
			t.Fatal(err)
		}
		if got := uncertainty(sc, "arrivals.per_year"); got != tt.want {
			t.Errorf("--set %s: uncertainty %q; want %q", tt.set, got, tt.want)
		}
	}
	// A value with no uncertainty anywhere gains none.
	sc, err := Load("baseline", nil)
	if err != nil {
		t.Fatal(err)
	}
	if got := uncertainty(sc, "places.detox.routes.dropped_out[1].probability"); got != "" {
		t.Errorf("a value with no uncertainty anywhere gained %q", got)
	}
	// A file that overrides the value alone keeps it too.
	child, err := loadText("name = \"c\"\nbase = \"baseline\"\n[arrivals]\nper_year = 600\n")
	if err != nil {
		t.Fatal(err)
	}
	if got := uncertainty(child, "arrivals.per_year"); got != "uniform(80, 500)" {
		t.Errorf("a file's plain override: uncertainty %q", got)
	}
}

// TestEveryPathSets: every number explain lists can be set with --set, at
// the path explain prints; a probability set alone rescales the others of
// its group.
func TestEveryPathSets(t *testing.T) {
	sc, err := Load("case-managers-at-detox", nil)
	if err != nil {
		t.Fatal(err)
	}
	n := 0
	for _, p := range sc.Parameters() {
		x, err := strconv.ParseFloat(p.Value, 64)
		if err != nil || strings.HasPrefix(p.Path, "run.") {
			continue
		}
		n++
		if _, err := Load("case-managers-at-detox", []string{p.Path + "=" + strconv.FormatFloat(x, 'g', -1, 64)}); err != nil {
			t.Errorf("--set %s=%v: %v", p.Path, x, err)
		}
	}
	if n < 100 {
		t.Fatalf("%d numbers; want every number of the scenario", n)
	}
	sc, err = Load("baseline", []string{"places.detox.routes.dropped_out[0].probability=0.5", "places.community.stay_modifiers[0].hazard_ratio=0.3"})
	if err != nil {
		t.Fatal(err)
	}
	routes := sc.Places["detox"].Routes["dropped_out"]
	if routes[0].Probability.V != 0.5 || math.Abs(routes[1].Probability.V-0.5) > 1e-12 {
		t.Errorf("routes %v and %v; want 0.5 and the other rescaled to 0.5", routes[0].Probability.V, routes[1].Probability.V)
	}
	if got := sc.Places["community"].StayModifiers[0].HazardRatio.V; got != 0.3 {
		t.Errorf("stay_modifiers[0].hazard_ratio = %v", got)
	}
	if _, err := Load("baseline", []string{"places.community.stay_modifiers[5].hazard_ratio=0.3"}); err == nil || !strings.Contains(err.Error(), "has 3 elements") {
		t.Errorf("an element out of range: %v", err)
	}
	// An override names the flag it came from.
	_, err = (&scenario.Loader{Check: Check}).LoadOverrides("baseline", scenario.Overrides("--range", "places.detox.capacit=3"))
	if err == nil || !strings.HasPrefix(err.Error(), "--range: places.detox.capacit: unknown key") {
		t.Errorf("a misspelt --range path: %v", err)
	}
}

// TestZeroRouteTakesNobody: a route of probability 0 takes nobody, so
// setting assessment's route to detox to 0 empties detox.
func TestZeroRouteTakesNobody(t *testing.T) {
	_, m := capacityTest(t, "places.assessment.routes.referred[1].probability=0")
	rs, err := m.Replicate(context.Background(), 1, 2, 1, nil)
	if err != nil {
		t.Fatal(err)
	}
	i := m.MetricIndex("admissions.detox")
	for _, r := range rs {
		if r.Values[i] != 0 {
			t.Errorf("admissions.detox %v; want 0", r.Values[i])
		}
	}
}

// loadText loads text as the file x.toml, whose bases are shipped, and
// checks it as Load does.
func loadText(text string) (*scenario.Scenario, error) {
	return (&scenario.Loader{Check: Check, ReadFile: func(name string) ([]byte, error) {
		if name == "x.toml" {
			return []byte(text), nil
		}
		return nil, fs.ErrNotExist
	}}).Load("x.toml", nil)
}
