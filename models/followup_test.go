package models

import (
	"math"
	"strings"
	"testing"
)

// The follow-ups, on journeys whose answers can be written down: a client
// admitted to a (day 0) completes on day 10 and goes to u, a state of use,
// for 20 days; then to b, a treatment place, for 10 days, leaving by
// drop-out to r, a state of abstinence, for 20 days; then leaves the model
// on day 60.
const fuJourney = `
[places.a]
kind = "open"
stay = "fixed(10d)"
abstinence = { probability = 1 }
[places.a.exits.completed]
probability = 1
[[places.a.routes.completed]]
to = "u"

[places.u]
kind = "state"
relapse = true
stay = "fixed(20d)"
[places.u.exits.next]
probability = 1
[[places.u.routes.next]]
to = "b"

[places.b]
kind = "open"
stay = "fixed(10d)"
[places.b.exits.dropped_out]
probability = 1
[[places.b.routes.dropped_out]]
to = "r"

[places.r]
kind = "state"
stay = "fixed(20d)"
abstinence = { probability = 1 }
[places.r.exits.next]
probability = 1
[[places.r.routes.next]]
to = "gone"

[followups.fa]
place = "a"
at = ["5d", "15d", "35d", "45d", "70d"]

[followups.fb]
place = "b"
from = "exit"
at = ["1d"]
`

func TestFollowupJourney(t *testing.T) {
	m := mtModel(t, mtHead("100d", "2y", 365.25, "a")+fuJourney)
	rs := mtReplicate(t, m, 3)
	for _, c := range []struct {
		metric string
		want   float64
	}{
		{"followup.fa.5d.in_treatment", 1},
		{"followup.fa.5d.abstinent", 1},
		{"followup.fa.5d.relapsed", 0},
		{"followup.fa.5d.treated_since", 0}, // its own admission does not count
		{"followup.fa.5d.no_exit", 1},
		{"followup.fa.15d.in_treatment", 0},
		{"followup.fa.15d.using", 1},
		{"followup.fa.15d.relapsed", 1},
		{"followup.fa.15d.first_exit.completed", 1},
		{"followup.fa.15d.treated_since", 0},
		{"followup.fa.35d.in_treatment", 1},
		{"followup.fa.35d.treated_since", 1},
		{"followup.fa.35d.abstinent_in_treatment", 0}, // b declares no abstinence
		{"followup.fa.45d.abstinent", 1},
		{"followup.fa.45d.out_of_treatment", 1},
		{"followup.fa.45d.relapsed", 1}, // ever, not now
		{"followup.fa.45d.first_exit.completed", 1},
		{"followup.fa.45d.first_exit.dropped_out", 0},
		{"followup.fa.45d.left", 0},
		{"followup.fa.70d.left", 1},      // gone on day 60, and still counted
		{"followup.fa.70d.left.next", 1}, // by r's exit "next"
		{"followup.fa.70d.state.out_of_treatment", 0},
		{"followup.fa.45d.died", 0},
		{"followup.fa.45d.death_rate", 0},
		{"followup.fb.1d.relapsed", 0}, // r is not a relapse
		{"followup.fb.1d.abstinent", 1},
		{"followup.fb.1d.no_exit", 1},
	} {
		mtExact(t, m, rs, c.metric, c.want)
	}
	// Everyone admitted in the measured years whose 45 days end in them is
	// followed: one a day over two years, less the last 45 days.
	mtNear(t, "followed", mtStat(t, m, rs, "followup.fa.45d.followed"), (2*365.25-45)/2, 3*math.Sqrt(365.25*2)/2)
}

