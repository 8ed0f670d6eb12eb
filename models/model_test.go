package models

import (
	"context"
	"fmt"
	"math"
	"os"
	"path/filepath"
	"reflect"
	"strings"
	"testing"

	"github.com/journeysim/journeysim/models/result"
	"github.com/journeysim/journeysim/models/scenario"
)

// This file checks the model's behaviour on small scenarios whose answers
// can be worked out by hand: shares from routing and odds ratios, stays from
// hazards, occupancy from Little's law (mean number in a place = arrival rate
// × mean stay), waits from Erlang's formulas, and the metrics' definitions on
// journeys simple enough to count.
//
// Statistical checks run R = 20 replications and accept |mean − expected| ≤ 4·SE
// (+ a stated allowance for a known deterministic error, such as the 0.5% of
// the stay histogram), where SE is the standard error of the mean over the
// replications (sample standard deviation / √R). Seeds are fixed, so every
// check is deterministic; the 4·SE bound is what makes it robust to a change
// of seed or of stream use. Where an identity holds exactly (counts that must
// add up, shares that must be 0 or 1) the check is exact.

const (
	mtSeed = 20260101
	mtK    = 4 // tolerance in standard errors
	// mtMaxRelSE is the largest SE, relative to the figure, that a check
	// against a figure may have: 4 SEs of 2.5% is a 10% error caught.
	mtMaxRelSE = 0.025
	mtReps     = 20 // replications of each statistical check
)

// mtModel writes src to a scenario file in a temporary directory, loads it
// with the overrides sets and builds it.
func mtModel(t testing.TB, src string, sets ...string) *Model {
	t.Helper()
	path := filepath.Join(t.TempDir(), "scenario.toml")
	if err := os.WriteFile(path, []byte(src), 0o644); err != nil {
		t.Fatal(err)
	}
	return mtLoad(t, path, sets...)
}

// mtLoad loads the scenario file path with the overrides sets and builds it.
func mtLoad(t testing.TB, path string, sets ...string) *Model {
	t.Helper()
	sc, err := (&scenario.Loader{Check: Check}).Load(path, sets)
	if err != nil {
		t.Fatalf("load %s: %v", path, err)
	}
	m, err := Build(sc)
	if err != nil {
		t.Fatalf("build %s: %v", path, err)
	}
	return m
}

// mtBuildRun builds sc and runs reps replications of it from seed on two
// workers.
func mtBuildRun(t testing.TB, sc *scenario.Scenario, seed uint64, reps int) (*Model, []*result.Result) {
	t.Helper()
	m, err := Build(sc)
	if err != nil {
		t.Fatal(err)
	}
	rs, err := m.Replicate(context.Background(), seed, reps, 2, nil)
	if err != nil {
		t.Fatal(err)
	}
	return m, rs
}

// mtReplicate runs reps replications of m on two workers.
func mtReplicate(t testing.TB, m *Model, reps int) []*result.Result {
	t.Helper()
	rs, err := m.Replicate(context.Background(), mtSeed, reps, 2, nil)
	if err != nil {
		t.Fatal(err)
	}
	return rs
}

// mtRun runs replication rep of m and returns the run, for checks on its
// internal state.
func mtRun(t testing.TB, m *Model, rep int) *run {
	t.Helper()
	r := m.newRun(mtSeed, rep)
	if err := r.eng.Run(context.Background(), r.end); err != nil {
		t.Fatal(err)
	}
	return r
}

func mtIndex(t testing.TB, m *Model, name string) int {
	t.Helper()
	i := m.MetricIndex(name)
	if i < 0 {
		var names []string
		for _, mi := range m.Metrics() {
			names = append(names, mi.Name)
		}
		t.Fatalf("no metric %q (have %s)", name, strings.Join(names, ", "))
	}
	return i
}

// mtSample is a mean over replications with its standard error.
type mtSample struct {
	mean, se float64
	n        int
}

func mtStatOf(t testing.TB, what string, xs []float64) mtSample {
	t.Helper()
	n := float64(len(xs))
	mean := 0.0
	for _, x := range xs {
		if math.IsNaN(x) {
			t.Fatalf("%s: NaN in %v", what, xs)
		}
		mean += x
	}
	mean /= n
	ss := 0.0
	for _, x := range xs {
		ss += (x - mean) * (x - mean)
	}
	se := 0.0
	if n > 1 {
		se = math.Sqrt(ss / (n - 1) / n)
	}
	return mtSample{mean: mean, se: se, n: len(xs)}
}

// mtStat is the mean of metric name over rs.
func mtStat(t testing.TB, m *Model, rs []*result.Result, name string) mtSample {
	t.Helper()
	i := mtIndex(t, m, name)
	xs := make([]float64, len(rs))
	for k, r := range rs {
		xs[k] = r.Values[i]
	}
	return mtStatOf(t, name, xs)
}

// mtRatio is the mean over rs of metric num / metric den.
func mtRatio(t testing.TB, m *Model, rs []*result.Result, num, den string) mtSample {
	t.Helper()
	i, j := mtIndex(t, m, num), mtIndex(t, m, den)
	xs := make([]float64, len(rs))
	for k, r := range rs {
		xs[k] = r.Values[i] / r.Values[j]
	}
	return mtStatOf(t, num+" / "+den, xs)
}

// mtNear checks |s.mean − want| ≤ 4·SE + slack, where slack covers a known
// deterministic error stated by the caller (0 for none). It checks its own
// power too, as sim's checkAgainst does: an SE above mtMaxRelSE of the
// figure makes a check too weak to catch a plausible mistake.
func mtNear(t testing.TB, what string, s mtSample, want, slack float64) {
	t.Helper()
	mtNearPower(t, what, s, want, slack, mtMaxRelSE)
}

// mtNearWeak is mtNear with no slack and a weaker bar on power, maxRelSE,
// for a rare event whose share no affordable run pins down to 2.5%.
func mtNearWeak(t testing.TB, what string, s mtSample, want, maxRelSE float64) {
	t.Helper()
	mtNearPower(t, what, s, want, 0, maxRelSE)
}

func mtNearPower(t testing.TB, what string, s mtSample, want, slack, maxRelSE float64) {
	t.Helper()
	if want != 0 && s.se > maxRelSE*math.Abs(want) {
		t.Errorf("%s: SE %.3g is more than %.1f%% of %.5g (%d reps): the check is too weak", what, s.se, 100*maxRelSE, want, s.n)
	}
	tol := mtK*s.se + slack
	if d := math.Abs(s.mean - want); d > tol || math.IsNaN(d) {
		t.Errorf("%s = %.5g (SE %.3g, %d reps), want %.5g: off by %.3g > %.3g", what, s.mean, s.se, s.n, want, d, tol)
	}
}

// mtFar checks that s is clearly not alt (|s.mean − alt| > 4·SE + slack): the
// check against the expected value has teeth against a plausible mistake.
func mtFar(t testing.TB, what string, s mtSample, alt, slack float64) {
	t.Helper()
	if d := math.Abs(s.mean - alt); d <= mtK*s.se+slack {
		t.Errorf("%s = %.5g (SE %.3g) cannot be told from the wrong answer %.5g", what, s.mean, s.se, alt)
	}
}

// mtExact checks that metric name is want in every replication.
func mtExact(t testing.TB, m *Model, rs []*result.Result, name string, want float64) {
	t.Helper()
	i := mtIndex(t, m, name)
	for k, r := range rs {
		if r.Values[i] != want {
			t.Errorf("%s = %v in replication %d, want exactly %v", name, r.Values[i], k, want)
		}
	}
}

// mtPass declares a state place that holds clients for stay and then sends
// them all to next.
func mtPass(name, stay, next string) string {
	return fmt.Sprintf(`
[places.%[1]s]
kind = "state"
stay = %[2]q
[places.%[1]s.exits.next]
probability = 1
[[places.%[1]s.routes.next]]
to = %[3]q
`, name, stay, next)
}

// mtHead is the [run] and [arrivals] tables of a test scenario.
func mtHead(warmup, horizon string, perYear float64, to string) string {
	return fmt.Sprintf(`
[run]
warmup = %q
horizon = %q

[arrivals]
per_year = %v
to = %q
`, warmup, horizon, perYear, to)
}

// sameResults compares results bit for bit, so that NaN equals NaN.
func sameResults(a, b []*result.Result) bool {
	if len(a) != len(b) {
		return false
	}
	bits := func(xs []float64) []uint64 {
		out := make([]uint64, len(xs))
		for i, x := range xs {
			out[i] = math.Float64bits(x)
		}
		return out
	}
	for i := range a {
		if !reflect.DeepEqual(bits(a[i].Values), bits(b[i].Values)) || len(a[i].Monthly) != len(b[i].Monthly) {
			return false
		}
		for j := range a[i].Monthly {
			if !reflect.DeepEqual(bits(a[i].Monthly[j]), bits(b[i].Monthly[j])) {
				return false
			}
		}
	}
	return true
}

