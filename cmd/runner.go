package cmd

import (
	"context"
	"fmt"
	"io"
	"strings"
	"time"

	"github.com/journeysim/journeysim/models"
	"github.com/journeysim/journeysim/models/result"
	"github.com/journeysim/journeysim/models/scenario"
	"github.com/journeysim/journeysim/models/steady"
	"github.com/journeysim/journeysim/models/sweep"
	"github.com/journeysim/journeysim/output"
	"github.com/journeysim/journeysim/sim"
)

// scenarioRun is a scenario run to completion.
type scenarioRun struct {
	Ref      string
	Scenario *scenario.Scenario
	Model    *models.Model
	Layout   *result.Layout
	Results  []*result.Result
	Wall     time.Duration
}

// replicate runs a loaded scenario's replications with a progress bar on
// stderr. With partial set, each replication finished is kept there, and
// one kept by an earlier, interrupted run of the same command is read back
// instead of run again: replications are independent streams, so the
// results are the same bytes.
func (s *scenarioFlags) replicate(ctx context.Context, stderr io.Writer, ref string, sc *scenario.Scenario, m *models.Model, partial string) (*scenarioRun, error) {
	if err := s.checkMemory(ref, m, sc.Replications(), s.Workers); err != nil {
		return nil, err
	}
	if err := m.Settle(ctx, s.Workers); err != nil {
		return nil, err
	}
	kept, err := output.OpenKept(partial, sc.Fingerprint(), Version())
	if err != nil {
		return nil, err
	}
	update, finish := newProgress(stderr, sc.Replications(), ref, s.Quiet)
	t0 := time.Now()
	rs, err := sim.Replicate(ctx, sc.Replications(), s.Workers, func(ctx context.Context, rep int) (*result.Result, error) {
		if r, ok := kept.Load(rep); ok {
			return r, nil
		}
		r, err := m.Run(ctx, sc.Seed(), rep)
		if err != nil {
			return nil, err
		}
		return r, kept.Save(rep, r)
	}, update)
	finish()
	if err != nil {
		if ctx.Err() != nil && partial != "" {
			return nil, &Interrupted{Kept: fmt.Sprintf("%d of %d replications of %s are kept in %s; run the same command again to go on",
				kept.Count(), sc.Replications(), ref, partial)}
		}
		return nil, err
	}
	return &scenarioRun{Ref: ref, Scenario: sc, Model: m, Layout: m.Layout(), Results: rs, Wall: time.Since(t0)}, nil
}

// meta describes a run for its result files.
func (r *scenarioRun) meta() output.Meta {
	sc := r.Scenario
	meta := output.Meta{Scenario: r.Ref, Name: sc.Name, File: sc.File, Seed: sc.Seed(), Version: Version(),
		Replications: sc.Replications(), WarmupDays: sc.Warmup(), HorizonDays: sc.Horizon(),
		WallSeconds: r.Wall.Seconds(), Steady: steady.Measure(r.Layout, r.Results, sc.DriftTolerance())}
	switch {
	case sc.Start != nil:
		meta.Steady.Projection = true
		meta.Steady.Warmup = fmt.Sprintf("No warm-up: the run starts from the %d people of its [start].", sc.Start.Total())
	case sc.WarmupAuto():
		meta.Steady.Warmup = r.Model.WarmupNote()
	default:
		meta.Steady.Warmup = fmt.Sprintf("Warm-up %s as the scenario sets it (run.warmup).", scenario.FormatDays(sc.Warmup()))
	}
	for _, w := range sc.Warnings {
		meta.Warnings = append(meta.Warnings, w.String())
	}
	meta.Services = steady.Warnings(r.Layout, r.Results, sc.DriftTolerance())
	return meta
}

// runCounterfactual runs the scenario that run's economics values it
// against, if it declares one, on the same seed, replications and periods,
// and returns the run's economics against it.
func (s *scenarioFlags) runCounterfactual(ctx context.Context, stderr io.Writer, run *scenarioRun, partial string) ([]output.EconomicsRow, string, error) {
	csc, err := models.Counterfactual(run.Scenario, run.Ref, s.overrides())
	if err != nil || csc == nil {
		return nil, "", err
	}
	cm, err := models.Build(csc)
	if err != nil {
		return nil, "", fmt.Errorf("economics.counterfactual: %w", err)
	}
	cres, err := s.replicate(ctx, stderr, run.Scenario.Economics.Counterfactual, csc, cm, partial)
	if err != nil {
		return nil, "", err
	}
	ce, ok := result.CompareEconomics(cres.Layout, cres.Results, run.Layout, run.Results)
	if !ok {
		return nil, "", fmt.Errorf("economics.counterfactual: %s values nothing (it has no economics table)", run.Scenario.Economics.Counterfactual)
	}
	return output.EconomicsRows(ce), csc.Name, nil
}

// checkPoints checks that every point of a sweep loads, builds and fits in
// memory before any runs: each worker runs one point at a time and keeps
// its replications.
func (o *SweepOptions) checkPoints(ctx context.Context, l *scenario.Loader, plan *sweep.Plan, from string, reps int) error {
	for _, p := range plan.Points {
		psc, err := plan.PointScenario(l, o.Scenario, o.overrides(), p, from)
		if err == nil {
			var m *models.Model
			if m, err = models.Build(psc); err == nil {
				err = o.checkMemory(o.Scenario, m, reps*o.Workers, o.Workers)
			}
		}
		if err != nil {
			return fmt.Errorf("point %d (%s): %w", p.ID, strings.Join(plan.Sets(p), ", "), err)
		}
		if err := ctx.Err(); err != nil {
			return err
		}
	}
	return nil
}

// runPoint runs point p's replications, one after another, each from the
// streams of (the point's seed, replication).
func runPoint(ctx context.Context, l *scenario.Loader, opts *SweepOptions, plan *sweep.Plan, p sweep.Point, from string) (*result.Layout, []*result.Result, error) {
	sc, err := plan.PointScenario(l, opts.Scenario, opts.overrides(), p, from)
	if err != nil {
		return nil, nil, err
	}
	m, err := models.Build(sc)
	if err != nil {
		return nil, nil, err
	}
	rs, err := m.Replicate(ctx, sweep.PointSeed(sc.Seed(), p.ID), sc.Replications(), 1, nil)
	return m.Layout(), rs, err
}