// TestFollowupChoosesCohorts checks the stay and exit filters: a third of
// the clients leave by x after 5 days, the rest by y after 20.
func TestFollowupChoosesCohorts(t *testing.T) {
	src := mtHead("60d", "3y", 3652.5, "a") + `
[places.a]
kind = "open"
[places.a.exits.x]
probability = 0.3333333333333333
stay = "fixed(5d)"
[places.a.exits.y]
probability = 0.6666666666666667
stay = "fixed(20d)"
[[places.a.routes.x]]
to = "gone"
[[places.a.routes.y]]
to = "gone"

[followups.short]
place = "a"
stay_under = "10d"
at = ["1d"]

[followups.long]
place = "a"
from = "exit"
stay_at_least = "10d"
at = ["1d"]

[followups.by_y]
place = "a"
exits = ["y"]
at = ["1d"]
`
	m := mtModel(t, src)
	rs := mtReplicate(t, m, mtReps)
	short := mtRatio(t, m, rs, "followup.short.1d.followed", "admissions.a")
	mtNear(t, "short / admissions", short, 1.0/3, 0.002)
	mtFar(t, "short / admissions", short, 2.0/3, 0)
	mtNear(t, "by_y / admissions", mtRatio(t, m, rs, "followup.by_y.1d.followed", "admissions.a"), 2.0/3, 0.002)
	// Leavers leave the model at once: followed from exit, all have left
	// by day 1, and each is still counted.
	mtExact(t, m, rs, "followup.long.1d.left", 1)
	mtNear(t, "long / admissions", mtRatio(t, m, rs, "followup.long.1d.followed", "admissions.a"), 2.0/3, 0.002)
	mtExact(t, m, rs, "followup.short.1d.no_exit", 1)
}

// TestFollowupAbstinenceAndDeaths checks the abstinence drawn in a place
// (0.3, and 0.3 with odds ×4 = 0.632 for half the clients) and the death
// rate: 50 per 100 person-years, constant, in each band.
func TestFollowupAbstinenceAndDeaths(t *testing.T) {
	src := mtHead("60d", "5y", 730.5, "s") + `
[case_mix.group]
a = 0.5
b = 0.5

[places.s]
kind = "state"
stay = "fixed(200d)"
abstinence = { probability = 0.3, modifiers = [ { when = "client.group == 'b'", odds_ratio = 4 } ] }
[places.s.mortality]
unit = "per_100_person_years"
bands = [ { rate = 50 } ]
[places.s.exits.next]
probability = 1
[[places.s.routes.next]]
to = "gone"

[followups.all]
place = "s"
at = ["30d", "90d"]

[followups.a]
place = "s"
when = "client.group == 'a'"
at = ["30d"]
`
	m := mtModel(t, src)
	rs := mtReplicate(t, m, mtReps)
	orB := 4 * 0.3 / 0.7
	wantB := orB / (1 + orB)
	mtNear(t, "abstinent, group a", mtStat(t, m, rs, "followup.a.30d.abstinent"), 0.3, 0)
	mtNear(t, "abstinent, all", mtStat(t, m, rs, "followup.all.30d.abstinent"), (0.3+wantB)/2, 0)
	mtFar(t, "abstinent, all", mtStat(t, m, rs, "followup.all.30d.abstinent"), 0.3, 0)
	for _, at := range []string{"30d", "90d"} {
		mtNear(t, "death_rate "+at, mtStat(t, m, rs, "followup.all."+at+".death_rate"), 50, 0)
	}
	mtNear(t, "died by 90d", mtStat(t, m, rs, "followup.all.90d.died"), 1-math.Exp(-0.5*90/365.25), 0)
	// The band's deaths over its person-years is its rate.
	mtNear(t, "band deaths / person-years", mtRatio(t, m, rs, "followup.all.90d.band_deaths", "followup.all.90d.band_person_years"), 0.5, 0)
}

// TestLastStayCondition routes clients by the stay they have just left.
func TestLastStayCondition(t *testing.T) {
	src := mtHead("60d", "2y", 3652.5, "a") + `
[places.a]
kind = "open"
[places.a.exits.x]
probability = 0.25
stay = "fixed(5d)"
[places.a.exits.y]
probability = 0.75
stay = "fixed(20d)"
[[places.a.routes.x]]
to = "s"
[[places.a.routes.y]]
to = "s"
` + mtPass("s", "fixed(1d)", "gone") + `
[followups.short]
place = "s"
when = "last_exit.stay_days < 10"
at = ["1d"]
`
	m := mtModel(t, src)
	rs := mtReplicate(t, m, mtReps)
	mtNear(t, "short / admissions", mtRatio(t, m, rs, "followup.short.1d.followed", "admissions.a"), 0.25, 0.002)
	mtFar(t, "short / admissions", mtRatio(t, m, rs, "followup.short.1d.followed", "admissions.a"), 0.75, 0)
}