// ---------------------------------------------------------------------------
// Arrivals and case mix

func TestModelArrivals(t *testing.T) {
	t.Run("per_year_times_scale", func(t *testing.T) {
		// 500 a year × scale 3 = 1,500 presentations a year; a one-day stay
		// gives 1500/365.25 clients in the place (Little).
		src := `
[run]
warmup = "0d"
horizon = "10y"
[arrivals]
per_year = 500
scale = 3
to = "s"
` + mtPass("s", "fixed(1d)", "gone")
		m := mtModel(t, src)
		rs := mtReplicate(t, m, mtReps)
		mtNear(t, "presentations", mtStat(t, m, rs, "presentations"), 1500, 0)
		mtNear(t, "new_presentations", mtStat(t, m, rs, "new_presentations"), 1500, 0)
		mtFar(t, "presentations", mtStat(t, m, rs, "presentations"), 500, 0)
		// The first day has no one from the day before: 1 day in 3652.5.
		mtNear(t, "person_years.s", mtStat(t, m, rs, "person_years.s"), 1500/daysPerYear, 1500/daysPerYear/3652.5)
	})

	t.Run("trend", func(t *testing.T) {
		// The rate doubles each year (trend = 1) from 2,000 a year at the end
		// of the warm-up: over two years the mean is 2000·(2²−1)/(2·ln 2) a
		// year, and the second year's mean occupancy of a one-day place is
		// twice the first's.
		src := `
[run]
warmup = "0d"
horizon = "2y"
[arrivals]
per_year = 2000
trend = 1
to = "s"
` + mtPass("s", "fixed(1d)", "gone")
		m := mtModel(t, src)
		rs := mtReplicate(t, m, mtReps)
		mtNear(t, "presentations", mtStat(t, m, rs, "presentations"), 2000*3/(2*math.Ln2), 0)
		mtFar(t, "presentations", mtStat(t, m, rs, "presentations"), 2000, 0)

		si := -1
		for i, s := range m.Series() {
			if s.Name == "occupancy.s" {
				si = i
			}
		}
		if si < 0 || m.Months() != 24 {
			t.Fatalf("series occupancy.s at %d, %d months", si, m.Months())
		}
		ratios := make([]float64, len(rs))
		for k, r := range rs {
			ys := r.Monthly[si]
			if len(ys) != 24 {
				t.Fatalf("%d months in the series, want 24", len(ys))
			}
			y1, y2 := 0.0, 0.0
			for i := 0; i < 12; i++ {
				y1 += ys[i]
				y2 += ys[12+i]
			}
			ratios[k] = y2 / y1
		}
		// Allowance: nobody is in the place on the first day (0.5 day in 365).
		mtNear(t, "second year / first year occupancy", mtStatOf(t, "ratio", ratios), 2, 2*0.5/365)
	})
}

// TestModelCaseMix checks that new clients' attributes follow the declared
// shares, independently of each other: routes conditioned on an attribute
// split the clients in the attribute's shares. Each split lists its
// otherwise route first: it must catch exactly the clients no conditional
// route takes.
func TestModelCaseMix(t *testing.T) {
	src := mtHead("10d", "5y", 4000, "hub") + `
[case_mix.drug]
opiate = 0.35
non_opiate = 0.65

[case_mix.severity]
high = 0.2
mid = 0.3
low = 0.5

[places.hub]
kind = "state"
stay = "fixed(1d)"
[places.hub.exits.next]
probability = 1
[[places.hub.routes.next]]
to = "non_op"
otherwise = true
[[places.hub.routes.next]]
to = "op"
probability = 1
when = "client.drug == 'opiate'"
` + mtPass("op", "fixed(1d)", "sev") + mtPass("non_op", "fixed(1d)", "sev") + `
[places.sev]
kind = "state"
stay = "fixed(1d)"
[places.sev.exits.next]
probability = 1
[[places.sev.routes.next]]
to = "low"
otherwise = true
[[places.sev.routes.next]]
to = "high"
probability = 0.5
when = "client.severity == 'high'"
[[places.sev.routes.next]]
to = "mid"
probability = 0.5
when = "client.severity == 'mid'"

[places.high]
kind = "state"
stay = "fixed(1d)"
[places.high.exits.next]
probability = 1
[[places.high.routes.next]]
to = "gone"
otherwise = true
[[places.high.routes.next]]
to = "high_opiate"
probability = 1
when = "client.drug == 'opiate'"
` + mtPass("high_opiate", "fixed(1d)", "gone") + mtPass("mid", "fixed(1d)", "gone") + mtPass("low", "fixed(1d)", "gone")
	m := mtModel(t, src)
	rs := mtReplicate(t, m, mtReps)
	for _, c := range []struct {
		place string
		share float64
	}{
		{"op", 0.35}, {"non_op", 0.65},
		{"high", 0.2}, {"mid", 0.3}, {"low", 0.5},
		{"high_opiate", 0.35 * 0.2}, // independent attributes
	} {
		mtNear(t, "share in "+c.place, mtRatio(t, m, rs, "admissions."+c.place, "admissions.hub"), c.share, 0)
	}
}

// ---------------------------------------------------------------------------
// Routing

func TestModelRouting(t *testing.T) {
	// hub splits 0.2/0.3/0.5 to a, b, c; all meet at hub2, which sends
	// opiate clients (35%) to d with 0.2 and everyone to e (0.3) or f (0.5),
	// rescaled to 0.375/0.625 for non-opiate clients; hub3 sends clients to
	// z only when policy.x is "b".
	src := mtHead("10d", "5y", 4000, "hub") + `
[case_mix.drug]
opiate = 0.35
non_opiate = 0.65

[policy]
x = { value = "a", allowed = ["a", "b"] }

[places.hub]
kind = "state"
stay = "fixed(1d)"
[places.hub.exits.next]
probability = 1
[[places.hub.routes.next]]
to = "a"
probability = 0.2
[[places.hub.routes.next]]
to = "b"
probability = 0.3
[[places.hub.routes.next]]
to = "c"
probability = 0.5
` + mtPass("a", "fixed(1d)", "hub2") + mtPass("b", "fixed(1d)", "hub2") + mtPass("c", "fixed(1d)", "hub2") + `
[places.hub2]
kind = "state"
stay = "fixed(1d)"
[places.hub2.exits.next]
probability = 1
[[places.hub2.routes.next]]
to = "d"
probability = 0.2
when = "client.drug == 'opiate'"
[[places.hub2.routes.next]]
to = "e"
probability = 0.3
[[places.hub2.routes.next]]
to = "f"
probability = 0.5
` + mtPass("d", "fixed(1d)", "hub3") + mtPass("e", "fixed(1d)", "hub3") + mtPass("f", "fixed(1d)", "hub3") + `
[places.hub3]
kind = "state"
stay = "fixed(1d)"
[places.hub3.exits.next]
probability = 1
[[places.hub3.routes.next]]
to = "z"
probability = 0.25
when = "policy.x == 'b'"
[[places.hub3.routes.next]]
to = "y"
probability = 0.75
` + mtPass("z", "fixed(1d)", "gone") + mtPass("y", "fixed(1d)", "gone")

	share := func(t *testing.T, m *Model, rs []*result.Result, place, of string, want float64) {
		t.Helper()
		mtNear(t, "share of "+of+" sent to "+place, mtRatio(t, m, rs, "admissions."+place, "admissions."+of), want, 0)
	}
	m := mtModel(t, src)
	rs := mtReplicate(t, m, mtReps)
	t.Run("declared_shares", func(t *testing.T) {
		share(t, m, rs, "a", "hub", 0.2)
		share(t, m, rs, "b", "hub", 0.3)
		share(t, m, rs, "c", "hub", 0.5)
	})
	t.Run("when_excludes_and_rescales", func(t *testing.T) {
		share(t, m, rs, "d", "hub2", 0.35*0.2)
		share(t, m, rs, "e", "hub2", 0.35*0.3+0.65*0.3/0.8)
		share(t, m, rs, "f", "hub2", 0.35*0.5+0.65*0.5/0.8)
		// Not rescaled, e would have 0.3 and the rest would go nowhere.
		mtFar(t, "share of hub2 sent to e", mtRatio(t, m, rs, "admissions.e", "admissions.hub2"), 0.3, 0)
	})
	t.Run("policy_condition_folds", func(t *testing.T) {
		mtExact(t, m, rs, "admissions.z", 0)
		share(t, m, rs, "y", "hub3", 1)
		// The same scenario with the policy that opens the route.
		mb := mtModel(t, src, "policy.x=b")
		rb := mtReplicate(t, mb, mtReps)
		share(t, mb, rb, "z", "hub3", 0.25)
		share(t, mb, rb, "y", "hub3", 0.75)
	})
}

