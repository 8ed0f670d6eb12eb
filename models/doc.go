// Package models is the treatment system as a simulation: it compiles a
// scenario (package scenario) into a model of places, routes, hazards and
// clients, runs its replications on the sim engine, and measures them:
// metrics, monthly series, flows, survival, follow-ups and, at run time,
// costs, crime and QALYs. It also loads a scenario whole (Load), adding the
// model's own checks (conditions compiled against the client record, a
// model that builds) to the language's.
//
// The packages under models/ import one way:
//
//	evidence      the evidence table and the published targets
//	   ↑
//	scenario      the language: parse, merge, --set, paths, rules, schema, explain
//	   ↑
//	estimate      means, CIs, paired differences, Fieller, PRCC, Latin hypercubes
//	   ↑
//	result        what a run reports (Layout, Result) and the Simulator interface
//	   ↑
//	steady        drift of every stock, MSER-5: is the measured period a steady state
//	   ↑
//	models        this package: build, compile, run, measure; Settle picks an auto warm-up
//
//	calibrate     fit parameters to targets      (scenario, estimate, result)
//	validation    judge runs against the targets (scenario, estimate, result, calibrate's Target)
//	sweep         plan sweeps; sensitivity; CEAC (scenario, estimate)
//
// Calibration, validation and sweeps run scenarios through a
// result.Simulator (this package's Simulator), never the model's
// internals, and none reaches into another's. internal/suggest ("did you
// mean") and internal/enum (the words of a closed set) serve them all.
package models
