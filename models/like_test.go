package models

import (
	"strings"
	"testing"
)

// TestLike checks that a place like another copies it as merged (the
// calibrated values of the baseline too), without the uncertainty that
// would make its copies parameters of their own and without the other's
// takes; that its own keys win, lists whole; and that its own exit
// probabilities make the copied ones room.
func TestLike(t *testing.T) {
	sc, err := loadText(`name = "providers"
base = "baseline"

[places.community_b]
like = "community"
label = "Second provider"
takes = [ { from = "community", share = 0.5 } ]
cost = { per_day = { value = 10, source = "assumption" }, price = "EUR 2011" }

[places.community_b.exits.returned]
probability = 0.2

[[places.community_b.routes.returned]]
to = "community"
`)
	if err != nil {
		t.Fatal(err)
	}
	a, b := sc.Places["community"], sc.Places["community_b"]
	if b.Label != "Second provider" || b.Cost.PerDay.V != 10 || b.Kind != a.Kind || b.Stay.String() != a.Stay.String() {
		t.Errorf("community_b: label %q, cost %v, kind %v, stay %v; want its own label and cost, community's kind and stay", b.Label, b.Cost.PerDay.V, b.Kind, b.Stay)
	}
	if len(b.StayModifiers) != len(a.StayModifiers) || b.StayModifiers[0].HazardRatio.V != a.StayModifiers[0].HazardRatio.V {
		t.Errorf("stay modifiers not copied: %v, want %v", b.StayModifiers, a.StayModifiers)
	}
	if a.StayModifiers[0].HazardRatio.Uncertainty.IsZero() || !b.StayModifiers[0].HazardRatio.Uncertainty.IsZero() {
		t.Errorf("uncertainty: community's %v, community_b's %v: want the copy without", a.StayModifiers[0].HazardRatio.Uncertainty, b.StayModifiers[0].HazardRatio.Uncertainty)
	}
	sum := 0.0
	for name, e := range b.Exits {
		sum += e.Probability.V
		if name == "returned" {
			continue
		}
		if want := a.Exits[name].Probability.V * 0.8; !near(e.Probability.V, want) {
			t.Errorf("community_b %s: %v, want community's %v x 0.8", name, e.Probability.V, a.Exits[name].Probability.V)
		}
	}
	if !near(sum, 1) {
		t.Errorf("community_b's exits sum to %v", sum)
	}
	if a.Exits["returned"] != nil || len(a.Takes) > 0 {
		t.Error("community gained community_b's exit or takes")
	}
	if f := sc.OriginOf("places.community_b.exits.dropped_out.stay_modifiers"); !strings.Contains(f, "baseline.toml") {
		t.Errorf("a copied key's origin is %q, want the file that set the original", f)
	}
}

// TestFileRescales checks that a file setting one probability of a group
// its base declares rescales the others in proportion, as --set does, and
// that one set above 1 is still an error.
func TestFileRescales(t *testing.T) {
	sc, err := loadText("name = \"more\"\nbase = \"baseline\"\n[case_mix.drug]\nopiate = { value = 0.7, source = \"assumption\" }\n")
	if err != nil {
		t.Fatal(err)
	}
	if got := sc.CaseMix["drug"]["non_opiate"].V; !near(got, 0.3) {
		t.Errorf("non_opiate = %v, want 0.3", got)
	}
	if _, err := loadText("name = \"more\"\nbase = \"baseline\"\n[places.detox.exits.completed]\nprobability = 1.2\n"); err == nil || !strings.Contains(err.Error(), "must sum to 1") {
		t.Errorf("a probability of 1.2: %v, want the sum's error", err)
	}
}

func near(a, b float64) bool { return a-b < 1e-9 && b-a < 1e-9 }
