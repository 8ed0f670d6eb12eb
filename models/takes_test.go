package models

import (
	"math"
	"testing"
)

// TestModelTakes checks that a place taking from another receives its share
// of the clients sent there, from every route, only of the clients its
// condition holds for, and that two takers of one place share its
// referrals in turn.
func TestModelTakes(t *testing.T) {
	// hub sends everyone to a (0.6) or b (0.4); day takes 0.5 of the opiate
	// clients (30%) sent to a, and night 0.25 of everyone sent to a.
	src := mtHead("10d", "5y", 4000, "hub") + `
[case_mix.drug]
opiate = 0.3
non_opiate = 0.7

[places.hub]
kind = "state"
stay = "fixed(1d)"
[places.hub.exits.next]
probability = 1
[[places.hub.routes.next]]
to = "a"
probability = 0.6
[[places.hub.routes.next]]
to = "b"
probability = 0.4
` + mtPass("a", "fixed(1d)", "gone") + mtPass("b", "fixed(1d)", "a") + `
[places.day]
kind = "state"
stay = "fixed(1d)"
takes = [ { from = "a", share = 0.5, when = "client.drug == 'opiate'" } ]
[places.day.exits.next]
probability = 1
[[places.day.routes.next]]
to = "gone"

[places.night]
kind = "state"
stay = "fixed(1d)"
takes = [ { from = "a", share = 0.25 } ]
[places.night.exits.next]
probability = 1
[[places.night.routes.next]]
to = "gone"
`
	m := mtModel(t, src)
	rs := mtReplicate(t, m, mtReps)
	// Every client is sent to a once, from hub directly or through b.
	sent := mtStat(t, m, rs, "admissions.hub")
	share := func(place string, want float64) {
		t.Helper()
		mtNear(t, "share of those sent to a that "+place+" takes", mtRatio(t, m, rs, "admissions."+place, "admissions.hub"), want, 0)
	}
	// The takers draw in turn from one number: day's 0.5 of opiate clients
	// first, then night's 0.25 of everyone, of what is left.
	share("day", 0.3*0.5)
	share("night", 0.3*0.25+0.7*0.25)
	share("a", 0.3*0.25+0.7*0.75)
	// Not conditional, day would take half of everyone.
	mtFar(t, "share day takes", mtRatio(t, m, rs, "admissions.day", "admissions.hub"), 0.5, 0)
	if sent.mean == 0 {
		t.Fatal("no arrivals")
	}
	// The flows say where the diverted went: hub's route to a, and b's.
	flows := m.Flows()
	var toDay float64
	for i, f := range flows {
		if f.To == "day" {
			for _, r := range rs {
				toDay += r.Flows[i]
			}
		}
	}
	var day float64
	for _, r := range rs {
		day += r.Values[mtIndex(t, m, "admissions.day")]
	}
	if math.Abs(toDay-day) > 1e-9*day || day == 0 {
		t.Errorf("flows into day %v a year, admissions %v", toDay, day)
	}
}