// TestModelRouteFallback checks that when no route holds with a probability
// above 0, clients take the otherwise route, never one whose condition is
// false, wherever the routes are listed; several otherwise routes share.
func TestModelRouteFallback(t *testing.T) {
	for _, order := range []string{"fallback_first", "fallback_last"} {
		t.Run(order, func(t *testing.T) {
			cond := `
[[places.hub.routes.next]]
to = "op"
probability = 1
when = "client.drug == 'opiate'"
`
			fallback := `
[[places.hub.routes.next]]
to = "other"
otherwise = true
`
			routes := cond + fallback
			if order == "fallback_first" {
				routes = fallback + cond
			}
			src := mtHead("10d", "1y", 2000, "hub") + `
[case_mix.drug]
opiate = 0.4
non_opiate = 0.6

[places.hub]
kind = "state"
stay = "fixed(1d)"
[places.hub.exits.next]
probability = 1
` + routes + mtPass("op", "fixed(1d)", "gone") + mtPass("other", "fixed(1d)", "gone")
			m := mtModel(t, src)
			rs := mtReplicate(t, m, mtReps)
			mtNear(t, "share sent to op", mtRatio(t, m, rs, "admissions.op", "admissions.hub"), 0.4, 0)
			mtNear(t, "share sent to other", mtRatio(t, m, rs, "admissions.other", "admissions.hub"), 0.6, 0)
		})
	}
	t.Run("two_fallbacks_share_equally", func(t *testing.T) {
		src := mtHead("10d", "1y", 2000, "hub") + `
[case_mix.drug]
opiate = 0.4
non_opiate = 0.6

[places.hub]
kind = "state"
stay = "fixed(1d)"
[places.hub.exits.next]
probability = 1
[[places.hub.routes.next]]
to = "x"
otherwise = true
[[places.hub.routes.next]]
to = "op"
probability = 1
when = "client.drug == 'opiate'"
[[places.hub.routes.next]]
to = "y"
otherwise = true
` + mtPass("op", "fixed(1d)", "gone") + mtPass("x", "fixed(1d)", "gone") + mtPass("y", "fixed(1d)", "gone")
		m := mtModel(t, src)
		rs := mtReplicate(t, m, mtReps)
		mtNear(t, "share sent to op", mtRatio(t, m, rs, "admissions.op", "admissions.hub"), 0.4, 0)
		mtNear(t, "share sent to x", mtRatio(t, m, rs, "admissions.x", "admissions.hub"), 0.3, 0)
		mtNear(t, "share sent to y", mtRatio(t, m, rs, "admissions.y", "admissions.hub"), 0.3, 0)
	})
}

// ---------------------------------------------------------------------------
// Modifiers

// orShift is p with its odds multiplied by or.
func orShift(p, or float64) float64 { return or * p / (1 - p + or*p) }

func TestModelOddsRatio(t *testing.T) {
	// Exit completed has p = 0.4 with OR 2 while policy.on: 2·0.4/(1−0.4+0.8)
	// = 0.5714 (as a risk ratio it would be 0.8). Route r1 has p = 0.4 with OR 2
	// for opiate clients (everyone here). EXTRA adds modifiers.
	const tmpl = `
[case_mix.drug]
opiate = 1
non_opiate = 0

[policy]
on = true
also = false

[places.t]
kind = "open"
stay = "fixed(1d)"
[places.t.exits.completed]
probability = 0.4
modifiers = [ { when = "policy.on", odds_ratio = 2 }, { when = "policy.also", odds_ratio = 1.5 } ]
[places.t.exits.dropped_out]
probability = 0.6
[[places.t.routes.completed]]
to = "r1"
probability = 0.4
modifiers = [ { when = "client.drug == 'opiate'", odds_ratio = 2 } ]
[[places.t.routes.completed]]
to = "r2"
probability = 0.6
[[places.t.routes.dropped_out]]
to = "gone"

[places.u]
kind = "open"
stay = "fixed(1d)"
[places.u.exits.a]
probability = 0.2
modifiers = [ { when = "client.drug == 'opiate'", odds_ratio = 3 } ]
[places.u.exits.b]
probability = 0.3
[places.u.exits.c]
probability = 0.5
[[places.u.routes.a]]
to = "gone"
[[places.u.routes.b]]
to = "gone"
[[places.u.routes.c]]
to = "gone"
`
	src := mtHead("0d", "2y", 3652.5, "t") + tmpl + mtPass("r1", "fixed(1d)", "u") + mtPass("r2", "fixed(1d)", "u")
	completed := func(t *testing.T, m *Model, rs []*result.Result) mtSample {
		return mtRatio(t, m, rs, "exits.t.completed", "admissions.t")
	}
	t.Run("exit", func(t *testing.T) {
		m := mtModel(t, src)
		rs := mtReplicate(t, m, mtReps)
		want := orShift(0.4, 2)
		if math.Abs(want-0.5714) > 1e-4 {
			t.Fatalf("orShift(0.4, 2) = %v", want)
		}
		mtNear(t, "completed share", completed(t, m, rs), want, 0)
		mtFar(t, "completed share", completed(t, m, rs), 0.8, 0) // not a risk ratio
	})
	t.Run("exit_policy_off", func(t *testing.T) {
		m := mtModel(t, src, "policy.on=false")
		rs := mtReplicate(t, m, mtReps)
		mtNear(t, "completed share", completed(t, m, rs), 0.4, 0)
	})
	t.Run("two_modifiers_multiply_odds", func(t *testing.T) {
		m := mtModel(t, src, "policy.also=true")
		rs := mtReplicate(t, m, mtReps)
		mtNear(t, "completed share", completed(t, m, rs), orShift(0.4, 3), 0) // 0.6667
	})
	t.Run("route", func(t *testing.T) {
		m := mtModel(t, src)
		rs := mtReplicate(t, m, mtReps)
		mtNear(t, "share to r1", mtRatio(t, m, rs, "admissions.r1", "exits.t.completed"), orShift(0.4, 2), 0)
	})
	t.Run("three_exits_others_keep_their_ratio", func(t *testing.T) {
		// a: 0.2 → 0.6/1.4 = 0.4286; b and c share the rest 3:5.
		m := mtModel(t, src)
		rs := mtReplicate(t, m, mtReps)
		pa := orShift(0.2, 3)
		mtNear(t, "exit a", mtRatio(t, m, rs, "exits.u.a", "admissions.u"), pa, 0)
		mtNear(t, "exit b", mtRatio(t, m, rs, "exits.u.b", "admissions.u"), (1-pa)*0.3/0.8, 0)
		mtNear(t, "exit c", mtRatio(t, m, rs, "exits.u.c", "admissions.u"), (1-pa)*0.5/0.8, 0)
	})
}

// TestModelStayHazardRatio checks that a hazard ratio on the stay divides
// it: with exponential(mean = 10d) and HR 2 for half the clients, the mean
// stay is 0.5·5 + 0.5·10 = 7.5 days and occupancy 10 a day × 7.5 = 75
// (Little); with HR 0.5 it is 0.5·20 + 0.5·10 = 15 days, occupancy 150.
func TestModelStayHazardRatio(t *testing.T) {
	for _, c := range []struct {
		hr, mean float64
	}{{2, 7.5}, {0.5, 15}, {1, 10}} {
		t.Run(fmt.Sprintf("hr_%v", c.hr), func(t *testing.T) {
			src := mtHead("200d", "5y", 3652.5, "t") + fmt.Sprintf(`
[case_mix.drug]
opiate = 0.5
non_opiate = 0.5

[places.t]
kind = "open"
stay = "exponential(mean = 10d)"
stay_modifiers = [ { when = "client.drug == 'opiate'", hazard_ratio = %v } ]
[places.t.exits.done]
probability = 1
[[places.t.routes.done]]
to = "gone"
`, c.hr)
			m := mtModel(t, src)
			rs := mtReplicate(t, m, mtReps)
			mtNear(t, "occupancy.t", mtStat(t, m, rs, "occupancy.t"), 10*c.mean, 0)
		})
	}
}

// ---------------------------------------------------------------------------
// Hazards

