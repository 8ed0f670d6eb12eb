package models

import (
	"math"
	"strings"
	"testing"
)

// TestEstimateMemory: the client bound is every arrival over the warm-up
// and the horizon, with the trend integrated exactly.
func TestEstimateMemory(t *testing.T) {
	src := mtHead("1y", "2y", 3652.5, "s") + `
[places.s]
kind = "state"
stay = "fixed(30d)"
[places.s.exits.done]
probability = 1
[[places.s.routes.done]]
to = "gone"
`
	m := mtModel(t, src)
	e := m.EstimateMemory(10, 4)
	if want := 10.0 * 3 * 365.25; math.Abs(e.Clients-want) > 1e-6 {
		t.Errorf("clients %v, want %v", e.Clients, want)
	}
	if e.Workers != 4 || e.Total < int64(4*e.Clients*float64(e.PerClient)) {
		t.Errorf("estimate %+v does not count 4 workers' clients", e)
	}
	if one := m.EstimateMemory(1, 4); one.Workers != 1 {
		t.Errorf("one replication on 4 workers: %d at once, want 1", one.Workers)
	}
	// 10% a year more arrivals from the end of warm-up: the integral of
	// 10 (1.1)^(t/365.25) a day from −1y to 2y.
	m = mtModel(t, strings.Replace(src, "to = \"s\"", "to = \"s\"\ntrend = 0.1", 1))
	want := 10 * 365.25 * (math.Pow(1.1, 2) - math.Pow(1.1, -1)) / math.Log(1.1)
	if got := m.EstimateMemory(1, 1).Clients; math.Abs(got-want) > 1e-6*want {
		t.Errorf("with a trend: clients %v, want %v", got, want)
	}
	if s := m.EstimateMemory(1, 1).String(); !strings.Contains(s, "clients at") || !strings.Contains(s, "of results") {
		t.Errorf("String() = %q", s)
	}
}

func TestFormatBytes(t *testing.T) {
	for n, want := range map[int64]string{0: "0 B", 1023: "1023 B", 1024: "1 KiB", 1536 << 20: "1.5 GiB", 24 << 30: "24 GiB"} {
		if got := FormatBytes(n); got != want {
			t.Errorf("FormatBytes(%d) = %q, want %q", n, got, want)
		}
	}
}
