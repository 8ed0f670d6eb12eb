package sim

import (
	"math/rand/v2"
	"slices"
	"testing"
)

// TestTallyCDFs checks the one-pass CDFs against CDF point by point, below
// the least observation, between and beyond the greatest.
func TestTallyCDFs(t *testing.T) {
	r := rand.New(rand.NewPCG(5, 6))
	var tl Tally
	for range 5000 {
		tl.Add(r.ExpFloat64() * 30)
	}
	xs := []float64{-1, 0, tl.Min(), 0.5}
	for x := 1.0; x < 400; x *= 1.3 {
		xs = append(xs, x)
	}
	xs = append(xs, tl.Max(), 1e9)
	slices.Sort(xs)
	out := make([]float64, len(xs))
	tl.CDFs(xs, out)
	for i, x := range xs {
		if want := tl.CDF(x); out[i] != want {
			t.Errorf("CDFs at %v = %v, CDF = %v", x, out[i], want)
		}
	}
}