// TestModelCompetingHazards: constant hazards a = 0.1 and b = 0.3 a day give
// P(exit a) = a/(a+b) = 0.25, a mean stay of 1/(a+b) = 2.5 days (occupancy
// 25 at 10 arrivals a day) and a median stay of ln 2 · 2.5 days. A hazard
// ratio 3 on a (policy.fast) makes it 0.5 and 1/0.6 days.
func TestModelCompetingHazards(t *testing.T) {
	src := mtHead("30d", "2y", 3652.5, "t") + `
[policy]
fast = false

[places.t]
kind = "open"
[places.t.exits.a]
hazard = { unit = "per_day", bands = [ { rate = 0.1 } ], modifiers = [ { when = "policy.fast", hazard_ratio = 3 } ] }
[places.t.exits.b]
hazard = { unit = "per_day", bands = [ { rate = 0.3 } ] }
[[places.t.routes.a]]
to = "gone"
[[places.t.routes.b]]
to = "gone"
`
	for _, c := range []struct {
		name string
		sets []string
		a, b float64
	}{
		{"constant", nil, 0.1, 0.3},
		{"hazard_ratio", []string{"policy.fast=true"}, 0.3, 0.3},
	} {
		t.Run(c.name, func(t *testing.T) {
			m := mtModel(t, src, c.sets...)
			rs := mtReplicate(t, m, mtReps)
			mean := 1 / (c.a + c.b)
			mtNear(t, "exit_share.a", mtStat(t, m, rs, "exit_share.a"), c.a/(c.a+c.b), 0)
			mtNear(t, "exit_share.b", mtStat(t, m, rs, "exit_share.b"), c.b/(c.a+c.b), 0)
			mtNear(t, "occupancy.t", mtStat(t, m, rs, "occupancy.t"), 10*mean, 0)
			med := math.Ln2 * mean
			mtNear(t, "median_stay_days.t", mtStat(t, m, rs, "median_stay_days.t"), med, 0.005*med)
		})
	}
}

// TestModelPiecewiseHazard checks hazard tables by time since entry.
func TestModelPiecewiseHazard(t *testing.T) {
	t.Run("delay_then_constant", func(t *testing.T) {
		// Rate 0 for 10 days, then 1.4 a week (0.2 a day): stays are 10 d +
		// Exp(mean 5 d): mean 15 d (occupancy 150 at 10 a day), median
		// 10 + 5·ln 2 days, and none shorter than 10 days.
		src := mtHead("60d", "2y", 3652.5, "t") + `
[places.t]
kind = "open"
[places.t.exits.done]
hazard = { unit = "per_week", bands = [ { until = "10d", rate = 0 }, { rate = 1.4 } ] }
[[places.t.routes.done]]
to = "gone"
`
		m := mtModel(t, src)
		rs := mtReplicate(t, m, mtReps)
		mtNear(t, "occupancy.t", mtStat(t, m, rs, "occupancy.t"), 150, 0)
		med := 10 + 5*math.Ln2
		mtNear(t, "median_stay_days.t", mtStat(t, m, rs, "median_stay_days.t"), med, 0.005*med)
		r := mtRun(t, m, 0)
		st := &r.acc.places[m.index["t"]].stays
		if st.N() == 0 || st.Min() < 10 {
			t.Errorf("shortest of %d stays %v days, want at least 10", st.N(), st.Min())
		}
	})
	t.Run("three_bands", func(t *testing.T) {
		// 0.1 a day for 10 days, 0 to day 20, then 0.2 a day. Mean stay is
		// the integral of survival: (1−e⁻¹)/0.1 + 10·e⁻¹ + e⁻¹/0.2 = 11.84 days.
		src := mtHead("100d", "2y", 3652.5, "t") + `
[places.t]
kind = "open"
[places.t.exits.done]
hazard = { unit = "per_day", bands = [ { until = "10d", rate = 0.1 }, { until = "20d", rate = 0 }, { rate = 0.2 } ] }
[[places.t.routes.done]]
to = "gone"
`
		m := mtModel(t, src)
		rs := mtReplicate(t, m, mtReps)
		e1 := math.Exp(-1)
		mean := (1-e1)/0.1 + 10*e1 + e1/0.2
		mtNear(t, "occupancy.t", mtStat(t, m, rs, "occupancy.t"), 10*mean, 0)
		// Stays over 10 days (a share e⁻¹) are all over 20 days: the
		// median, below 10 days, is ln 2/0.1 = 6.93 days.
		med := math.Ln2 / 0.1
		mtNear(t, "median_stay_days.t", mtStat(t, m, rs, "median_stay_days.t"), med, 0.005*med)
	})
}

// ---------------------------------------------------------------------------
// Mortality

func TestModelMortality(t *testing.T) {
	t.Run("rate_times_person_years", func(t *testing.T) {
		// Using: mortality 50 per 100 person-years (0.5 a year), leaving at
		// 1 a year. 2,000 arrivals a year: 2000/1.5 people using, 2000/3 deaths a year.
		src := mtHead("5y", "10y", 2000, "using") + `
[places.using]
kind = "state"
[places.using.mortality]
unit = "per_100_person_years"
bands = [ { rate = 50 } ]
[places.using.exits.leaves]
hazard = { unit = "per_year", bands = [ { rate = 1 } ] }
[[places.using.routes.leaves]]
to = "gone"
`
		m := mtModel(t, src)
		rs := mtReplicate(t, m, mtReps)
		mtNear(t, "deaths / person_years.using", mtRatio(t, m, rs, "deaths", "person_years.using"), 0.5, 0)
		mtNear(t, "deaths", mtStat(t, m, rs, "deaths"), 2000.0/3, 0)
		mtNear(t, "person_years.using", mtStat(t, m, rs, "person_years.using"), 2000/1.5, 0)
		mtExact(t, m, rs, "deaths_within_4w_of_exit", 0) // never in treatment
	})
	t.Run("deaths_within_4w_of_exit", func(t *testing.T) {
		// hub sends half to treatment t, half to state s. From t: half die 27
		// days after leaving (counted), 0.3 die 29 days after (not counted),
		// 0.2 die on leaving, routed to dead from t (a death in treatment, not
		// counted). From s: all die 27 days later, never having been in
		// treatment (not counted). Everyone dies; a quarter are counted.
		src := mtHead("100d", "3y", 3652.5, "hub") + `
[places.hub]
kind = "state"
stay = "fixed(1d)"
[places.hub.exits.next]
probability = 1
[[places.hub.routes.next]]
to = "t"
probability = 0.5
[[places.hub.routes.next]]
to = "s"
probability = 0.5

[places.t]
kind = "open"
stay = "fixed(1d)"
[places.t.exits.completed]
probability = 1
[[places.t.routes.completed]]
to = "w27"
probability = 0.5
[[places.t.routes.completed]]
to = "w29"
probability = 0.3
[[places.t.routes.completed]]
to = "dead"
probability = 0.2
` + mtPass("s", "fixed(1d)", "w27") + mtPass("w27", "fixed(27d)", "dead") + mtPass("w29", "fixed(29d)", "dead")
		m := mtModel(t, src)
		rs := mtReplicate(t, m, mtReps)
		mtNear(t, "deaths_within_4w_of_exit / deaths", mtRatio(t, m, rs, "deaths_within_4w_of_exit", "deaths"), 0.25, 0)
		mtNear(t, "deaths", mtStat(t, m, rs, "deaths"), 3652.5, 0)
	})
}

// ---------------------------------------------------------------------------
// Capacity places

// erlangC is the probability of waiting in an M/M/c queue with offered load a = λ/μ.
func erlangC(c int, a float64) float64 {
	sum, term := 0.0, 1.0
	for k := 0; k < c; k++ {
		if k > 0 {
			term *= a / float64(k)
		}
		sum += term
	}
	top := term * a / float64(c) * float64(c) / (float64(c) - a) // a^c/c! · c/(c−a)
	return top / (sum + top)
}

// erlangB is the blocking probability of an M/G/c/c loss system with offered load a.
func erlangB(c int, a float64) float64 {
	b := 1.0
	for k := 1; k <= c; k++ {
		b = a * b / (float64(k) + a*b)
	}
	return b
}

