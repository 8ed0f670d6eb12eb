package models

import (
	"context"
	"strings"
	"testing"

	"github.com/journeysim/journeysim/models/steady"
)

// A pool that leaves at 0.1 a year fills with a time constant of 10 years:
// a 1-year warm-up leaves it filling while it is measured, and "auto"
// chooses one after which it is not.
func TestModelSettle(t *testing.T) {
	src := `
[run]
warmup = "auto"
horizon = "10y"
replications = 20

[arrivals]
per_year = 100
to = "using"

[places.using]
kind = "state"
[places.using.exits.leaves]
hazard = { unit = "per_year", bands = [ { rate = 0.1 } ] }
[[places.using.routes.leaves]]
to = "gone"
`
	m := mtModel(t, src)
	rs, err := m.Replicate(context.Background(), 1, 20, 2, nil)
	if err != nil {
		t.Fatal(err)
	}
	years := m.warmup / daysPerYear
	t.Logf("auto warm-up: %s", m.WarmupNote())
	if years < 20 || years > 100 {
		t.Errorf("auto warm-up %g years, want 20 to 100 (the pool is within 3%% of its level after 35)", years)
	}
	if m.Scenario.Warmup() != m.warmup || !strings.Contains(m.WarmupNote(), "MSER-5") {
		t.Errorf("scenario warm-up %g days, model %g; note %q", m.Scenario.Warmup(), m.warmup, m.WarmupNote())
	}
	if rep := steady.Measure(m.Layout(), rs, 0.03); !rep.Settled {
		t.Errorf("after the auto warm-up: %s", rep.Sentence())
	}

	short := mtModel(t, src, `run.warmup="1y"`)
	rs = mtReplicate(t, short, 20)
	if rep := steady.Measure(short.Layout(), rs, 0.03); rep.Settled {
		t.Errorf("after a 1-year warm-up: %s", rep.Sentence())
	}
}
