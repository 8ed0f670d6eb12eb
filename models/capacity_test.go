package models

import (
	"context"
	"math"
	"strings"
	"testing"

	"github.com/journeysim/journeysim/models/scenario"
)

// capacityTest loads the baseline, short, with its detox beds and changes
// as given.
func capacityTest(t *testing.T, sets ...string) (*scenario.Scenario, *Model) {
	t.Helper()
	sc, err := Load("baseline", append([]string{"run.replications=2", `run.warmup="2y"`, `run.horizon="2y"`}, sets...))
	if err != nil {
		t.Fatal(err)
	}
	m, err := Build(sc)
	if err != nil {
		t.Fatal(err)
	}
	return sc, m
}

// TestCapacityCutRounds: a factor rounds to the nearest whole place, and
// a cut that rounds to no change, or comes after the horizon, is a
// warning with its arithmetic.
func TestCapacityCutRounds(t *testing.T) {
	sc, m := capacityTest(t, "places.detox.capacity=4", `places.detox.capacity_changes=[{ at = "0d", factor = 0.9 }, { at = "5y", factor = 0.5 }]`)
	if len(sc.Warnings) != 2 {
		t.Fatalf("warnings %v; want the cut that changes nothing and the change after the horizon", sc.Warnings)
	}
	for i, want := range []string{"4 × 0.9 = 3.6 rounds to 4 places", "at 5y, which is not before the end of the 2y measured"} {
		if !strings.Contains(sc.Warnings[i].Msg, want) {
			t.Errorf("warning %d: %q; want %q", i, sc.Warnings[i].Msg, want)
		}
	}
	if got := m.places[m.index["detox"]].meanCapacity(m.horizon); got != 4 {
		t.Errorf("capacity in force %v; want 4", got)
	}
	_, m = capacityTest(t, "places.detox.capacity=4", `places.detox.capacity_changes=[{ at = "0d", factor = 0.875 }]`)
	if got := m.places[m.index["detox"]].changes[0].Capacity; got != 4 {
		t.Errorf("4 × 0.875 = 3.5 rounds to %d; want 4 (a half rounds up)", got)
	}
	_, m = capacityTest(t, "places.detox.capacity=4", `places.detox.capacity_changes=[{ at = "0d", factor = 0.85 }]`)
	if got := m.places[m.index["detox"]].changes[0].Capacity; got != 3 {
		t.Errorf("4 × 0.85 = 3.4 rounds to %d; want 3", got)
	}
}

// TestUtilisationInForce: utilisation is occupancy over the capacity in
// force, averaged over the measured years: a cut halfway through counts
// for half.
func TestUtilisationInForce(t *testing.T) {
	_, m := capacityTest(t, "places.detox.capacity=8", `places.detox.capacity_changes=[{ at = "1y", factor = 0.5 }]`)
	rs, err := m.Replicate(context.Background(), 1, 2, 1, nil)
	if err != nil {
		t.Fatal(err)
	}
	occ, util, capa := m.MetricIndex("occupancy.detox"), m.MetricIndex("utilisation.detox"), m.MetricIndex("capacity.detox")
	for _, r := range rs {
		if r.Values[capa] != 6 {
			t.Errorf("capacity.detox %v; want 6 (8 for a year, 4 for a year)", r.Values[capa])
		}
		if got, want := r.Values[util], r.Values[occ]/6; math.Abs(got-want) > 1e-12 {
			t.Errorf("utilisation %v; want occupancy / 6 = %v", got, want)
		}
	}
}

// TestBudgetBuysPlaces: a budget buys the whole places its cost allows,
// and a total change is shared in proportion to the places' budgets.
func TestBudgetBuysPlaces(t *testing.T) {
	// Detox costs 206 euros a day at 0.868 pounds a euro, 65,310 a
	// place-year; residential 600 a week, 31,307.
	sc, m := capacityTest(t, `places.detox.budget=1000000`, `places.residential.budget=500000`,
		`budget_changes=[{ at = "1y", change = -150000, places = ["detox", "residential"] }]`)
	detox, res := m.places[m.index["detox"]], m.places[m.index["residential"]]
	cost := 206 * 0.868 * daysPerYear
	if detox.capacity != int(1e6/cost) || detox.capacity != 15 {
		t.Errorf("detox: %d places for 1,000,000; want 15", detox.capacity)
	}
	// Detox's share of the cut is 1,000,000 of 1,500,000: 100,000.
	if got := detox.changes[0].Capacity; got != int(900000/cost) || got != 13 {
		t.Errorf("detox after the cut: %d places; want 13", got)
	}
	if res.capacity != 15 || res.changes[0].Capacity != 14 {
		t.Errorf("residential: %d then %d places; want 15 then 14", res.capacity, res.changes[0].Capacity)
	}
	if len(sc.Warnings) != 0 {
		t.Errorf("warnings %v", sc.Warnings)
	}
	var how string
	for _, c := range m.Capacities() {
		if c.Place == "detox" {
			how = strings.Join(c.How, "; ")
		}
	}
	for _, want := range []string{"a budget of 1000000 GBP 2011 a year ÷ 65310 GBP 2011 a place-year", "15 whole places",
		"a change of -150000 GBP 2011 a year shared by budget, detox's 1000000 GBP 2011 of 1500000 GBP 2011, is -100000 GBP 2011"} {
		if !strings.Contains(how, want) {
			t.Errorf("the arithmetic shown lacks %q:\n%s", want, how)
		}
	}
}

// TestPostsWarning: a parallel place's capacity below one post's caseload
// is most likely posts written where clients are meant.
func TestPostsWarning(t *testing.T) {
	sc, err := Load("case-managers-at-detox", []string{"places.case_management.capacity=2"})
	if err != nil {
		t.Fatal(err)
	}
	if len(sc.Warnings) != 1 || !strings.Contains(sc.Warnings[0].Msg, "so 2 posts are capacity = 30") {
		t.Errorf("warnings %v", sc.Warnings)
	}
}
