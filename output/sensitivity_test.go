package output

import (
	"fmt"
	"math"
	"os"
	"path/filepath"
	"strings"
	"testing"
)

func TestRank(t *testing.T) {
	got := rank([]float64{3, 1, 2, 2, 5})
	want := []float64{4, 1, 2.5, 2.5, 5}
	for i := range want {
		if got[i] != want[i] {
			t.Fatalf("rank %v, want %v", got, want)
		}
	}
}

// TestSweepSensitivity builds a sweep whose metrics are known functions of
// one parameter: y rises with a and z falls with it, monotonically, so their
// ranks are a's and PRCC is exactly +1 and −1; b and c, which neither reads,
// get PRCCs near 0. The fifths must show the swings' signs.
func TestSweepSensitivity(t *testing.T) {
	dir := t.TempDir()
	var pts, res strings.Builder
	pts.WriteString("point,a,b,c,policy\n")
	res.WriteString("point,a,b,c,policy,replication,metric,value\n")
	const n = 40
	for i := range n {
		a := float64((i*7)%n) / n
		b := float64((i*11+3)%n) / n
		c := float64((i*13+5)%n) / n
		y, z := math.Exp(3*a), -a*a*a
		fmt.Fprintf(&pts, "%d,%g,%g,%g,open\n", i, a, b, c)
		for rep := range 2 {
			fmt.Fprintf(&res, "%d,%g,%g,%g,open,%d,y,%g\n", i, a, b, c, rep, y)
			fmt.Fprintf(&res, "%d,%g,%g,%g,open,%d,z,%g\n", i, a, b, c, rep, z)
		}
	}
	os.WriteFile(filepath.Join(dir, "points.csv"), []byte(pts.String()), 0o644)
	os.WriteFile(filepath.Join(dir, "results.csv"), []byte(res.String()), 0o644)
	ss, skipped, err := SweepSensitivity(dir, []string{"y", "z"})
	if err != nil {
		t.Fatal(err)
	}
	if len(skipped) != 1 || skipped[0] != "policy" {
		t.Errorf("skipped %v, want the policy column", skipped)
	}
	by := map[string]Sensitivity{}
	for _, s := range ss {
		by[s.Metric+" "+s.Param] = s
	}
	if a := by["y a"]; math.Abs(a.PRCC-1) > 1e-9 || !(a.Swing() > 0) {
		t.Errorf("y, a: %+v, want PRCC +1 and a rise", a)
	}
	if a := by["z a"]; math.Abs(a.PRCC+1) > 1e-9 || !(a.Swing() < 0) {
		t.Errorf("z, a: %+v, want PRCC −1 and a fall", a)
	}
	for _, k := range []string{"y b", "y c"} {
		if s := by[k]; math.Abs(s.PRCC) > 0.35 {
			t.Errorf("%s: %+v, want a PRCC near 0", k, s)
		}
	}
	figs, err := SensitivityFigures("y", ss)
	if err != nil || len(figs) != 2 || figs[0].Name != "prcc-y" || figs[1].Name != "tornado-y" {
		t.Fatalf("figures %v, %v", figs, err)
	}
	for _, f := range figs {
		var b strings.Builder
		if err := f.Write(&b, PNG); err != nil {
			t.Errorf("%s: %v", f.Name, err)
		}
	}
	if _, _, err := SweepSensitivity(dir, []string{"nope"}); err == nil || !strings.Contains(err.Error(), `no metric "nope"`) {
		t.Errorf("unknown metric: %v", err)
	}
}
