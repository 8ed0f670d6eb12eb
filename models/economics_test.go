package models

import (
	"math"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/journeysim/journeysim/models/result"
	"github.com/journeysim/journeysim/models/scenario"
)

func TestDiscounting(t *testing.T) {
	// (1.035)^-2 = 1 / 1.071225.
	if got, want := DiscountFactor(0.035, 2), 1/1.071225; math.Abs(got-want) > 1e-12 {
		t.Errorf("DiscountFactor(3.5%%, 2y) = %v, want %v", got, want)
	}
	// A flow of 1 a year for one year at 3.5%: (1 − 1/1.035) / ln 1.035.
	want := (1 - 1/1.035) / math.Log(1.035)
	if got := DiscountedRate(0.035, 0, 1); math.Abs(got-want) > 1e-12 {
		t.Errorf("DiscountedRate(3.5%%, 0, 1) = %v, want %v", got, want)
	}
	// The same flow summed day by day, each day discounted at its midpoint.
	sum := 0.0
	for d := 0; d < 3650; d++ {
		sum += DiscountFactor(0.035, (float64(d)+0.5)/365) / 365
	}
	if got := DiscountedRate(0.035, 0, 10); math.Abs(got-sum) > 1e-6 {
		t.Errorf("DiscountedRate(3.5%%, 0, 10) = %v, daily sum %v", got, sum)
	}
	if got := DiscountedRate(0, 2, 5); got != 3 {
		t.Errorf("undiscounted 2y to 5y = %v, want 3", got)
	}
}

// TestCompareEconomics checks the ICER, net monetary benefit and returns
// on replications whose totals are set by hand.
func TestCompareEconomics(t *testing.T) {
	m := mtLoad(t, "baseline")
	set := func(vals map[string]float64) *result.Result {
		r := &result.Result{Values: make([]float64, len(m.Metrics()))}
		for k, v := range vals {
			r.Values[mtIndex(t, m, k)] = v
		}
		return r
	}
	base := []*result.Result{
		set(map[string]float64{"cost.total_pv": 1000, "qalys_pv": 10, "crime_cost_pv": 5000, "crime_cost_pv.excl_transfers": 3750, "crime_avoided_in_treatment_pv": 2000, "health_cost_pv": 800,
			"before_after.1y.crime_before": 100, "before_after.1y.crime_after": 40, "before_after.1y.treatment_cost": 30}),
		set(map[string]float64{"cost.total_pv": 1000, "qalys_pv": 12, "crime_cost_pv": 5200, "crime_cost_pv.excl_transfers": 3900, "crime_avoided_in_treatment_pv": 2000, "health_cost_pv": 900,
			"before_after.1y.crime_before": 100, "before_after.1y.crime_after": 50, "before_after.1y.treatment_cost": 20}),
	}
	alt := []*result.Result{
		set(map[string]float64{"cost.total_pv": 1500, "qalys_pv": 10.02, "crime_cost_pv": 4600, "crime_cost_pv.excl_transfers": 3450, "crime_avoided_in_treatment_pv": 3000, "health_cost_pv": 700}),
		set(map[string]float64{"cost.total_pv": 1700, "qalys_pv": 12.04, "crime_cost_pv": 4900, "crime_cost_pv.excl_transfers": 3675, "crime_avoided_in_treatment_pv": 3400, "health_cost_pv": 850}),
	}
	l := m.Layout()
	ce, ok := result.CompareEconomics(l, base, l, alt)
	if !ok {
		t.Fatal("no economics")
	}
	near := func(what string, got, want float64) {
		t.Helper()
		if math.Abs(got-want) > 1e-9*math.Max(1, math.Abs(want)) {
			t.Errorf("%s = %v, want %v", what, got, want)
		}
	}
	// Extra cost 500 and 700, extra QALYs 0.02 and 0.04.
	near("incremental cost", ce.Cost.Mean, 600)
	near("incremental QALYs", ce.QALYs.Mean, 0.03)
	near("ICER", ce.ICER.Mean, 600/0.03)
	// NMB at £20,000: 20000·0.02 − 500 = −100; 20000·0.04 − 700 = 100.
	if ce.NMB[0].WTP != 20000 {
		t.Fatalf("first willingness to pay %v, want 20000", ce.NMB[0].WTP)
	}
	near("NMB@20000", ce.NMB[0].Mean.Mean, 0)
	near("NMB@30000", ce.NMB[1].Mean.Mean, (30000*0.02-500+30000*0.04-700)/2)
	// Crime saved 400 and 300 (300 and 225 without transfers).
	near("crime saved", ce.CrimeSaved.Mean, 350)
	near("incremental ROI", ce.Incremental.Mean, 350.0/600)
	near("incremental ROI without transfers", ce.IncrementalExcl.Mean, 262.5/600)
	near("full ROI of the alternative", ce.FullAlt.Mean, 3200.0/1600)
	near("full ROI of the alternative without transfers", ce.FullAltExcl.Mean, 3200.0*(1-m.econ.transferShare)/1600)
	near("full ROI of the base", ce.FullBase.Mean, 2)
	// Health care saved 100 and 50: with crime, 425 saved for 600 spent.
	if !ce.HasHealth {
		t.Fatal("no health costs compared")
	}
	near("health saved", ce.HealthSaved.Mean, 75)
	near("crime and health BCR", ce.CrimeHealth.Mean, 425.0/600)
	// Before and after: 60 and 50 less crime for 30 and 20 of treatment.
	var ba *result.BeforeAfter
	for i := range ce.BeforeAfter {
		if ce.BeforeAfter[i].At == "1y" {
			ba = &ce.BeforeAfter[i]
		}
	}
	if ba == nil {
		t.Fatalf("no before-and-after return at 1y in %+v", ce.BeforeAfter)
	}
	near("before-and-after return of the base", ba.Base.Mean, 110.0/50)
	if !math.IsNaN(ba.Alt.Mean) {
		t.Errorf("before-and-after return with no cohort cost = %v, want NaN", ba.Alt.Mean)
	}
}

