package models

import (
	"fmt"
	"path/filepath"
	"slices"
	"strings"

	"github.com/journeysim/journeysim/models/scenario"
)

// Check finds what in a scenario takes the model to find: conditions that
// do not compile against the client record, and, when built says the
// scenario passed every other check, a model that cannot be built. Its
// warnings are what is legal but most likely not what was meant (a cut
// that rounds to no change). scenario.Loader calls it as its Check.
func Check(sc *scenario.Scenario, built bool) (problems, warnings scenario.Problems) {
	scope, err := newScope(sc)
	if err != nil {
		return scenario.Problems{{Key: "places", Msg: err.Error()}}, nil
	}
	for _, c := range sc.Conditions() {
		if _, err := Compile(c.Expr, scope); err != nil {
			problems = append(problems, scenario.Problem{Key: c.Path, Msg: err.Error()})
		}
	}
	if !built || len(problems) > 0 {
		return problems, nil
	}
	m, err := Build(sc)
	if err != nil {
		if ps, ok := err.(scenario.Problems); ok {
			return ps, nil
		}
		return scenario.Problems{{Msg: fmt.Sprint(err)}}, nil
	}
	return nil, m.warnings
}

// NewLoader returns a loader of scenarios that runs Check: rebase, if set,
// replaces the base of the file it loads (scenario.Loader.Rebase).
func NewLoader(rebase string) *scenario.Loader {
	return &scenario.Loader{Rebase: rebase, Check: Check}
}

// Load loads the scenario ref (a file, or the name of a shipped scenario)
// with its bases and the overrides sets, and checks it whole: the
// language's rules and the model's.
func Load(ref string, sets []string) (*scenario.Scenario, error) {
	return NewLoader("").Load(ref, sets)
}

// LoadOverrides is Load with overrides that name their flags.
func LoadOverrides(ref string, sets []scenario.Override) (*scenario.Scenario, error) {
	return NewLoader("").LoadOverrides(ref, sets)
}

// Counterfactual loads the scenario that sc's economics values it against
// (economics.counterfactual, no treatment, say) as sc was run: its own keys
// on top of ref, the scenario as loaded with sets, on sc's seed,
// replications and periods, so that the two share common random numbers.
// It returns nil if sc declares none, or is it.
func Counterfactual(sc *scenario.Scenario, ref string, sets []string) (*scenario.Scenario, error) {
	e := sc.Economics
	if e == nil || e.Counterfactual == "" {
		return nil, nil
	}
	name := strings.TrimSuffix(filepath.Base(e.Counterfactual), ".toml")
	if name == strings.TrimSuffix(filepath.Base(ref), ".toml") || name == strings.TrimSuffix(filepath.Base(sc.File), ".toml") {
		return nil, nil
	}
	csc, err := NewLoader(ref).Load(e.Counterfactual, append(slices.Clone(sets), sc.Pinned(true)...))
	if err != nil {
		return nil, fmt.Errorf("economics.counterfactual: %w", err)
	}
	return csc, nil
}
