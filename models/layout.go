package models

import (
	"context"
	"fmt"

	"github.com/journeysim/journeysim/models/result"
	"github.com/journeysim/journeysim/models/scenario"
)

// Layout says what the model's results hold.
func (m *Model) Layout() *result.Layout {
	l := &result.Layout{Scenario: m.Scenario, Metrics: m.Metrics(), Series: m.Series(), Months: m.Months(),
		Flows: m.Flows(), Survival: m.Survival(), Headline: m.Headline(), Places: m.Scope.Places,
		Capacities: m.Capacities()}
	if m.econ != nil {
		e := m.Scenario.Economics
		l.Economics = &result.EconomicsLayout{Money: fmt.Sprintf("%s %d", e.Currency, e.PriceYear),
			TransferShare: m.econ.transferShare, WillingnessToPay: e.WillingnessToPay}
	}
	return l
}

// Simulator is the model as a result.Simulator: what calibration and
// validation run scenarios with.
type Simulator struct{}

// Load loads a scenario and checks it whole, as Load does.
func (Simulator) Load(ref string, sets []string) (*scenario.Scenario, error) { return Load(ref, sets) }

// Layout builds sc and says what its runs report.
func (Simulator) Layout(sc *scenario.Scenario) (*result.Layout, error) {
	m, err := Build(sc)
	if err != nil {
		return nil, err
	}
	return m.Layout(), nil
}

// Run builds sc and runs its replications.
func (Simulator) Run(ctx context.Context, sc *scenario.Scenario, seed uint64, reps, workers int, progress func(int)) (*result.Layout, []*result.Result, error) {
	m, err := Build(sc)
	if err != nil {
		return nil, nil, err
	}
	rs, err := m.Replicate(ctx, seed, reps, workers, progress)
	if err != nil {
		return nil, nil, err
	}
	return m.Layout(), rs, nil
}
