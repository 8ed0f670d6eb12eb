package estimate

import "github.com/journeysim/journeysim/sim/rng"

// LatinHypercube returns n points of the d-dimensional unit cube, one in
// each of n equal slices of every axis, drawn from the stream
// "calibrate/lhs" of replication 0 under seed: a calibration's first pass
// and a sweep's design.
func LatinHypercube(seed uint64, n, d int) [][]float64 {
	r := rng.New(seed, 0).Rand("calibrate/lhs")
	pts := make([][]float64, n)
	for i := range pts {
		pts[i] = make([]float64, d)
	}
	for j := range d {
		perm := r.Perm(n)
		for i := range n {
			pts[i][j] = (float64(perm[i]) + r.Float64()) / float64(n)
		}
	}
	return pts
}
