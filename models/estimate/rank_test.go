package estimate

import "testing"

func TestRank(t *testing.T) {
	got := Rank([]float64{3, 1, 2, 2, 5})
	want := []float64{4, 1, 2.5, 2.5, 5}
	for i := range want {
		if got[i] != want[i] {
			t.Fatalf("rank %v, want %v", got, want)
		}
	}
}
