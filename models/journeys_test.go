package models

import (
	"bytes"
	"context"
	"math"
	"os"
	"strconv"
	"strings"
	"testing"

	"github.com/journeysim/journeysim/models/scenario"
)

func TestFlowsAndSurvivalBaseline(t *testing.T) {
	sc, err := Load("baseline", []string{"run.horizon=\"2y\"", "run.warmup=\"2y\""})
	if err != nil {
		t.Fatal(err)
	}
	m, err := Build(sc)
	if err != nil {
		t.Fatal(err)
	}
	res, err := m.Run(context.Background(), 1, 0)
	if err != nil {
		t.Fatal(err)
	}
	if len(res.Flows) != len(m.Flows()) || len(res.Survival) != len(m.Survival()) {
		t.Fatalf("flows %d of %d, curves %d of %d", len(res.Flows), len(m.Flows()), len(res.Survival), len(m.Survival()))
	}
	// Flows out of detox add up to its exits and give-ups a year.
	var out float64
	for i, f := range m.Flows() {
		if f.From == "detox" {
			out += res.Flows[i]
		}
	}
	var exits float64
	for i, info := range m.Metrics() {
		if strings.HasPrefix(info.Name, "exits.detox.") || info.Name == "reneged.detox" {
			exits += res.Values[i]
		}
	}
	if math.Abs(out-exits) > 1e-9 {
		t.Errorf("flows out of detox %v a year, exits %v", out, exits)
	}
	for i, c := range m.Survival() {
		s := res.Survival[i]
		if s[0] != 1 || s[len(s)-1] > 0.2 {
			t.Errorf("%s: S(0) = %v, S(%v) = %v", c.Place, s[0], c.Days[len(c.Days)-1], s[len(s)-1])
		}
		for k := 1; k < len(s); k++ {
			if s[k] > s[k-1] {
				t.Errorf("%s: survival rises at day %v", c.Place, c.Days[k])
			}
		}
	}
}

func TestTrace(t *testing.T) {
	sc, err := Load("baseline", []string{"run.horizon=\"1y\"", "run.warmup=\"1y\""}) // with ages
	if err != nil {
		t.Fatal(err)
	}
	m, _ := Build(sc)
	var a, b bytes.Buffer
	if err := m.Trace(context.Background(), 7, 0, 5, &a); err != nil {
		t.Fatal(err)
	}
	m.Trace(context.Background(), 7, 0, 5, &b)
	if a.String() != b.String() {
		t.Error("trace is not deterministic")
	}
	lines := strings.Split(strings.TrimSpace(a.String()), "\n")
	// Each row carries the client's case mix and age, so that a trace can
	// be split by them.
	header := "day,client,place,event,detail"
	for _, at := range m.Scope.Attributes {
		header += "," + at.Name
	}
	if header += ",age"; lines[0] != header || !strings.Contains(header, ",drug,") {
		t.Errorf("header %q, want %q", lines[0], header)
	}
	cols := strings.Count(header, ",") + 1
	clients := map[string]bool{}
	mix := map[string]string{}  // client -> its attributes
	age := map[string]float64{} // client -> age at its last event
	day := map[string]float64{} // client -> day of its last event
	for _, ln := range lines[1:] {
		f := strings.Split(ln, ",")
		if len(f) != cols {
			t.Fatalf("bad line %q: %d columns, want %d", ln, len(f), cols)
		}
		id := f[1]
		clients[id] = true
		attrs := strings.Join(f[5:cols-1], ",")
		d, _ := strconv.ParseFloat(f[0], 64)
		y, _ := strconv.ParseFloat(f[cols-1], 64)
		if prev, ok := mix[id]; ok {
			// Ages advance with the days, to the 0.1 year printed.
			if prev != attrs || math.Abs((y-age[id])-(d-day[id])/365.25) > 0.11 {
				t.Errorf("client %s: %s aged %v on day %v, then %s aged %v on day %v", id, prev, age[id], day[id], attrs, y, d)
			}
		} else if y < 18 || y > 66 {
			t.Errorf("client %s arrives aged %v, outside the bands", id, y)
		}
		mix[id], age[id], day[id] = attrs, y, d
	}
	if len(clients) != 5 || !strings.Contains(a.String(), ",arrived,") || !strings.Contains(a.String(), ",admitted,waited") {
		t.Errorf("trace of %d clients:\n%s", len(clients), a.String())
	}
	// Tracing does not change the results.
	r1, _ := m.Run(context.Background(), 7, 0)
	x := m.newRun(7, 0)
	x.trace, x.traceN = &bytes.Buffer{}, 5
	x.eng.Run(context.Background(), x.end)
	r2 := x.result()
	for i := range r1.Values {
		if !(r1.Values[i] == r2.Values[i] || math.IsNaN(r1.Values[i]) && math.IsNaN(r2.Values[i])) {
			t.Errorf("%s differs with tracing", m.Metrics()[i].Name)
		}
	}
}

