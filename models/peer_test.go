package models

import (
	"math"
	"testing"

	"gonum.org/v1/gonum/stat"
)

// TestPeerReference checks that the peers' reference model written as a
// scenario reproduces the means the peers report over 10 seeds
// (../shared/peers/README.md): detox occupancy about 240.5, community
// occupancy about 2143, detox mean wait about 0.34 days. The peers' figures
// are themselves means of 10 runs, so the tolerance is 4 standard errors of
// a difference of two such means: 4·√2·SE, with SE from our replications.
func TestPeerReference(t *testing.T) {
	if testing.Short() {
		t.Skip("50 simulated years × 10 replications")
	}
	sc, err := Load("bench/peer-reference", nil)
	if err != nil {
		t.Fatal(err)
	}
	m, rs := mtBuildRun(t, sc, sc.Seed(), sc.Replications())
	for _, c := range []struct {
		metric string
		peer   float64
	}{
		{"occupancy.detox", 240.5},
		{"occupancy.community", 2143},
		{"wait_mean_days.detox", 0.34},
	} {
		i := m.MetricIndex(c.metric)
		if i < 0 {
			t.Fatalf("no metric %s", c.metric)
		}
		xs := make([]float64, len(rs))
		for k, r := range rs {
			xs[k] = r.Values[i]
		}
		mean, sd := stat.MeanStdDev(xs, nil)
		se := sd / math.Sqrt(float64(len(xs)))
		tol := 4 * math.Sqrt2 * se
		if d := math.Abs(mean - c.peer); d > tol {
			t.Errorf("%s = %.4f (SE %.4f), peers %.4f: differs by %.4f > %.4f", c.metric, mean, se, c.peer, d, tol)
		} else {
			t.Logf("%s = %.4f ± %.4f (SE), peers %.4f", c.metric, mean, se, c.peer)
		}
	}
}
