package rng

import (
	"hash/fnv"
	"math/rand/v2"
)

// Streams hands out named random number streams for one replication.
//
// A stream's draws depend only on the master seed, the replication index and
// the stream's name: not on the order streams are created in, nor on which
// other streams exist. Two scenarios that differ in one service therefore
// share common random numbers in every stream they have in common.
type Streams struct {
	seed uint64
	rep  uint64
}

// New returns the streams of replication rep under master seed seed.
func New(seed uint64, rep int) *Streams {
	return &Streams{seed: seed, rep: uint64(rep)}
}

// Seed returns the master seed.
func (s *Streams) Seed() uint64 { return s.seed }

// Replication returns the replication index.
func (s *Streams) Replication() int { return int(s.rep) }

// Source returns a new PCG source for the stream called name. Calling it
// twice with one name gives two sources that draw the same numbers.
// A source is for one goroutine.
func (s *Streams) Source(name string) *rand.PCG {
	h := fnv.New64a()
	h.Write([]byte(name))
	hi := Mix(Mix(s.seed) ^ Mix(s.rep+0x632be59bd9b4e019))
	lo := Mix(hi ^ h.Sum64())
	return rand.NewPCG(hi, lo)
}

// Rand returns a *rand.Rand drawing from the stream called name.
func (s *Streams) Rand(name string) *rand.Rand { return rand.New(s.Source(name)) }

// Mix is the SplitMix64 finaliser: a bijection on uint64 that spreads nearby
// inputs (seeds 1, 2, 3…) far apart.
func Mix(x uint64) uint64 {
	x += 0x9e3779b97f4a7c15
	x = (x ^ (x >> 30)) * 0xbf58476d1ce4e5b9
	x = (x ^ (x >> 27)) * 0x94d049bb133111eb
	return x ^ (x >> 31)
}

// Derive combines a seed with further indices (a sweep point, say) into a new
// seed, so that each combination has streams of its own.
func Derive(seed uint64, parts ...uint64) uint64 {
	s := Mix(seed)
	for _, p := range parts {
		s = Mix(s ^ Mix(p+0x2545f4914f6cdd1d))
	}
	return s
}
