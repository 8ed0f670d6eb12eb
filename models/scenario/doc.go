// Package scenario is journeysim's scenario language: the TOML files a
// user writes, read key by key with every problem reported at once (file,
// line, key and what is allowed), merged with their bases and --set
// overrides, and checked against the language's rules. It also names the
// values of a scenario by Path (places.detox.routes.completed[1].probability)
// for --set, sweeps, calibration, the PSA and explain alike; encodes a
// scenario back to TOML; writes its JSON schema; and explains where each
// value came from. It knows nothing of the simulation: package models
// compiles what it reads.
package scenario