// TestModelEconomics: 10 clients a day through t1 (open, 10 d, £2 a day)
// and t2 (never full, 5 d, €10 an admission at £0.50 a euro) to s (using,
// 30 d, crime 365.25 a year, health care 730.5 a year). Little's law gives
// the occupancies. The intake cohort at t1 is measured before and after.
func TestModelEconomics(t *testing.T) {
	src := mtHead("60d", "2y", 3652.5, "t1") + `
[economics]
currency = "GBP"
price_year = 2011
crime_price = "GBP 2011"
health_price = "GBP 2011"
before_after = "intake"
transfer_share = 0.2
discount_rate = 0
willingness_to_pay = [20000]
using_place = "s"
[economics.exchange]
"EUR 2011" = 0.5

[places.t1]
kind = "open"
stay = "fixed(10d)"
cost = { per_day = 2, price = "GBP 2011" }
qaly_weight = 0.5
crime_per_year = 36.525
[places.t1.exits.done]
probability = 1
[[places.t1.routes.done]]
to = "t2"

[places.t2]
kind = "capacity"
capacity = 1000
stay = "fixed(5d)"
cost = { per_episode = 10, price = "EUR 2011" }
[places.t2.exits.done]
probability = 1
[[places.t2.routes.done]]
to = "s"

[places.s]
kind = "state"
stay = "fixed(30d)"
crime_per_year = 365.25
health_per_year = 730.5
qaly_weight = 0.6
[places.s.exits.done]
probability = 1
[[places.s.routes.done]]
to = "gone"

[followups.intake]
place = "t1"
at = ["20d", "50d"]
`
	m := mtModel(t, src)
	rs := mtReplicate(t, m, mtReps)
	mtNear(t, "cost.t1", mtStat(t, m, rs, "cost.t1"), 100*2*365.25, 0)
	mtNear(t, "cost.t2", mtStat(t, m, rs, "cost.t2"), 3652.5*10*0.5, 0)
	// Crime: 300 in s at 1 a day, 100 in t1 at 0.1 a day.
	mtNear(t, "crime_cost", mtStat(t, m, rs, "crime_cost"), (300+10)*365.25, 0)
	// Avoided in treatment: t1 and t2 at (1 − 0.1) and (1 − 0) a day.
	mtNear(t, "crime_avoided_in_treatment_pv", mtStat(t, m, rs, "crime_avoided_in_treatment_pv"), (100*0.9+50*1)*365.25*2, 0)
	mtNear(t, "qalys", mtStat(t, m, rs, "qalys"), 100*0.5+300*0.6, 0)
	mtNear(t, "health_cost", mtStat(t, m, rs, "health_cost"), 300*2*365.25, 0)
	// Before and after intake, per client: 20 days after, 10 in t1 (crime
	// 0.1 a day, £2 a day), 5 in t2 (£5 an admission) and 5 in s (crime 1 a
	// day), against 20 days at the using rate before; 50 days after, 30 in
	// s and gone on day 45.
	for _, c := range []struct {
		metric string
		want   float64
	}{
		{"before_after.20d.crime_before", 20},
		{"before_after.20d.crime_after", 6},
		{"before_after.20d.treatment_cost", 25},
		{"roi.before_after.20d", 14.0 / 25},
		{"before_after.50d.crime_before", 50},
		{"before_after.50d.crime_after", 31},
		{"roi.before_after.50d", 19.0 / 25},
	} {
		mtNear(t, c.metric, mtStat(t, m, rs, c.metric), c.want, 1e-9*c.want)
	}
	// Undiscounted, a total over two years is twice a year's.
	for _, k := range []string{"cost.total", "crime_cost", "qalys"} {
		for i, r := range rs {
			pv := k + "_pv"
			if k == "cost.total" {
				pv = "cost.total_pv"
			}
			y, tot := r.Values[mtIndex(t, m, k)], r.Values[mtIndex(t, m, pv)]
			if math.Abs(tot-2*y) > 1e-6*y {
				t.Errorf("replication %d: %s %v, but %s %v is not twice it", i, k, y, pv, tot)
			}
		}
	}
	// At 3.5% a year, a steady flow over two years is worth DiscountedRate(0.035, 0, 2) years.
	md := mtModel(t, strings.Replace(src, "discount_rate = 0", "discount_rate = 0.035", 1))
	rd := mtReplicate(t, md, mtReps)
	for i := range rd {
		q, pv := rd[i].Values[mtIndex(t, md, "qalys")], rd[i].Values[mtIndex(t, md, "qalys_pv")]
		if want := q * DiscountedRate(0.035, 0, 2); math.Abs(pv-want) > 0.002*want {
			t.Errorf("replication %d: discounted QALYs %v, want %v", i, pv, want)
		}
	}
}

