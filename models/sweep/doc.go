// Package sweep plans parameter sweeps (a grid, a Latin hypercube, a
// one-way design or a probabilistic sensitivity analysis) as points of
// --set overrides with seeds of their own, and reads a finished sweep:
// each parameter's partial rank correlation and swing (Sensitivities), and
// the cost-effectiveness acceptability of a PSA (Acceptability). Running
// the points is the caller's.
package sweep
