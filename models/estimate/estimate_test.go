package estimate

import (
	"math"
	"reflect"
	"testing"
)

func TestMeanCI(t *testing.T) {
	e := MeanCI([]float64{1, 2, 3})
	h := 4.302652729911275 / math.Sqrt(3) // t(0.975, 2) × sd 1 / √3
	if e.Mean != 2 || math.Abs(e.CILow-(2-h)) > 1e-8 || math.Abs(e.CIHigh-(2+h)) > 1e-8 || e.N != 3 {
		t.Errorf("MeanCI = %+v; want 2 ± %v", e, h)
	}
	if e := MeanCI([]float64{5}); e.Mean != 5 || !math.IsNaN(e.CILow) {
		t.Errorf("one value: %+v", e)
	}
	if e := MeanCI(nil); !math.IsNaN(e.Mean) {
		t.Errorf("no values: %+v", e)
	}
	// Cut at the bounds of a share; a mean outside them is left alone, its
	// interval cut at it.
	if w := (Mean{Mean: 0.02, CILow: -0.03, CIHigh: 0.07}).Within(0, 1); w.CILow != 0 || w.CIHigh != 0.07 {
		t.Errorf("Within(0, 1) = %+v", w)
	}
	if w := (Mean{Mean: 1.2, CILow: 1.1, CIHigh: 1.3}).Within(0, 1); w.Mean != 1.2 || w.CILow != 1.1 || w.CIHigh != 1.2 {
		t.Errorf("a mean above its bound: Within(0, 1) = %+v", w)
	}
}

func TestPaired(t *testing.T) {
	e := Paired([]float64{3, math.NaN(), 5, 9}, []float64{1, 2, 2, 5})
	if e.N != 3 || e.Mean != 3 {
		t.Errorf("Paired = %+v, want the mean of 2, 3, 4 over 3 pairs", e)
	}
}

func TestFieller(t *testing.T) {
	// Points on a line through the origin: the ratio is 2 with no doubt.
	r := Fieller([]float64{2, 4, 6}, []float64{1, 2, 3})
	if r.Mean != 2 || math.Abs(r.CILow-2) > 1e-9 || math.Abs(r.CIHigh-2) > 1e-9 {
		t.Errorf("exact ratio: %+v, want 2 [2, 2]", r)
	}
	// Hand-computed: x = (10, 14, 12), y = (4, 6, 5): means 12 and 5;
	// var of means 4/3, 1/3, cov 2/3; t(2, 0.975) = 4.302653.
	r = Fieller([]float64{10, 14, 12}, []float64{4, 6, 5})
	tq := 4.302652729911275
	a := 25 - tq*tq/3
	b := 60 - tq*tq*2/3
	c := 144 - tq*tq*4/3
	lo, hi := (b-math.Sqrt(b*b-a*c))/a, (b+math.Sqrt(b*b-a*c))/a
	if r.Mean != 2.4 || a > 0 && (math.Abs(r.CILow-lo) > 1e-9 || math.Abs(r.CIHigh-hi) > 1e-9) {
		t.Errorf("ratio: %+v, want 2.4 [%v, %v]", r, lo, hi)
	}
	// A denominator whose CI spans zero leaves the ratio's CI unbounded.
	r = Fieller([]float64{1, 2, 3}, []float64{-1, 0.5, 1})
	if !math.IsNaN(r.CILow) || !math.IsNaN(r.CIHigh) {
		t.Errorf("denominator about 0: CI %v to %v, want unbounded", r.CILow, r.CIHigh)
	}
}

func TestLatinHypercube(t *testing.T) {
	const n, d = 10, 3
	pts := LatinHypercube(42, n, d)
	for j := range d {
		seen := make([]bool, n)
		for _, p := range pts {
			k := int(p[j] * n)
			if p[j] < 0 || p[j] >= 1 || seen[k] {
				t.Fatalf("axis %d: %v is not one point per slice", j, pts)
			}
			seen[k] = true
		}
	}
	if !reflect.DeepEqual(pts, LatinHypercube(42, n, d)) {
		t.Error("the same seed gives different points")
	}
	if reflect.DeepEqual(pts, LatinHypercube(43, n, d)) {
		t.Error("another seed gives the same points")
	}
}