// TestShortestWait routes every client to the provider with the shorter
// expected wait: with 1 and 4 places, equal stays and a queue always
// present, admissions split about 1:4 and neither list grows much longer
// than the other in expected days.
func TestShortestWait(t *testing.T) {
	dir := t.TempDir()
	file := dir + "/providers.toml"
	os.WriteFile(file, []byte(`
name = "Two providers"
[run]
seed = 3
replications = 4
warmup = "30d"
horizon = "2y"
[arrivals]
per_year = 1800
to = "intake"
[places.intake]
kind = "open"
treatment = false
stay = "fixed(0.01d)"
[places.intake.exits.referred]
probability = 1
[[places.intake.routes.referred]]
to_shortest_wait = ["north", "south"]
[places.north]
kind = "capacity"
capacity = 1
stay = "exponential(mean = 1d)"
[places.north.exits.done]
probability = 1
[[places.north.routes.done]]
to = "gone"
[places.south]
kind = "capacity"
capacity = 4
stay = "exponential(mean = 1d)"
[places.south.exits.done]
probability = 1
[[places.south.routes.done]]
to = "gone"
`), 0o644)
	sc, err := (&scenario.Loader{Check: Check}).Load(file, nil)
	if err != nil {
		t.Fatal(err)
	}
	m, rs := mtBuildRun(t, sc, sc.Seed(), sc.Replications())
	n, s := 0.0, 0.0
	for _, r := range rs {
		n += r.Values[m.MetricIndex("admissions.north")]
		s += r.Values[m.MetricIndex("admissions.south")]
	}
	// Offered load 4.9 on 5 places: choosing by expected wait keeps both
	// busy in proportion to capacity (1:4 within a few per cent).
	if share := n / (n + s); math.Abs(share-0.2) > 0.03 {
		t.Errorf("north took %.3f of admissions, want about 0.2", share)
	}
	var flowsNorth float64
	for i, f := range m.Flows() {
		if f.From == "intake" && f.To == "north" {
			flowsNorth = rs[0].Flows[i]
		}
	}
	if flowsNorth == 0 {
		t.Error("no flow counted to north")
	}
}

// TestDaysToTreatment: two days at an open intake, then a place with room
// for everyone, gives exactly two days from presentation to treatment.
func TestDaysToTreatment(t *testing.T) {
	file := t.TempDir() + "/dtt.toml"
	os.WriteFile(file, []byte(`
name = "Days to treatment"
[run]
warmup = "10d"
horizon = "1y"
[arrivals]
per_year = 500
to = "intake"
[places.intake]
kind = "open"
treatment = false
stay = "fixed(2d)"
[places.intake.exits.referred]
probability = 1
[[places.intake.routes.referred]]
to = "clinic"
[places.clinic]
kind = "capacity"
capacity = 1000
stay = "exponential(mean = 30d)"
[places.clinic.exits.done]
probability = 1
[[places.clinic.routes.done]]
to = "gone"
`), 0o644)
	sc, err := (&scenario.Loader{Check: Check}).Load(file, nil)
	if err != nil {
		t.Fatal(err)
	}
	m, _ := Build(sc)
	r, err := m.Run(context.Background(), 1, 0)
	if err != nil {
		t.Fatal(err)
	}
	if got := r.Values[m.MetricIndex("days_to_treatment")]; math.Abs(got-2) > 1e-9 {
		t.Errorf("days_to_treatment = %v, want 2", got)
	}
}