func TestModelCapacityErlangC(t *testing.T) {
	// M/M/5: 0.4 arrivals a day, stays Exp(mean 10 d), so a = 4, ρ = 0.8.
	// Wq = C(5, 4)/(cμ − λ) = 5.54 days; P(W > w) = C·e^{−(cμ−λ)w}, so the
	// 90th percentile is ln(10·C)/(cμ − λ) = 17.1 days; the queue holds λ·Wq.
	// Waits at ρ = 0.8 are noisy: 200 years a replication give each check
	// the power to catch a 10% error (a rare tail's share, a 20% one).
	src := mtHead("100d", "200y", 0.4*daysPerYear, "q") + `
[places.q]
kind = "capacity"
capacity = 5
stay = "exponential(mean = 10d)"
[places.q.exits.done]
probability = 1
[[places.q.routes.done]]
to = "gone"
`
	m := mtModel(t, src)
	rs := mtReplicate(t, m, mtReps)
	lambda, mu, c := 0.4, 0.1, 5
	C := erlangC(c, lambda/mu)
	wq := C / (float64(c)*mu - lambda)
	mtNear(t, "wait_mean_days.q", mtStat(t, m, rs, "wait_mean_days.q"), wq, 0)
	p90 := math.Log(10*C) / (float64(c)*mu - lambda)
	mtNear(t, "wait_p90_days.q", mtStat(t, m, rs, "wait_p90_days.q"), p90, 0.005*p90)
	mtNear(t, "queue_mean.q", mtStat(t, m, rs, "queue_mean.q"), lambda*wq, 0)
	mtNear(t, "occupancy.q", mtStat(t, m, rs, "occupancy.q"), lambda/mu, 0)
	mtNear(t, "utilisation.q", mtStat(t, m, rs, "utilisation.q"), lambda/mu/float64(c), 0)
	// P(W > 21) = C·e^{−2.1}.
	mtNearWeak(t, "wait_over_21d_share.q", mtStat(t, m, rs, "wait_over_21d_share.q"), C*math.Exp(-2.1), 0.05)
	r := mtRun(t, m, 0)
	if mx := r.ps[m.index["q"]].res.Stats.Busy.Max(); mx > 5 {
		t.Errorf("occupancy reached %v, capacity 5", mx)
	}
}

func TestModelReneging(t *testing.T) {
	// No places at all: everyone waits and gives up after Exp(mean 5 d).
	// Everyone reneges (10 a day) and the list holds 10 × 5 = 50 (Little).
	src := mtHead("60d", "2y", 3652.5, "q") + `
[places.q]
kind = "capacity"
capacity = 0
stay = "fixed(1d)"
patience = "exponential(mean = 5d)"
[places.q.exits.done]
probability = 1
[[places.q.routes.done]]
to = "gone"
[[places.q.routes.reneged]]
to = "gone"
`
	m := mtModel(t, src)
	rs := mtReplicate(t, m, mtReps)
	mtNear(t, "reneged.q", mtStat(t, m, rs, "reneged.q"), 3652.5, 0)
	mtNear(t, "queue_mean.q", mtStat(t, m, rs, "queue_mean.q"), 50, 0)
	mtExact(t, m, rs, "admissions.q", 0)
}

// TestModelCapacityChanges checks that a factor multiplies the capacity at
// the time of the change, so two cuts by half leave a quarter.
func TestModelCapacityChanges(t *testing.T) {
	for _, c := range []struct {
		name    string
		changes string
		want    int
	}{
		{"two_factors", `{ at = "30d", factor = 0.5 }, { at = "60d", factor = 0.5 }`, 5},
		{"places_then_factor", `{ at = "30d", capacity = 8 }, { at = "60d", factor = 0.5 }`, 4},
		{"factor_then_places", `{ at = "30d", factor = 0.5 }, { at = "60d", capacity = 12 }`, 12},
	} {
		t.Run(c.name, func(t *testing.T) {
			src := mtHead("10d", "100d", 3652.5, "q") + `
[places.q]
kind = "capacity"
capacity = 20
capacity_changes = [ ` + c.changes + ` ]
stay = "exponential(mean = 1d)"
[places.q.exits.done]
probability = 1
[[places.q.routes.done]]
to = "gone"
`
			m := mtModel(t, src)
			r := mtRun(t, m, 0)
			if got := r.ps[m.index["q"]].res.Capacity(); got != c.want {
				t.Errorf("capacity at the end %d, want %d", got, c.want)
			}
		})
	}
}

// ---------------------------------------------------------------------------
// Parallel places

func TestModelParallel(t *testing.T) {
	t.Run("capacity_erlang_b", func(t *testing.T) {
		// One arrival a day at a (20 days), each offered p for 10 days; p has
		// 5 places. Offers are a loss system: blocked with Erlang B(5, 10)
		// (insensitive to the fixed duration), holders 10·(1 − B).
		src := mtHead("100d", "10y", daysPerYear, "a") + mtPass("a", "fixed(20d)", "gone") + `
[places.p]
kind = "parallel"
capacity = 5
join_at = ["a"]
duration = "fixed(10d)"
`
		m := mtModel(t, src)
		rs := mtReplicate(t, m, mtReps)
		B := erlangB(5, 10)
		mtNear(t, "missed share", mtRatio(t, m, rs, "missed.p", "admissions.a"), B, 0)
		mtNear(t, "occupancy.p", mtStat(t, m, rs, "occupancy.p"), 10*(1-B), 0)
		// Exact: every admission to a is one offer, taken up or missed.
		ia, ip, im := mtIndex(t, m, "admissions.a"), mtIndex(t, m, "admissions.p"), mtIndex(t, m, "missed.p")
		for k, r := range rs {
			if got, want := r.Values[ip]+r.Values[im], r.Values[ia]; math.Abs(got-want) > 1e-9*want {
				t.Errorf("replication %d: taken up + missed = %v, offers = %v", k, got, want)
			}
		}
		r := mtRun(t, m, 0)
		if mx := r.ps[m.index["p"]].res.Stats.Busy.Max(); mx > 5 {
			t.Errorf("%v holders, capacity 5", mx)
		}
	})

	// Clients join p (10 days) at a (1 day), wait GAP days in b, then spend a
	// day in c, whose completion has OR 2 while holding p, then go to d (20
	// days) or leave the model.
	extraD := func(then string) string {
		if then != "d" {
			return ""
		}
		return mtPass("d", "fixed(20d)", "gone")
	}
	holding := func(gap, then string, extra string) string {
		return mtHead("100d", "3y", 3652.5, "a") + extra + mtPass("a", "fixed(1d)", "b") + mtPass("b", gap, "c") + `
[places.p]
kind = "parallel"
join_at = ["a"]
duration = "fixed(10d)"

[places.c]
kind = "open"
stay = "fixed(1d)"
[places.c.exits.completed]
probability = 0.4
modifiers = [ { when = "holding.p", odds_ratio = 2 } ]
[places.c.exits.dropped_out]
probability = 0.6
[[places.c.routes.completed]]
to = "` + then + `"
[[places.c.routes.dropped_out]]
to = "` + then + `"
` + extraD(then)
	}
	for _, c := range []struct {
		name, gap, then  string
		completed, holds float64
	}{
		// At c on day 4, still holding: OR applies. p is held 10 days.
		{"while_held", "fixed(3d)", "d", orShift(0.4, 2), 100},
		// At c on day 21, the hold ended on day 10: no effect.
		{"after_hold_ends", "fixed(20d)", "d", 0.4, 100},
		// Leaving the model on day 5 ends the hold early: held 5 days.
		{"leaving_ends_hold", "fixed(3d)", "gone", orShift(0.4, 2), 50},
	} {
		t.Run(c.name, func(t *testing.T) {
			m := mtModel(t, holding(c.gap, c.then, ""))
			rs := mtReplicate(t, m, mtReps)
			mtNear(t, "completed share at c", mtStat(t, m, rs, "exit_share.completed"), c.completed, 0)
			mtNear(t, "occupancy.p", mtStat(t, m, rs, "occupancy.p"), c.holds, 0)
			mtNear(t, "admissions.p", mtStat(t, m, rs, "admissions.p"), 3652.5, 0)
		})
	}
	t.Run("eligible_and_uptake", func(t *testing.T) {
		// Only opiate clients (40%) are eligible; uptake 0.5, OR 3 when
		// policy.active: 0.2 of clients, or 0.4·0.75 = 0.3.
		src := strings.Replace(holding("fixed(3d)", "d", `
[case_mix.drug]
opiate = 0.4
non_opiate = 0.6
[policy]
active = false
`), `duration = "fixed(10d)"`, `duration = "fixed(10d)"
eligible = "client.drug == 'opiate'"
uptake = { probability = 0.5, modifiers = [ { when = "policy.active", odds_ratio = 3 } ] }`, 1)
		for _, c := range []struct {
			sets []string
			want float64
		}{{nil, 0.2}, {[]string{"policy.active=true"}, 0.3}} {
			m := mtModel(t, src, c.sets...)
			rs := mtReplicate(t, m, mtReps)
			mtNear(t, fmt.Sprintf("share taking up p %v", c.sets), mtRatio(t, m, rs, "admissions.p", "admissions.a"), c.want, 0)
		}
	})
}

