// Package cmd holds journeysim's cobra commands, one file per command. Commands
// are thin: each fills an Options struct from its flags and calls a run
// function, and the work itself lives in the sim, models and output packages.
package cmd