// TestEffectiveTreatment checks NDTMS's effective treatment: every stay of
// 100 days counts (those under 12 weeks old at a year's end wait to be
// judged); no drop-out after 50 days does; a completion after 50 does.
func TestEffectiveTreatment(t *testing.T) {
	src := func(reason, stay string) string {
		return mtHead("200d", "3y", 365.25, "a") + `
[places.a]
kind = "open"
stay = "` + stay + `"
[places.a.exits.` + reason + `]
probability = 1
[[places.a.routes.` + reason + `]]
to = "gone"
`
	}
	for _, c := range []struct {
		reason, stay string
		want         float64
	}{
		{"dropped_out", "fixed(100d)", 1},
		{"dropped_out", "fixed(50d)", 0},
		{"completed", "fixed(50d)", 1},
	} {
		m := mtModel(t, src(c.reason, c.stay))
		mtExact(t, m, mtReplicate(t, m, 3), "effective_treatment", c.want)
	}
}

// TestTwelveWeekShares checks dropped_out_12w, stayed_12w and an exit's
// stay_modifiers: 40% drop out after 30 days, 60% complete after 200 days
// halved by an unconditional hazard ratio of 2.
func TestTwelveWeekShares(t *testing.T) {
	src := mtHead("60d", "3y", 3652.5, "a") + `
[places.a]
kind = "open"
[places.a.exits.dropped_out]
probability = 0.4
stay = "fixed(30d)"
[places.a.exits.completed]
probability = 0.6
stay = "fixed(200d)"
stay_modifiers = [ { hazard_ratio = 2 } ]
[[places.a.routes.dropped_out]]
to = "gone"
[[places.a.routes.completed]]
to = "gone"
`
	m := mtModel(t, src)
	rs := mtReplicate(t, m, mtReps)
	mtNear(t, "dropped_out_12w.a", mtStat(t, m, rs, "dropped_out_12w.a"), 0.4, 0)
	mtNear(t, "stayed_12w.a", mtStat(t, m, rs, "stayed_12w.a"), 0.6, 0)
	// The completers' stay is 100 days, the 60th percentile of stays: the
	// median is the drop-outs' 30 days or the completers' 100.
	r := mtRun(t, m, 0)
	if got := r.acc.places[m.index["a"]].stays.Quantile(0.9); math.Abs(got-100) > 0.5 {
		t.Errorf("90th percentile of stays = %v, want 100 (200 days halved)", got)
	}
}

// TestDistinctAdmitted checks that a client admitted twice in a year counts
// once: each client is admitted to a, 101 days later to a again; the second
// admission falls in the next year for 101/365.25 of them.
func TestDistinctAdmitted(t *testing.T) {
	src := mtHead("200d", "4y", 1000, "a") + `
[places.a]
kind = "open"
stay = "fixed(1d)"
[places.a.exits.done]
probability = 1
[[places.a.routes.done]]
to = "w"
probability = 1
when = "admissions.a < 2"
[[places.a.routes.done]]
to = "gone"
otherwise = true
` + mtPass("w", "fixed(100d)", "a")
	m := mtModel(t, src)
	rs := mtReplicate(t, m, mtReps)
	mtNear(t, "distinct / arrivals", mtRatio(t, m, rs, "distinct_admitted.a", "new_presentations"), 1+101/365.25, 0.002)
	mtNear(t, "admissions / arrivals", mtRatio(t, m, rs, "admissions.a", "new_presentations"), 2, 0.002)
}

