package sim

import "github.com/journeysim/journeysim/sim/rng"

// Streams hands out named random number streams for one replication (see
// package rng).
type Streams = rng.Streams

// NewStreams returns the streams of replication rep under master seed seed.
func NewStreams(seed uint64, rep int) *Streams { return rng.New(seed, rep) }

// Mix is the SplitMix64 finaliser (rng.Mix).
func Mix(x uint64) uint64 { return rng.Mix(x) }

// Derive combines a seed with further indices into a new seed (rng.Derive).
func Derive(seed uint64, parts ...uint64) uint64 { return rng.Derive(seed, parts...) }