// ---------------------------------------------------------------------------
// Metrics

func TestModelRepeatShare(t *testing.T) {
	// After each one-day stay, 30% come straight back: admissions per client
	// are geometric with mean 1/0.7, and a share 0.3 of admissions are repeats.
	src := mtHead("30d", "2y", 3652.5, "t") + `
[places.t]
kind = "open"
stay = "fixed(1d)"
[places.t.exits.done]
probability = 1
[[places.t.routes.done]]
to = "t"
probability = 0.3
[[places.t.routes.done]]
to = "gone"
probability = 0.7
`
	m := mtModel(t, src)
	rs := mtReplicate(t, m, mtReps)
	mtNear(t, "repeat_share.t", mtStat(t, m, rs, "repeat_share.t"), 0.3, 0)
	mtNear(t, "admissions.t", mtStat(t, m, rs, "admissions.t"), 3652.5/0.7, 0)
}

func TestModelLinkage(t *testing.T) {
	// a (treatment) → w (not treatment, GAP days) → b (treatment) or gone.
	scenario := func(gap string, pB float64, b string) string {
		return mtHead("60d", "2y", 3652.5, "a") + fmt.Sprintf(`
[places.a]
kind = "open"
stay = "fixed(1d)"
[places.a.exits.done]
probability = 1
[[places.a.routes.done]]
to = "w"
probability = %v
[[places.a.routes.done]]
to = "gone"
probability = %v
`, pB, 1-pB) + mtPass("w", gap, "b") + b
	}
	open := `
[places.b]
kind = "capacity"
capacity = 100000
stay = "fixed(1d)"
[places.b.exits.done]
probability = 1
[[places.b.routes.done]]
to = "gone"
`
	for _, c := range []struct {
		name  string
		src   string
		want  float64
		exact bool
	}{
		{"admitted_after_25d", scenario("fixed(25d)", 1, open), 1, true},
		{"admitted_after_35d", scenario("fixed(35d)", 1, open), 0, true},
		{"wait_over_30d", scenario("fixed(1d)", 1, `
[places.b]
kind = "capacity"
capacity = 0
stay = "fixed(1d)"
patience = "fixed(40d)"
[places.b.exits.done]
probability = 1
[[places.b.routes.done]]
to = "gone"
[[places.b.routes.reneged]]
to = "gone"
`), 0, true},
		// b full, with a list of clients who give up after 40 days: those
		// admitted have waited nearly 40 days.
		{"queue_wait_over_30d", scenario("fixed(1d)", 1, `
[places.b]
kind = "capacity"
capacity = 10
stay = "fixed(10d)"
patience = "fixed(40d)"
[places.b.exits.done]
probability = 1
[[places.b.routes.done]]
to = "gone"
[[places.b.routes.reneged]]
to = "gone"
`), 0, true},
		{"sixty_percent_referred", scenario("fixed(2d)", 0.6, open), 0.6, false},
	} {
		t.Run(c.name, func(t *testing.T) {
			m := mtModel(t, c.src)
			rs := mtReplicate(t, m, mtReps)
			if c.name == "queue_wait_over_30d" {
				if s := mtStat(t, m, rs, "wait_mean_days.b"); s.mean < 30 {
					t.Fatalf("clients admitted to b waited %v days on average, want over 30", s.mean)
				}
				if s := mtStat(t, m, rs, "admissions.b"); s.mean < 300 {
					t.Fatalf("%v admissions to b a year, want about 365", s.mean)
				}
			}
			if c.exact {
				mtExact(t, m, rs, "linkage_30d.a", c.want)
			} else {
				mtNear(t, "linkage_30d.a", mtStat(t, m, rs, "linkage_30d.a"), c.want, 0)
			}
		})
	}
}

func TestModelRetention(t *testing.T) {
	// Stays Exp(mean 100 d); half complete. Retained 12 weeks: stays of 84
	// days or more, e^{−0.84}, plus completions before then, 0.5·(1 − e^{−0.84}).
	src := mtHead("30d", "3y", 3652.5, "t") + `
[places.t]
kind = "open"
stay = "exponential(mean = 100d)"
[places.t.exits.completed]
probability = 0.5
[places.t.exits.dropped_out]
probability = 0.5
[[places.t.routes.completed]]
to = "gone"
[[places.t.routes.dropped_out]]
to = "gone"
`
	m := mtModel(t, src)
	rs := mtReplicate(t, m, mtReps)
	s := math.Exp(-0.84)
	mtNear(t, "retained_12w.t", mtStat(t, m, rs, "retained_12w.t"), s+0.5*(1-s), 0)
	mtFar(t, "retained_12w.t", mtStat(t, m, rs, "retained_12w.t"), s, 0)
}

func TestModelStaysAndExitShares(t *testing.T) {
	t.Run("median_stay", func(t *testing.T) {
		// Stays of 10, 37 or 90 days with shares 0.3, 0.4, 0.3: the median is
		// 37 days, within the histogram's 0.5%.
		src := mtHead("100d", "1y", 3652.5, "t") + `
[places.t]
kind = "open"
[places.t.exits.a]
probability = 0.3
stay = "fixed(10d)"
[places.t.exits.b]
probability = 0.4
stay = "fixed(37d)"
[places.t.exits.c]
probability = 0.3
stay = "fixed(90d)"
[[places.t.routes.a]]
to = "gone"
[[places.t.routes.b]]
to = "gone"
[[places.t.routes.c]]
to = "gone"
`
		m := mtModel(t, src)
		rs := mtReplicate(t, m, 3)
		i := mtIndex(t, m, "median_stay_days.t")
		for k, r := range rs {
			if got := r.Values[i]; math.Abs(got-37) > 0.005*37 {
				t.Errorf("replication %d: median stay %v, want 37 within 0.5%%", k, got)
			}
		}
	})
	t.Run("exit_shares_with_mortality", func(t *testing.T) {
		// Ten-day stays, exits 0.5/0.3/0.2, and a death rate of 0.01 a day
		// that competes with them: 1 − e^{−0.1} die, the rest leave by the
		// declared shares.
		src := mtHead("30d", "2y", 3652.5, "t") + `
[places.t]
kind = "open"
stay = "fixed(10d)"
[places.t.mortality]
unit = "per_day"
bands = [ { rate = 0.01 } ]
[places.t.exits.completed]
probability = 0.5
[places.t.exits.dropped_out]
probability = 0.3
[places.t.exits.transferred]
probability = 0.2
[[places.t.routes.completed]]
to = "gone"
[[places.t.routes.dropped_out]]
to = "gone"
[[places.t.routes.transferred]]
to = "gone"
`
		m := mtModel(t, src)
		rs := mtReplicate(t, m, mtReps)
		died := 1 - math.Exp(-0.1)
		mtNear(t, "exit_share.died", mtStat(t, m, rs, "exit_share.died"), died, 0)
		mtNear(t, "exit_share.completed", mtStat(t, m, rs, "exit_share.completed"), 0.5*(1-died), 0)
		mtNear(t, "exit_share.dropped_out", mtStat(t, m, rs, "exit_share.dropped_out"), 0.3*(1-died), 0)
		mtNear(t, "exit_share.transferred", mtStat(t, m, rs, "exit_share.transferred"), 0.2*(1-died), 0)
		mtNear(t, "deaths", mtStat(t, m, rs, "deaths"), 3652.5*died, 0)
		mtNear(t, "exits.t.died", mtStat(t, m, rs, "exits.t.died"), 3652.5*died, 0)
	})
}

// TestModelYearlyCounts checks the yearly counts on a journey simple enough
// to count: 20 arrivals a day at t; each stay is 10 days; half complete and
// leave, half drop out and come straight back. A client has N admissions,
// geometric with mean 2, over 10·N days. In a year of Y days:
//   - admissions: 2·20·Y; completions: one a client, 20·Y;
//   - clients admitted in the year (clients_admitted): those whose
//     admission days s, s+10, …, s+10(N−1) meet the year: 20·(Y + 10·E[N−1]);
//   - clients in treatment at any time (distinct_clients_treated): those whose
//     stay [s, s+10N) meets the year: 20·(Y + 10·E[N]);
//   - completion_rate: completions / clients in treatment = Y/(Y + 20);
//   - person_years.in_treatment: 20 × 20 days (Little).
func TestModelYearlyCounts(t *testing.T) {
	const lambda, Y = 20.0, daysPerYear
	src := mtHead("100d", "5y", lambda*Y, "t") + `
[places.t]
kind = "open"
stay = "fixed(10d)"
[places.t.exits.completed]
probability = 0.5
[places.t.exits.dropped_out]
probability = 0.5
[[places.t.routes.completed]]
to = "gone"
[[places.t.routes.dropped_out]]
to = "t"
`
	m := mtModel(t, src)
	rs := mtReplicate(t, m, mtReps)
	mtNear(t, "admissions.t", mtStat(t, m, rs, "admissions.t"), 2*lambda*Y, 0)
	mtNear(t, "repeat_share.t", mtStat(t, m, rs, "repeat_share.t"), 0.5, 0)
	mtNear(t, "clients_admitted", mtStat(t, m, rs, "clients_admitted"), lambda*(Y+10), 0)
	mtNear(t, "distinct_clients_treated", mtStat(t, m, rs, "distinct_clients_treated"), lambda*(Y+20), 0)
	mtNear(t, "completion_rate", mtStat(t, m, rs, "completion_rate"), Y/(Y+20), 0)
	mtNear(t, "person_years.in_treatment", mtStat(t, m, rs, "person_years.in_treatment"), lambda*20, 0)
	mtFar(t, "clients_admitted", mtStat(t, m, rs, "clients_admitted"), 2*lambda*Y, 0)
}