// TestFollowupRecruitsOnce checks that a client readmitted before the last
// follow-up time is not recruited again: every client is admitted to a
// twice, 20 days apart, and followed for 30 days from admission.
func TestFollowupRecruitsOnce(t *testing.T) {
	src := mtHead("100d", "2y", 365.25, "a") + `
[places.a]
kind = "open"
stay = "fixed(1d)"
[places.a.exits.done]
probability = 1
[[places.a.routes.done]]
to = "w"
probability = 1
when = "admissions.a < 2"
[[places.a.routes.done]]
to = "s"
otherwise = true

[followups.fa]
place = "a"
at = ["30d"]
` + mtPass("w", "fixed(19d)", "a") + mtPass("s", "fixed(100d)", "gone")
	m := mtModel(t, src)
	rs := mtReplicate(t, m, mtReps)
	mtNear(t, "followed / arrivals", mtRatio(t, m, rs, "followup.fa.30d.followed", "new_presentations"), 1, 0.01)
	mtFar(t, "followed / arrivals", mtRatio(t, m, rs, "followup.fa.30d.followed", "new_presentations"), 2, 0)
	// Recruited on the first admission, all are admitted again; only those
	// first admitted in the warm-up's last 20 days are recruited on the
	// second, with nothing after it.
	mtNear(t, "treated_since", mtStat(t, m, rs, "followup.fa.30d.treated_since"), 1-20/(2*365.25-30), 0.005)
}

// TestFollowupsOff checks that [run] followups = false drops the
// follow-ups, but for the cohort economics.before_after measures, and
// changes nothing else: their draws (abstinence) have streams
// of their own. The baseline, short, has follow-ups that draw.
func TestFollowupsOff(t *testing.T) {
	short := []string{"run.warmup=1y", "run.horizon=1y"}
	on := mtLoad(t, "baseline", short...)
	off := mtLoad(t, "baseline", append(short, "run.followups=false")...)
	rsOn, rsOff := mtReplicate(t, on, 2), mtReplicate(t, off, 2)
	n := 0
	for i, mi := range on.Metrics() {
		j := off.MetricIndex(mi.Name)
		// The economics' before-and-after cohort is kept.
		if strings.HasPrefix(mi.Name, "followup.") && !strings.HasPrefix(mi.Name, "followup.treatment_intake.") {
			if j >= 0 {
				t.Errorf("%s is still reported with follow-ups off", mi.Name)
			}
			continue
		}
		if j < 0 {
			t.Errorf("%s is missing with follow-ups off", mi.Name)
			continue
		}
		n++
		for k := range rsOn {
			if a, b := rsOn[k].Values[i], rsOff[k].Values[j]; a != b && !(math.IsNaN(a) && math.IsNaN(b)) {
				t.Errorf("%s in replication %d: %v with follow-ups, %v without", mi.Name, k, a, b)
			}
		}
	}
	if n == 0 || len(off.Metrics()) != n {
		t.Errorf("%d metrics compared; %d with follow-ups off", n, len(off.Metrics()))
	}
}

