package validation

import (
	"context"
	"errors"
	"fmt"
	"slices"
	"strings"

	"github.com/journeysim/journeysim/models/internal/suggest"

	"github.com/journeysim/journeysim/models/calibrate"
	"github.com/journeysim/journeysim/models/result"
	"github.com/journeysim/journeysim/models/scenario"
)

// Validate runs every check: it loads the baseline and each scenario (or
// variant) the checks name, runs them all with the same seed and number of
// replications, so that they share common random numbers, and judges each
// check against its published figure. One baseline run serves every
// contrast.
//
// A seed of 0 or reps of 0 means the baseline's own; sets are overrides
// (path=value) applied to every scenario after the checks' own. progress,
// if not nil, is called with the scenario being run (its name, and its
// overrides in brackets for a variant) and the replications done of total.
func Validate(ctx context.Context, sim result.Simulator, seed uint64, reps, workers int, sets []string,
	progress func(run string, done, total int)) ([]CheckResult, error) {
	checks := Checks()
	base, err := sim.Load(Base, sets)
	if err != nil {
		return nil, err
	}
	if seed == 0 {
		seed = base.Seed()
	}
	if reps == 0 {
		reps = base.Replications()
	}
	// One run per scenario and set of overrides, the baseline first.
	type run struct {
		label string
		sc    *scenario.Scenario
		lay   *result.Layout
		rs    []*result.Result
	}
	key := func(c Check) string { return c.ScenarioName() + "\x00" + strings.Join(c.Set, "\x00") }
	baseKey := key(Check{})
	runs := map[string]*run{baseKey: {label: Base, sc: base}}
	order := []string{baseKey}
	need := func(c Check) error {
		k := key(c)
		if runs[k] != nil {
			return nil
		}
		sc, err := sim.Load(c.ScenarioName(), append(slices.Clone(c.Set), sets...))
		if err != nil {
			return fmt.Errorf("validation: check %s: %w", c.ID, err)
		}
		label := c.ScenarioName()
		if len(c.Set) > 0 {
			label += " [" + strings.Join(c.Set, ", ") + "]"
		}
		runs[k] = &run{label: label, sc: sc}
		order = append(order, k)
		return nil
	}
	for _, c := range checks {
		if !c.Modelled() {
			continue
		}
		if c.Contrast != "" {
			if err := need(Check{ID: c.ID, Scenario: c.BaseName()}); err != nil {
				return nil, err
			}
		}
		if err := need(c); err != nil {
			return nil, err
		}
	}
	for _, k := range order {
		r := runs[k]
		var update func(int)
		if progress != nil {
			update = func(done int) { progress(r.label, done, reps) }
		}
		if r.lay, r.rs, err = sim.Run(ctx, r.sc, seed, reps, workers, update); err != nil {
			return nil, err
		}
	}
	out := make([]CheckResult, len(checks))
	for i, c := range checks {
		if !c.Modelled() {
			out[i] = c.notModelled()
			out[i].Fitted = slices.Contains(base.CalibratedTo, c.ID)
			continue
		}
		r, b := runs[key(c)], runs[key(Check{Scenario: c.BaseName()})]
		if out[i], err = c.Evaluate(r.lay, r.rs, b.lay, b.rs); err != nil {
			return nil, err
		}
		// Fitted if the scenario read, or the one it is set against, was
		// calibrated to the check (a scenario inherits its base's list).
		out[i].Fitted = slices.Contains(r.sc.CalibratedTo, c.ID) ||
			c.Contrast != "" && slices.Contains(b.sc.CalibratedTo, c.ID)
		out[i].HeldOut = !out[i].Fitted && (slices.Contains(r.sc.HeldOut, c.ID) ||
			c.Contrast != "" && slices.Contains(b.sc.HeldOut, c.ID))
	}
	return out, nil
}

// CheckTargets turns the validation checks with the given ids into
// calibration targets, so that the checks a calibration fits and the ones
// left to validate it are named by the same ids. Only a check of the
// baseline's own level can be a target (no contrast, no variant, compare
// "within"): its value is the published figure, or its range (no error
// inside), and its SD half the tolerance, so that a check passes when its
// standardised error is within ±2.
func CheckTargets(ids []string) ([]calibrate.Target, error) {
	byID := map[string]Check{}
	var usable []string
	for _, c := range Checks() {
		byID[c.ID] = c
		if c.fittable() == "" {
			usable = append(usable, c.ID)
		}
	}
	var ts []calibrate.Target
	var probs []string
	for _, id := range ids {
		c, ok := byID[id]
		if !ok {
			msg := fmt.Sprintf("%q: no such validation check", id)
			if s := suggest.Closest(id, usable); s != "" {
				msg += fmt.Sprintf("; did you mean %q?", s)
			}
			probs = append(probs, msg+" (journeysim validate lists them)")
			continue
		}
		if why := c.fittable(); why != "" {
			probs = append(probs, fmt.Sprintf("check %s cannot be a calibration target: %s (these can: %s)", id, why, strings.Join(usable, ", ")))
			continue
		}
		ts = append(ts, c.target())
	}
	if len(probs) > 0 {
		return nil, errors.New(strings.Join(probs, "\n"))
	}
	return ts, nil
}

// target is the calibration target of a fittable check: its published
// figure, or the middle of its range, with half its tolerance as the SD.
func (c Check) target() calibrate.Target {
	plo, phi := c.Published()
	t := calibrate.Target{ID: c.ID, Metric: c.Metric, Over: slices.Clone(c.Over), Value: (plo + phi) / 2, SD: c.Tolerance / 2, Log: c.Log}
	if plo < phi {
		t.Range = []float64{plo, phi}
	}
	return t
}

// fittable says why c cannot be a calibration target, or "" if it can.
func (c Check) fittable() string {
	switch {
	case !c.Modelled():
		return "it is not modelled"
	case c.Contrast != "" || c.ScenarioName() != Base || len(c.Set) > 0:
		return "it is a contrast between scenarios or read from a variant"
	case c.Pool:
		return "it is pooled over replications"
	case c.Compare != CompareWithin:
		return "it is a threshold, not a figure"
	case c.Scale != 0 && c.Scale != 1:
		return "it is scaled"
	case !(c.Tolerance > 0):
		return "it has no tolerance to standardise its error by"
	}
	return ""
}