func TestEconomicsErrors(t *testing.T) {
	head := mtHead("60d", "2y", 365.25, "t1") + `
[places.t1]
kind = "open"
stay = "fixed(10d)"
%s
[places.t1.exits.done]
probability = 1
[[places.t1.routes.done]]
to = "gone"
[economics]
currency = "GBP"
price_year = 2011
`
	for _, c := range []struct{ place, want string }{
		{`cost = { per_day = 2 }`, `places.t1.cost.price: say the currency and year of the costs`},
		{`cost = { per_day = 2, price = "USD 2003" }`, `no exchange rate from USD 2003 to GBP`},
		{`cost = { per_post_year = 2, price = "GBP 2011" }`, `per_post_year needs the clients one post carries`},
		{`crime_per_year = 100`, `economics.crime_price`},
	} {
		err := buildSource(t, strings.Replace(head, "%s", c.place, 1))
		if err == nil || !strings.Contains(err.Error(), c.want) {
			t.Errorf("%s: error %v, want %q", c.place, err, c.want)
		}
	}
}

// TestCalibrationLeavesPricesAlone: prices and weights cannot move a
// journey, so a calibration does not search them; a PSA draws them.
func TestCalibrationLeavesPricesAlone(t *testing.T) {
	sc, err := Load("baseline-prior", nil)
	if err != nil {
		t.Fatal(err)
	}
	count := func(economic bool) (econ, other int) {
		set, err := sc.ParamSet(nil, economic)
		if err != nil {
			t.Fatal(err)
		}
		for _, p := range set.Params {
			if scenario.EconomicPath(p.Path) {
				econ++
			} else {
				other++
			}
		}
		return econ, other
	}
	if e, o := count(false); e != 0 || o == 0 {
		t.Errorf("calibration searches %d economic and %d other parameters, want 0 and some", e, o)
	}
	if e, _ := count(true); e == 0 {
		t.Error("a PSA draws no economic parameter")
	}
}

