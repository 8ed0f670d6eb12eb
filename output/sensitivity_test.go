package output

import (
	"fmt"
	"math"
	"math/rand/v2"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/journeysim/journeysim/models/sweep"
)

// TestSweepSensitivity builds a sweep whose metrics are known functions of
// one parameter: y rises with a and z falls with it, monotonically, so their
// ranks are a's and PRCC is exactly +1 and −1. w is a plus noise, so b and
// c, which it does not read, get PRCCs near 0 (a number, not NaN: with no
// noise nothing is left to correlate once a is regressed out). The fifths
// must show the swings' signs.
func TestSweepSensitivity(t *testing.T) {
	dir := t.TempDir()
	var pts, res strings.Builder
	pts.WriteString("point,a,b,c,policy\n")
	res.WriteString("point,replication,y,z,w\n")
	const n = 40
	noise := rand.New(rand.NewPCG(1, 2))
	for i := range n {
		a := float64((i*7)%n) / n
		b := float64((i*11+3)%n) / n
		c := float64((i*13+5)%n) / n
		y, z := math.Exp(3*a), -a*a*a
		fmt.Fprintf(&pts, "%d,%g,%g,%g,open\n", i, a, b, c)
		for rep := range 2 {
			fmt.Fprintf(&res, "%d,%d,%g,%g,%g\n", i, rep, y, z, a+0.3*noise.NormFloat64())
		}
	}
	os.WriteFile(filepath.Join(dir, "points.csv"), []byte(pts.String()), 0o644)
	os.WriteFile(filepath.Join(dir, "results.csv"), []byte(res.String()), 0o644)
	sensitivity := func(metrics []string) ([]sweep.Sensitivity, []string, error) {
		params, xs, means, oneWay, err := ReadSweep(dir, metrics)
		if err != nil {
			return nil, nil, err
		}
		return sweep.Sensitivities(params, xs, metrics, means, oneWay)
	}
	ss, skipped, err := sensitivity([]string{"y", "z", "w"})
	if err != nil {
		t.Fatal(err)
	}
	if len(skipped) != 1 || skipped[0] != "policy" {
		t.Errorf("skipped %v, want the policy column", skipped)
	}
	by := map[string]sweep.Sensitivity{}
	for _, s := range ss {
		by[s.Metric+" "+s.Param] = s
	}
	if a := by["y a"]; math.Abs(a.PRCC-1) > 1e-9 || !(a.Swing() > 0) {
		t.Errorf("y, a: %+v, want PRCC +1 and a rise", a)
	}
	if a := by["z a"]; math.Abs(a.PRCC+1) > 1e-9 || !(a.Swing() < 0) {
		t.Errorf("z, a: %+v, want PRCC −1 and a fall", a)
	}
	for _, k := range []string{"w b", "w c"} {
		if s := by[k]; math.IsNaN(s.PRCC) || math.Abs(s.PRCC) > 0.35 || s.P < 0.05 {
			t.Errorf("%s: %+v, want a PRCC near 0, not significant", k, s)
		}
	}
	if s := by["w a"]; !(s.PRCC > 0.5 && s.P < 0.01) {
		t.Errorf("w a: %+v, want a positive PRCC, significant", s)
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
	if _, _, err := sensitivity([]string{"nope"}); err == nil || !strings.Contains(err.Error(), `no metric "nope"`) {
		t.Errorf("unknown metric: %v", err)
	}
}