// TestFollowupLeavers follows the leavers of a place most of whom leave the
// area: every member stays in the denominator, so the cohort's states
// (died, left, in treatment, waiting, out of treatment) sum to 1. Leavers
// go: out of the model 0.6, home (a state for 10 years) 0.25, to prison
// 0.1, dead 0.05. "not_to" leaves the prison leavers out, "to" takes only
// them.
func TestFollowupLeavers(t *testing.T) {
	src := mtHead("60d", "5y", 3652.5, "t") + `
[places.t]
kind = "open"
stay = "fixed(10d)"
[places.t.exits.completed]
probability = 1
[[places.t.routes.completed]]
to = "gone"
probability = 0.6
[[places.t.routes.completed]]
to = "home"
probability = 0.25
[[places.t.routes.completed]]
to = "p"
probability = 0.1
[[places.t.routes.completed]]
to = "dead"
probability = 0.05

[places.home]
kind = "state"
stay = "fixed(3652d)"
[places.home.exits.next]
probability = 1
[[places.home.routes.next]]
to = "gone"

[places.p]
kind = "state"
stay = "fixed(3652d)"
[places.p.exits.next]
probability = 1
[[places.p.routes.next]]
to = "gone"

[followups.leavers]
place = "t"
from = "exit"
not_to = ["p"]
at = ["1y", "4y"]

[followups.to_prison]
place = "t"
from = "exit"
to = ["p"]
at = ["1y"]
`
	m := mtModel(t, src)
	rs := mtReplicate(t, m, mtReps)
	states := []string{"died", "left", "state.in_treatment", "state.waiting", "state.out_of_treatment"}
	for _, at := range []string{"1y", "4y"} {
		for k, r := range rs {
			sum := 0.0
			for _, s := range states {
				sum += r.Values[mtIndex(t, m, "followup.leavers."+at+"."+s)]
			}
			if math.Abs(sum-1) > 1e-12 {
				t.Errorf("replication %d at %s: the states sum to %v, not 1", k, at, sum)
			}
		}
	}
	mtNear(t, "leavers / exits", mtRatio(t, m, rs, "followup.leavers.1y.followed", "followup.to_prison.1y.followed"), 9, 0.1)
	mtNear(t, "left", mtStat(t, m, rs, "followup.leavers.4y.left"), 0.6/0.9, 0.003)
	mtNear(t, "left by completion", mtStat(t, m, rs, "followup.leavers.4y.left.completed"), 0.6/0.9, 0.003)
	mtNear(t, "died", mtStat(t, m, rs, "followup.leavers.4y.died"), 0.05/0.9, 0.003)
	mtNear(t, "out of treatment", mtStat(t, m, rs, "followup.leavers.4y.state.out_of_treatment"), 0.25/0.9, 0.003)
	mtExact(t, m, rs, "followup.to_prison.1y.state.out_of_treatment", 1)
}

// The measures of contacts and states, on a journey whose answers can be
// written down: admitted to a, a treatment place (day 0), the client
// completes on day 10 and uses (u) for 20 days; is arrested (j, justice)
// on day 30 for 10 days; is treated in b from day 40, completing on day 50;
// then is abstinent in r for 500 days and leaves the model on day 550.
const fuContacts = `
[places.a]
kind = "open"
stay = "fixed(10d)"
abstinence = { probability = 1 }
[places.a.exits.completed]
probability = 1
[[places.a.routes.completed]]
to = "u"

[places.u]
kind = "state"
relapse = true
stay = "fixed(20d)"
[places.u.exits.arrested]
probability = 1
[[places.u.routes.arrested]]
to = "j"

[places.j]
kind = "state"
justice = true
stay = "fixed(10d)"
abstinence = { probability = 1 }
[places.j.exits.next]
probability = 1
[[places.j.routes.next]]
to = "b"

[places.b]
kind = "open"
stay = "fixed(10d)"
abstinence = { probability = 1 }
[places.b.exits.completed]
probability = 1
[[places.b.routes.completed]]
to = "r"

[places.r]
kind = "state"
stay = "fixed(500d)"
abstinence = { probability = 1 }
[places.r.exits.next]
probability = 1
[[places.r.routes.next]]
to = "gone"

[followups.fa]
place = "a"
at = ["5d", "15d", "35d", "45d", "55d", "450d", "600d"]

[followups.leavers]
place = "a"
from = "exit"
at = ["1d"]
`

