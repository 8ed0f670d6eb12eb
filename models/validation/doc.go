// Package validation judges the model against the published targets of
// shared/evidence/targets.md: validation.toml holds each check (a metric,
// the figure, the tolerance and why), Validate runs the scenarios the
// checks name on common random numbers through a result.Simulator, and
// each check passes or fails with its mean and 95% CI. A check of the
// baseline's own level can be a calibration target (CheckTargets); the
// checks a scenario was fitted to are marked fitted.
package validation
