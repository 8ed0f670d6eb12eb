// Package cmd holds journeysim's cobra commands, one file per command. Commands
// are thin: each fills an Options struct from its flags, checks them (flag
// groups through cobra), and calls a run function; the work lives in the
// sim, models and output packages, whose errors cmd names with the flags
// that led to them. runner.go holds what several commands run: a scenario's
// replications with a progress bar, kept for a resumed run, and a sweep's
// points.
package cmd