func TestModelPersonYears(t *testing.T) {
	// 10 a day: t1 (open, 10 d) → t2 (capacity, never full, 5 d) → s (state, 30 d).
	src := mtHead("60d", "2y", 3652.5, "t1") + mtPass("s", "fixed(30d)", "gone") + `
[places.t1]
kind = "open"
stay = "fixed(10d)"
[places.t1.exits.done]
probability = 1
[[places.t1.routes.done]]
to = "t2"

[places.t2]
kind = "capacity"
capacity = 1000
stay = "fixed(5d)"
[places.t2.exits.done]
probability = 1
[[places.t2.routes.done]]
to = "s"
`
	m := mtModel(t, src)
	rs := mtReplicate(t, m, mtReps)
	mtNear(t, "person_years.in_treatment", mtStat(t, m, rs, "person_years.in_treatment"), 150, 0)
	mtNear(t, "occupancy.t1", mtStat(t, m, rs, "occupancy.t1"), 100, 0)
	mtNear(t, "occupancy.t2", mtStat(t, m, rs, "occupancy.t2"), 50, 0)
	mtNear(t, "person_years.s", mtStat(t, m, rs, "person_years.s"), 300, 0)
}

// TestModelRepresent6m: completers of t go to r for GAP days, then half come
// back to intake a. At a, half are referred to t and half decline and try
// again after 10 days. Every completion that comes back does so within 6
// months (GAP = 20 d) or after (GAP = 200 d); a completion counts once
// however many times the client presents before the next completion.
func TestModelRepresent6m(t *testing.T) {
	for _, c := range []struct {
		gap  string
		want float64
	}{{"fixed(20d)", 0.5}, {"fixed(200d)", 0}} {
		t.Run(c.gap, func(t *testing.T) {
			src := mtHead("1y", "5y", 3652.5, "a") + `
[places.a]
kind = "state"
stay = "fixed(1d)"
[places.a.exits.referred]
probability = 0.5
[places.a.exits.declined]
probability = 0.5
[[places.a.routes.referred]]
to = "t"
[[places.a.routes.declined]]
to = "w"
` + mtPass("w", "fixed(10d)", "a") + `
[places.t]
kind = "open"
stay = "fixed(10d)"
[places.t.exits.completed]
probability = 1
[[places.t.routes.completed]]
to = "r"

[places.r]
kind = "state"
stay = "` + c.gap + `"
[places.r.exits.next]
probability = 1
[[places.r.routes.next]]
to = "a"
probability = 0.5
[[places.r.routes.next]]
to = "gone"
probability = 0.5
`
			m := mtModel(t, src)
			rs := mtReplicate(t, m, mtReps)
			s := mtStat(t, m, rs, "completions_represent_6m")
			if c.want == 0 {
				mtExact(t, m, rs, "completions_represent_6m", 0)
			} else {
				mtNear(t, "completions_represent_6m", s, c.want, 0)
			}
		})
	}
}

// ---------------------------------------------------------------------------
// Inheritance and overrides

func TestModelInheritance(t *testing.T) {
	parentPath := filepath.Join("testdata", "model", "parent.toml")
	childPath := filepath.Join("testdata", "model", "child.toml")
	parent, err := (&scenario.Loader{Check: Check}).Load(parentPath, nil)
	if err != nil {
		t.Fatal(err)
	}
	child, err := (&scenario.Loader{Check: Check}).Load(childPath, nil)
	if err != nil {
		t.Fatal(err)
	}
	if child.Base != parentPath {
		t.Errorf("child base %q, want %q", child.Base, parentPath)
	}
	if got := parent.Places["t"].Stay.String(); got != "fixed(10d)" {
		t.Errorf("parent stay %s", got)
	}
	if got := child.Places["t"].Stay.String(); got != "fixed(20d)" {
		t.Errorf("child stay %s, want fixed(20d)", got)
	}
	if child.Origin["places.t.stay"] != childPath || child.Origin["arrivals.per_year"] != parentPath {
		t.Errorf("origins: stay from %q, per_year from %q", child.Origin["places.t.stay"], child.Origin["arrivals.per_year"])
	}
	// Everything but the stay (and the bookkeeping of where it came from) is
	// the parent's.
	p2, c2 := *parent, *child
	p2.Places, c2.Places = nil, nil
	p2.Origin, c2.Origin, p2.File, c2.File, p2.Base, c2.Base, p2.Name, c2.Name = nil, nil, "", "", "", "", "", ""
	p2.Files, c2.Files = nil, nil
	if p2.Fingerprint() == c2.Fingerprint() {
		t.Error("a child with another stay has its parent's fingerprint")
	}
	if d := sameExported(reflect.ValueOf(p2), reflect.ValueOf(c2)); d != "" {
		t.Errorf("child differs from parent outside places: %s", d)
	}
	pt, ct := *parent.Places["t"], *child.Places["t"]
	pt.Stay, ct.Stay = nil, nil
	if !reflect.DeepEqual(pt, ct) {
		t.Errorf("place t differs beyond its stay:\n%+v\n%+v", pt, ct)
	}

	// Outputs: twice the stay, twice the occupancy; and the child is the
	// parent with --set places.t.stay=fixed(20d), replication by replication.
	mp, mc := mtLoad(t, parentPath), mtLoad(t, childPath)
	rp, rc := mtReplicate(t, mp, mtReps), mtReplicate(t, mc, mtReps)
	mtNear(t, "occupancy.t (parent)", mtStat(t, mp, rp, "occupancy.t"), 100, 0)
	mtNear(t, "occupancy.t (child)", mtStat(t, mc, rc, "occupancy.t"), 200, 0)
	ms := mtLoad(t, parentPath, "places.t.stay=fixed(20d)")
	if rs := mtReplicate(t, ms, mtReps); !sameResults(rs, rc) {
		t.Error("parent with --set places.t.stay=fixed(20d) differs from the child")
	}
}

func TestModelOverrides(t *testing.T) {
	parentPath := filepath.Join("testdata", "model", "parent.toml")
	sc, err := (&scenario.Loader{Check: Check}).Load(parentPath, []string{"arrivals.per_year=7305"})
	if err != nil {
		t.Fatal(err)
	}
	if v := sc.Arrivals.PerYear; v.V != 7305 || v.Source != "assumption" || sc.Origin["arrivals.per_year"] != "--set" {
		t.Errorf("per_year after --set: %+v from %q", v, sc.Origin["arrivals.per_year"])
	}
	m, err := Build(sc)
	if err != nil {
		t.Fatal(err)
	}
	rs := mtReplicate(t, m, mtReps)
	// Twice the arrivals: twice the presentations and occupancy.
	mtNear(t, "presentations", mtStat(t, m, rs, "presentations"), 7305, 0)
	mtNear(t, "occupancy.t", mtStat(t, m, rs, "occupancy.t"), 200, 0)

	// Overrides of run settings change the run.
	m2 := mtLoad(t, parentPath, "run.horizon=1y", "run.warmup=0d")
	if m2.Months() != 12 {
		t.Errorf("%d months after --set run.horizon=1y", m2.Months())
	}
}

// ---------------------------------------------------------------------------
// Determinism and common random numbers

