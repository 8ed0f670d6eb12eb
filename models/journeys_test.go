package models

import (
	"bytes"
	"context"
	"math"
	"strings"
	"testing"
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
	sc, err := Load("baseline", []string{"run.horizon=\"1y\"", "run.warmup=\"1y\""})
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
	if lines[0] != "day,client,place,event,detail" {
		t.Errorf("header %q", lines[0])
	}
	clients := map[string]bool{}
	for _, ln := range lines[1:] {
		f := strings.Split(ln, ",")
		if len(f) != 5 {
			t.Fatalf("bad line %q", ln)
		}
		clients[f[1]] = true
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
