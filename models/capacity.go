package models

import (
	"math"

	"github.com/journeysim/journeysim/models/result"
)

// Capacities lists, for each place whose capacity changes or comes from a
// budget, how its capacity was reached and its mean in force over the
// measured years.
func (m *Model) Capacities() []result.CapacityInForce {
	var out []result.CapacityInForce
	for _, p := range m.places {
		if p.plan == nil || (len(p.changes) == 0 && m.Scenario.Places[p.name].Budget == nil) {
			continue
		}
		out = append(out, result.CapacityInForce{Place: p.name, How: p.plan.How, Mean: p.meanCapacity(m.horizon)})
	}
	return out
}

// meanCapacity is the capacity in force averaged over the measured
// period [0, horizon], days after warm-up.
func (p *place) meanCapacity(horizon float64) float64 {
	if horizon <= 0 {
		return float64(p.capacity)
	}
	sum, capacity, t := 0.0, float64(p.capacity), 0.0
	for _, ch := range p.changes {
		at := math.Max(0, math.Min(ch.At, horizon))
		sum += capacity * (at - t)
		capacity, t = float64(ch.Capacity), math.Max(t, at)
	}
	sum += capacity * (horizon - t)
	return sum / horizon
}