func TestModelDeterminism(t *testing.T) {
	path := filepath.Join("testdata", "model", "mixed.toml")
	m := mtLoad(t, path)
	ctx := context.Background()
	a, err := m.Run(ctx, 7, 0)
	if err != nil {
		t.Fatal(err)
	}
	for i, v := range a.Values {
		if math.IsNaN(v) {
			t.Fatalf("metric %s is NaN: the scenario should exercise every metric", m.Metrics()[i].Name)
		}
	}
	b, err := m.Run(ctx, 7, 0)
	if err != nil {
		t.Fatal(err)
	}
	if !reflect.DeepEqual(a, b) {
		t.Error("two runs with the same seed and replication differ")
	}
	c, err := m.Run(ctx, 8, 0)
	if err != nil {
		t.Fatal(err)
	}
	if reflect.DeepEqual(a, c) {
		t.Error("runs with different seeds are identical")
	}
	one, err := m.Replicate(ctx, 7, 5, 1, nil)
	if err != nil {
		t.Fatal(err)
	}
	three, err := m.Replicate(ctx, 7, 5, 3, nil)
	if err != nil {
		t.Fatal(err)
	}
	if !reflect.DeepEqual(one, three) {
		t.Error("Replicate with 1 and 3 workers differ")
	}
	if !reflect.DeepEqual(one[0], a) {
		t.Error("replication 0 of Replicate differs from Run(seed, 0)")
	}
}

func TestModelCommonRandomNumbers(t *testing.T) {
	path := filepath.Join("testdata", "model", "mixed.toml")
	base := mtReplicate(t, mtLoad(t, path), 3)
	// unused is reachable only by a route whose policy condition is false.
	for _, set := range [][]string{
		{"places.unused.stay=exponential(mean = 3d)"},
		{"places.unused.mortality.bands=[{rate = 90}]"},
	} {
		if got := mtReplicate(t, mtLoad(t, path, set...), 3); !sameResults(base, got) {
			t.Errorf("--set %v changed the results of a place no client reaches", set)
		}
	}
	// Changing a place clients do reach changes them (the check has teeth).
	if got := mtReplicate(t, mtLoad(t, path, "places.detox.capacity=3"), 3); sameResults(base, got) {
		t.Error("--set places.detox.capacity=3 changed nothing")
	}
	if got := mtReplicate(t, mtLoad(t, path, "policy.route_unused=true"), 3); sameResults(base, got) {
		t.Error("--set policy.route_unused=true changed nothing")
	}
}

// ---------------------------------------------------------------------------
// Memory

// TestModelMemoryFollowsAlive runs 365,000 clients who each live about a
// day: about 100 are alive at once, and the client slab must stay near that,
// not grow with the clients simulated. Each holds a parallel place for a
// year, which death must give back.
func TestModelMemoryFollowsAlive(t *testing.T) {
	src := mtHead("0d", "10y", 100*daysPerYear, "s") + `
[places.s]
kind = "state"
stay = "exponential(mean = 1d)"
[places.s.exits.dies]
probability = 1
[[places.s.routes.dies]]
to = "dead"

[places.p]
kind = "parallel"
join_at = ["s"]
duration = "fixed(1y)"
`
	m := mtModel(t, src)
	r := mtRun(t, m, 0)
	res := r.result()
	if d := res.Values[mtIndex(t, m, "deaths")]; math.Abs(d-36525) > 4*math.Sqrt(36525*10)/10 {
		t.Errorf("%v deaths a year, want 36525 (Poisson, ±4 SE)", d)
	}
	// Alive at once is Poisson(100): its maximum over 10 years is far below 400.
	if r.n > 400 || len(r.pages) > 1 {
		t.Errorf("%d client ids in %d pages for about 100 alive", r.n, len(r.pages))
	}
	if len(r.hold) > 400*len(m.parallel) {
		t.Errorf("hold slab has %d entries", len(r.hold))
	}
	if occ := res.Values[mtIndex(t, m, "occupancy.p")]; occ > 150 {
		t.Errorf("%v places of p held on average: holds of the dead were not given back", occ)
	}
}

// TestModelNewMeasures checks the measures added for validation on journeys
// whose answers can be written down.
func TestModelNewMeasures(t *testing.T) {
	t.Run("linkage_90d", func(t *testing.T) {
		// a → w (fixed gap) → b: a gap of 60 days links within 90 days but
		// not within 30; one of 100 days links within neither.
		src := func(gap string) string {
			return mtHead("60d", "2y", 3652.5, "a") + `
[places.a]
kind = "open"
stay = "fixed(1d)"
[places.a.exits.done]
probability = 1
[[places.a.routes.done]]
to = "w"
` + mtPass("w", gap, "b") + `
[places.b]
kind = "open"
stay = "fixed(1d)"
[places.b.exits.done]
probability = 1
[[places.b.routes.done]]
to = "gone"
`
		}
		m := mtModel(t, src("fixed(60d)"))
		rs := mtReplicate(t, m, 3)
		mtExact(t, m, rs, "linkage_90d.a", 1)
		mtExact(t, m, rs, "linkage_30d.a", 0)
		m = mtModel(t, src("fixed(100d)"))
		mtExact(t, m, mtReplicate(t, m, 3), "linkage_90d.a", 0)
	})
	t.Run("dropout_4w_and_shares_by_attribute", func(t *testing.T) {
		// Drop-outs stay Exp(mean 20 d): 1 − e^{−28/20} leave within four
		// weeks. Opiate clients (30%) complete 20% of the time, others 70%.
		src := mtHead("60d", "3y", 3652.5, "t") + `
[case_mix.drug]
opiate = 0.3
non_opiate = 0.7

[report]
by = ["drug"]

[places.t]
kind = "open"
stay = "fixed(50d)"
[places.t.exits.completed]
probability = 0.7
modifiers = [ { when = "client.drug == 'opiate'", odds_ratio = 0.10714285714285714 } ]
[places.t.exits.dropped_out]
probability = 0.3
stay = "exponential(mean = 20d)"
[[places.t.routes.completed]]
to = "gone"
[[places.t.routes.dropped_out]]
to = "gone"
`
		m := mtModel(t, src)
		rs := mtReplicate(t, m, mtReps)
		want := 1 - math.Exp(-28.0/20)
		mtNear(t, "dropout_4w_share.t", mtStat(t, m, rs, "dropout_4w_share.t"), want, 0)
		mtFar(t, "dropout_4w_share.t", mtStat(t, m, rs, "dropout_4w_share.t"), 1-math.Exp(-1), 0)
		// OR 0.1071 takes 0.7 to 0.2: 0.1071·0.7 / (0.3 + 0.1071·0.7) = 0.2.
		mtNear(t, "exit_share.completed.drug.opiate", mtStat(t, m, rs, "exit_share.completed.drug.opiate"), 0.2, 0)
		mtNear(t, "exit_share.completed.drug.non_opiate", mtStat(t, m, rs, "exit_share.completed.drug.non_opiate"), 0.7, 0)
		mtNear(t, "exit_share.completed", mtStat(t, m, rs, "exit_share.completed"), 0.3*0.2+0.7*0.7, 0)
	})
	t.Run("completion_rate_sustained", func(t *testing.T) {
		// Every client completes, then half re-present at once (a route back
		// to t), half leave: the sustained rate is half the completion rate.
		src := mtHead("60d", "3y", 365.25, "t") + `
[places.t]
kind = "open"
stay = "fixed(30d)"
[places.t.exits.completed]
probability = 1
[[places.t.routes.completed]]
to = "w"
probability = 0.5
[[places.t.routes.completed]]
to = "gone"
probability = 0.5
` + mtPass("w", "fixed(10d)", "t")
		m := mtModel(t, src)
		rs := mtReplicate(t, m, mtReps)
		rate, sus := mtStat(t, m, rs, "completion_rate"), mtStat(t, m, rs, "completion_rate_sustained")
		mtNear(t, "completions_represent_6m", mtStat(t, m, rs, "completions_represent_6m"), 0.5, 0.01)
		mtNear(t, "completion_rate_sustained / completion_rate", mtRatio(t, m, rs, "completion_rate_sustained", "completion_rate"), 0.5, 0.01)
		if !(sus.mean < rate.mean) {
			t.Errorf("sustained %v not below the completion rate %v", sus.mean, rate.mean)
		}
	})
}

// sameExported returns the path to the first exported field at which a
// and b differ, or "": what reflect.DeepEqual says, but blind to
// bookkeeping kept in unexported fields (a scenario's fingerprint).
func sameExported(a, b reflect.Value) string {
	if a.Kind() == reflect.Struct {
		for i := range a.NumField() {
			if f := a.Type().Field(i); f.IsExported() {
				if d := sameExported(a.Field(i), b.Field(i)); d != "" {
					return "." + f.Name + d
				}
			}
		}
		return ""
	}
	if !reflect.DeepEqual(a.Interface(), b.Interface()) {
		return fmt.Sprintf(": %v, %v", a.Interface(), b.Interface())
	}
	return ""
}
