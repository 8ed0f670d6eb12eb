package refmodel

import (
	"strings"
	"testing"
)

func TestRatiosString(t *testing.T) {
	var r Ratios
	for _, x := range []float64{1.3, 1.1, 1.2} {
		r.Add(0, x)
	}
	if got, want := r.String(), "**1.20** (pairs 1.10 to 1.30)"; got != want {
		t.Errorf("one run: %q, want %q", got, want)
	}
	for _, x := range []float64{1.5, 1.4} {
		r.Add(1, x)
	}
	// The median of all five pairs, each run's, the range.
	if got, want := r.String(), "**1.30** (runs 1.20, 1.45; pairs 1.10 to 1.50)"; got != want {
		t.Errorf("two runs: %q, want %q", got, want)
	}
	if got := (Ratios{}).String(); got != "–" {
		t.Errorf("none: %q, want –", got)
	}
}

func TestRecordMarkdown(t *testing.T) {
	rec := &Record{When: "2026-12-07 22:00 UTC", Version: "v1", Machine: "a CPU, 2 CPUs", Command: "journeysim bench peers --runs 2"}
	c := ConfigRecord{Name: "stable", Config: Stable(), BareMevPerSec: 12.5}
	c.Scenario.Add(0, 1.2)
	c.Engine.Add(0, 0.7)
	rec.Configs = append(rec.Configs, c)
	var b strings.Builder
	if err := rec.WriteMarkdown(&b); err != nil {
		t.Fatal(err)
	}
	for _, want := range []string{
		"Measured 2026-12-07 22:00 UTC by `journeysim bench peers --runs 2`, journeysim v1, on a CPU, 2 CPUs.",
		"| stable (D = 260, C = 2400, 50 years; bare loop 12.5 M events/s) | **1.20** | **0.70** | – | – | – |",
	} {
		if !strings.Contains(b.String(), want) {
			t.Errorf("record lacks %q:\n%s", want, b.String())
		}
	}
}
