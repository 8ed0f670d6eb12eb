// Package calibrate fits a scenario's uncertain parameters to target
// figures: a Latin hypercube over their priors, then Nelder–Mead, each
// point run on common random numbers through a result.Simulator, so that
// the distance to the targets is a deterministic function of the
// parameters. It writes the fitted scenario as a TOML file on top of its
// base.
package calibrate