// TestCrimeModifiers: one arrival in ten is a high-rate offender with nine
// times the others' crime rate. crime_per_year stays the mean over the
// arrivals (norm 1/1.8), so crime moves only with who stays where.
func TestCrimeModifiers(t *testing.T) {
	src := mtHead("60d", "2y", 3652.5, "hub") + `
[case_mix.offender]
high = 0.1
other = 0.9

[economics]
currency = "GBP"
price_year = 2011
crime_price = "GBP 2011"
discount_rate = 0
using_place = "long"
crime_modifiers = [ { when = "client.offender == 'high'", ratio = 9 } ]

[places.hub]
kind = "state"
stay = "fixed(0d)"
[places.hub.exits.on]
probability = 1
[[places.hub.routes.on]]
to = "long"
probability = 0.5
when = "client.offender == 'high'"
[[places.hub.routes.on]]
to = "short"
probability = 0.5

[places.long]
kind = "state"
stay = "fixed(30d)"
crime_per_year = 365.25
[places.long.exits.done]
probability = 1
[[places.long.routes.done]]
to = "gone"

[places.short]
kind = "state"
stay = "fixed(10d)"
crime_per_year = 365.25
[places.short.exits.done]
probability = 1
[[places.short.routes.done]]
to = "gone"
`
	m := mtModel(t, src)
	rs := mtReplicate(t, m, mtReps)
	// One arrival a day is a high-rate offender, and half of them go to
	// long; short takes the rest. Crime is one a day at the mean rate: a
	// high-rate offender's is 9/1.8 = 5, another's 1/1.8.
	long, shortHigh, shortOther := 0.5*30, 0.5*10, 9*10.0
	want := (long*5 + shortHigh*5 + shortOther/1.8) * 365.25
	s := mtStat(t, m, rs, "crime_cost")
	mtNear(t, "crime_cost", s, want, 0)
	mtFar(t, "crime_cost without modifiers", s, (long+shortHigh+shortOther)*365.25, 0)
	mtFar(t, "crime_cost unnormalised", s, ((long+shortHigh)*9+shortOther)*365.25, 0)

	for _, c := range []struct{ from, to, want string }{
		{`when = "client.offender == 'high'", ratio = 9`, `when = "admissions.long >= 1", ratio = 9`,
			`economics.crime_modifiers[0].when: may read only the case mix (client.*, client.age aside) and policy.*`},
		{`ratio = 9`, `ratio = 0`, `economics.crime_modifiers[0].ratio: give the crime rate relative to other clients`},
	} {
		err := buildSource(t, strings.Replace(src, c.from, c.to, 1))
		if err == nil || !strings.Contains(err.Error(), c.want) {
			t.Errorf("%s: error %v, want %q", c.to, err, c.want)
		}
	}
}

// TestPostsFollowCapacity: posts are paid for the capacity in place, so a
// capacity doubled halfway through the period costs one and a half times
// the first year's posts on average.
func TestPostsFollowCapacity(t *testing.T) {
	src := mtHead("0d", "2y", 365.25, "t") + `
[economics]
currency = "GBP"
price_year = 2011
discount_rate = 0.035

[places.t]
kind = "capacity"
capacity = 30
stay = "fixed(1d)"
cost = { per_post_year = 1000, caseload = 15, price = "GBP 2011" }
[[places.t.capacity_changes]]
at = "1y"
factor = 2
[places.t.exits.done]
probability = 1
[[places.t.routes.done]]
to = "gone"
`
	m := mtModel(t, src)
	rs := mtReplicate(t, m, 2)
	// Two posts for a year, then four: 6,000 over two years.
	mtExact(t, m, rs, "cost.t", 3000)
	pv := rs[0].Values[mtIndex(t, m, "cost.total_pv")]
	if want := 2000*DiscountedRate(0.035, 0, 1) + 4000*DiscountedRate(0.035, 1, 2); math.Abs(pv-want) > 1e-6 {
		t.Errorf("cost.total_pv = %v, want %v", pv, want)
	}
}