func TestFollowupContacts(t *testing.T) {
	m := mtModel(t, mtHead("100d", "3y", 365.25, "a")+fuContacts)
	rs := mtReplicate(t, m, 2)
	for _, c := range []struct {
		metric string
		want   float64
	}{
		{"followup.fa.5d.treated_in_band", 0}, // its own admission does not count
		{"followup.fa.5d.first_contact.treatment", 0},
		{"followup.fa.5d.completed_not_returned", 0},
		{"followup.fa.5d.used_past_year", 0},
		{"followup.fa.5d.changes", 0},
		{"followup.fa.15d.used_past_year", 1},
		{"followup.fa.15d.completed_not_returned", 1},
		{"followup.fa.15d.changes", 1}, // treatment to using
		{"followup.fa.15d.changed_in_band", 1},
		{"followup.fa.15d.justice_since", 0},
		{"followup.fa.35d.justice_since", 1},
		{"followup.fa.35d.treated_or_justice_since", 1},
		{"followup.fa.35d.first_contact.justice", 1},
		{"followup.fa.35d.first_contact.treatment", 0},
		{"followup.fa.35d.used_past_year", 1}, // used until day 30
		{"followup.fa.35d.changes", 2},
		{"followup.fa.45d.treated_in_band", 1},
		{"followup.fa.45d.treated_since", 1},
		{"followup.fa.45d.completed_not_returned", 0}, // back in treatment
		{"followup.fa.45d.first_contact.justice", 1},  // still the first
		{"followup.fa.45d.changes", 3},
		{"followup.fa.55d.treated_in_band", 0},
		{"followup.fa.55d.completed_not_returned", 1},
		{"followup.fa.55d.changes", 4},
		{"followup.fa.450d.used_past_year", 0}, // 420 days since day 30
		{"followup.fa.450d.changed_in_band", 0},
		{"followup.fa.600d.left", 1},
		{"followup.fa.600d.completed_not_returned", 1}, // gone, still counted
		{"followup.fa.600d.changes", 4},
		{"followup.leavers.1d.completed_not_returned", 1}, // the starting exit counts
		{"followup.leavers.1d.used_past_year", 1},
	} {
		mtExact(t, m, rs, c.metric, c.want)
	}
}

// TestJourneySources checks where journeys are referred from and the
// status metrics on a journey: arriving at the intake i (1 day), a client is
// treated in t for 10 days, is held in j (justice) for 30, comes back (to
// the intake, or straight to t as a court orders) for a second stay of 10
// days in t, and leaves the model: two journeys (31 days apart), the
// second from justice; 20 days in treatment of 52 (51 straight to t).
func TestJourneySources(t *testing.T) {
	for _, via := range []string{"i", "t"} {
		t.Run("via "+via, func(t *testing.T) {
			src := mtHead("100d", "10y", 365.25, "i") + `
[places.i]
kind = "state"
stay = "fixed(1d)"
[places.i.exits.next]
probability = 1
[[places.i.routes.next]]
to = "t"

[places.t]
kind = "open"
stay = "fixed(10d)"
[places.t.exits.completed]
probability = 1
[[places.t.routes.completed]]
to = "gone"
probability = 1
when = "admissions.t >= 2"
[[places.t.routes.completed]]
to = "j"
otherwise = true

[places.j]
kind = "state"
justice = true
stay = "fixed(30d)"
[places.j.exits.next]
probability = 1
[[places.j.routes.next]]
to = "` + via + `"
`
			m := mtModel(t, src)
			rs := mtReplicate(t, m, 20)
			// Half, but for the journeys whose pair straddles the ends.
			from := mtStat(t, m, rs, "journey_share.from_justice")
			mtNear(t, "from justice", from, 0.5, 0.002)
			if after := mtStat(t, m, rs, "journey_share.after_justice"); after.mean != from.mean {
				t.Errorf("after justice %g, want %g: every journey from justice follows a contact 31 days before", after.mean, from.mean)
			}
			mtExact(t, m, rs, "deaths.in_treatment", 0)
			alive := 52.0
			if via == "t" {
				alive = 51
			}
			// Little's law: one arrival a day.
			mtNear(t, "in treatment", mtStat(t, m, rs, "person_years.in_treatment"), 20, 1.5)
			mtNear(t, "out of treatment", mtStat(t, m, rs, "person_years.out_of_treatment"), alive-20, 2)
			// Of the clients treated in a year (those arriving from 52 days
			// before it to a day before its end: 416.25 a year), 20 are in
			// treatment on its last day.
			mtNear(t, "in treatment at year end", mtStat(t, m, rs, "in_treatment_at_year_end"), 20/416.25, 0.006)
		})
	}
}
