// Package rng hands out named, seeded random number streams: a stream's
// draws depend only on the master seed, the replication and the stream's
// name. The engine (package sim) takes its streams from here, and so does
// what only draws numbers, such as a Latin hypercube, without the engine.
// Standard library only.
package rng