// TestHoldCosts: a parallel place costs per day held, and a hold cut short
// by death is paid only for the days held.
func TestHoldCosts(t *testing.T) {
	src := mtHead("60d", "2y", 365.25, "t") + `
[economics]
currency = "GBP"
price_year = 2011
discount_rate = 0

[places.t]
kind = "open"
stay = "fixed(%s)"
[places.t.exits.done]
probability = 1
[[places.t.routes.done]]
to = "dead"

[places.aid]
kind = "parallel"
join_at = ["t"]
duration = "fixed(20d)"
cost = { per_day = 1, per_episode = 5, price = "GBP 2011" }
`
	// One arrival a day, each holding aid for 20 days (and an episode of 5).
	m := mtModel(t, strings.Replace(src, "%s", "30d", 1))
	mtNear(t, "cost.aid", mtStat(t, m, mtReplicate(t, m, mtReps), "cost.aid"), 365.25*25, 0)
	// Dead after 8 days: 8 days held.
	m = mtModel(t, strings.Replace(src, "%s", "8d", 1))
	s := mtStat(t, m, mtReplicate(t, m, mtReps), "cost.aid")
	mtNear(t, "cost.aid cut short", s, 365.25*13, 0)
	mtFar(t, "cost.aid cut short", s, 365.25*25, 0)
}

// buildSource loads and builds a scenario from its text, returning the error.
func buildSource(t *testing.T, src string) error {
	t.Helper()
	path := filepath.Join(t.TempDir(), "scenario.toml")
	if err := os.WriteFile(path, []byte(src), 0o644); err != nil {
		t.Fatal(err)
	}
	sc, err := (&scenario.Loader{Check: Check}).Load(path, nil)
	if err == nil {
		_, err = Build(sc)
	}
	return err
}

// TestIncidents checks that an incident's expected count is its rate times
// the time at risk, the person-years of the clients it applies to in the
// places it happens in, and that its cost is the count's, in health_cost.
func TestIncidents(t *testing.T) {
	src := mtHead("0d", "4y", 400, "s") + `
[case_mix.drug]
opiate = 0.3
non_opiate = 0.7

[economics]
currency = "GBP"
price_year = 2011
health_price = "GBP 2011"
discount_rate = 0

[economics.incidents.all]
per_year = 2
places = ["s"]
cost = 50
price = "GBP 2011"

[economics.incidents.opiate]
per_year = 2
when = "client.drug == 'opiate'"
places = ["s"]
modifiers = [ { when = "client.drug == 'opiate'", ratio = 1.5 } ]
` + mtPass("s", "exponential(mean = 1y)", "u") + mtPass("u", "exponential(mean = 1y)", "gone")
	m := mtModel(t, src)
	rs := mtReplicate(t, m, mtReps)
	all, py, health := mtIndex(t, m, "incidents.all"), mtIndex(t, m, "person_years.s"), mtIndex(t, m, "health_cost")
	for k, r := range rs {
		if want := 2 * r.Values[py]; math.Abs(r.Values[all]-want) > 1e-9*want {
			t.Errorf("replication %d: incidents.all = %v, want 2 x %v person-years in s", k, r.Values[all], r.Values[py])
		}
		if want := 50 * r.Values[all]; math.Abs(r.Values[health]-want) > 1e-9*want {
			t.Errorf("replication %d: health_cost = %v, want 50 x %v incidents", k, r.Values[health], r.Values[all])
		}
	}
	// Only opiate clients, 30%, at 1.5 times the rate.
	mtNear(t, "opiate incidents over all", mtRatio(t, m, rs, "incidents.opiate", "incidents.all"), 0.3*1.5, 0)
}
