package sweep

import "testing"

func TestAcceptability(t *testing.T) {
	// Net benefit w·q − c: (q, c) = (1, 10000) wins above 10,000 a QALY;
	// (2, 50000) above 25,000; (−1, −5000) below 5,000; (0, 100) never.
	ps := []CEPoint{{QALYs: 1, Cost: 10000}, {QALYs: 2, Cost: 50000}, {QALYs: -1, Cost: -5000}, {QALYs: 0, Cost: 100}}
	got := Acceptability(ps, []float64{0, 4000, 10000, 20000, 30000})
	want := []float64{0.25, 0.25, 0, 0.25, 0.5}
	for i := range want {
		if got[i] != want[i] {
			t.Errorf("acceptability at %v: %v, want %v", []float64{0, 4000, 10000, 20000, 30000}[i], got[i], want[i])
		}
	}
}
