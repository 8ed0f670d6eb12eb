package models

import (
	"context"
	"fmt"
	"math"
	"strings"

	"github.com/journeysim/journeysim/models/scenario"
	"github.com/journeysim/journeysim/models/steady"
)

// The pilot of run.warmup = "auto": from an empty system, pilotYears long,
// doubled while MSER-5 truncates over half of it, up to maxPilotYears.
const (
	pilotYears    = 100
	maxPilotYears = 400
	pilotReps     = 10
	pilotSeedMix  = 0x70696c6f74 // "pilot": the pilot's streams are not the run's
)

// Settle chooses the warm-up of a scenario whose run.warmup is "auto", by
// MSER-5 on a pilot run from an empty system; other models are left as
// they are. It must be called before the model runs, and changes the
// scenario's warm-up to the one chosen.
func (m *Model) Settle(ctx context.Context, workers int) error {
	s := m.Scenario
	if !s.WarmupAuto() || m.settled {
		return nil
	}
	reps := min(s.Replications(), pilotReps)
	for years := pilotYears; ; years *= 2 {
		cp := *s
		cp.Run.Warmup = &scenario.WarmupSpec{}
		h := scenario.Duration(float64(years) * daysPerYear)
		cp.Run.Horizon = &h
		cp.Run.Followups = new(bool)
		pm, err := Build(&cp)
		if err != nil {
			return err
		}
		rs, err := pm.Replicate(ctx, s.Seed()^pilotSeedMix, reps, workers, nil)
		if err != nil {
			return err
		}
		months, stock := 0, ""
		n := 0
		for si, info := range pm.Series() {
			if !strings.HasPrefix(info.Name, "occupancy.") {
				continue
			}
			ys := steady.MeanSeries(rs, si)
			n = len(ys)
			if k := steady.MSER5(ys) * steady.Batch; k > months {
				months, stock = k, strings.TrimPrefix(info.Name, "occupancy.")
			}
		}
		if months < n/2-2*steady.Batch || years >= maxPilotYears {
			if months >= n/2-2*steady.Batch {
				return fmt.Errorf("run.warmup = \"auto\": MSER-5 truncates %d of %d months of a %d-year pilot (%s): the system does not settle; set run.warmup", months, n, years, stock)
			}
			warm := math.Max(1, math.Ceil(float64(months)/12))
			m.warmup = warm * daysPerYear
			s.Run.Warmup = &scenario.WarmupSpec{Auto: true, D: scenario.Duration(m.warmup)}
			m.settleNote = fmt.Sprintf("Warm-up chosen by MSER-5 (batches of %d months) on a pilot of %d replications, %d years from an empty system: %d months for %s, the slowest stock, rounded up to %g years.",
				steady.Batch, reps, years, months, stock, warm)
			m.settled = true
			return nil
		}
	}
}

// WarmupNote says how Settle chose the warm-up, or "" if it did not.
func (m *Model) WarmupNote() string { return m.settleNote }
