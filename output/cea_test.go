package output

import (
	"os"
	"path/filepath"
	"strings"
	"testing"
)

func TestSweepCostEffect(t *testing.T) {
	write := func(dir, points, results string) {
		if err := os.MkdirAll(dir, 0o755); err != nil {
			t.Fatal(err)
		}
		os.WriteFile(filepath.Join(dir, "points.csv"), []byte(points), 0o644)
		os.WriteFile(filepath.Join(dir, "results.csv"), []byte(results), 0o644)
	}
	dir := t.TempDir()
	b, a, c := filepath.Join(dir, "b"), filepath.Join(dir, "a"), filepath.Join(dir, "c")
	points := "point,x\n0,1\n1,2\n"
	write(b, points, "point,replication,cost.total_pv,qalys_pv\n0,0,100,10\n0,1,200,10\n1,0,100,5\n")
	write(a, points, "point,replication,cost.total_pv,qalys_pv\n0,0,400,11\n0,1,400,13\n1,0,90,5\n")
	write(c, "point,x\n0,1\n1,3\n", "")
	ps, err := SweepCostEffect(b, a)
	if err != nil {
		t.Fatal(err)
	}
	// Point 0: costs 400 against a mean of 150, QALYs 12 against 10.
	if len(ps) != 2 || ps[0].Cost != 250 || ps[0].QALYs != 2 || ps[1].Cost != -10 || ps[1].QALYs != 0 {
		t.Errorf("got %+v", ps)
	}
	if _, err := SweepCostEffect(b, c); err == nil || !strings.Contains(err.Error(), "point 1 draws x = 2") {
		t.Errorf("different draws: error %v", err)
	}
}
