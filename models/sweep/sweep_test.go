package sweep

import (
	"slices"
	"strconv"
	"strings"
	"testing"

	"github.com/journeysim/journeysim/models"
	"github.com/journeysim/journeysim/models/scenario"
)

func TestParseAxis(t *testing.T) {
	for _, tt := range []struct {
		in   string
		want []string
		err  string
	}{
		{"places.detox.capacity=10:40:10", []string{"10", "20", "30", "40"}, ""},
		{"a.b=0.1:0.3:0.1", []string{"0.1", "0.2", "0.3"}, ""},
		{"policy.residential_access=last_resort, matched,open", []string{"last_resort", "matched", "open"}, ""},
		{"a.b=5:1:1", nil, "need lo <= hi and a positive step"},
		{"a.b=1:x:1", nil, `"x" is not a number`},
		{"a.b", nil, "write path=lo:hi:step or path=a,b,c"},
		{"a.b=x,,y", nil, "an empty value"},
	} {
		ax, err := ParseAxis(tt.in)
		if tt.err != "" {
			if err == nil || !strings.Contains(err.Error(), tt.err) {
				t.Errorf("%s: error %v, want %q", tt.in, err, tt.err)
			}
			continue
		}
		if err != nil || !slices.Equal(ax.Values, tt.want) {
			t.Errorf("%s: %v, %v; want %v", tt.in, ax.Values, err, tt.want)
		}
	}
}

func TestNewPlan(t *testing.T) {
	a, _ := ParseAxis("x=1:3:1")
	b, _ := ParseAxis("p=u,v")
	plan, err := NewPlan(nil, Spec{Grid: []Axis{a, b}}, 1)
	if err != nil {
		t.Fatal(err)
	}
	var got []string
	for _, p := range plan.Points {
		got = append(got, strings.Join(plan.Sets(p), " "))
	}
	want := []string{`x=1 p="u"`, `x=1 p="v"`, `x=2 p="u"`, `x=2 p="v"`, `x=3 p="u"`, `x=3 p="v"`}
	if !slices.Equal(got, want) {
		t.Errorf("grid %q, want %q", got, want)
	}

	c, _ := ParseRange("places.detox.capacity=4:12")
	d, _ := ParseRange("arrivals.per_year=400:600")
	lhs, err := NewPlan(nil, Spec{LHS: 9, Ranges: []Range{c, d}}, 42)
	if err != nil {
		t.Fatal(err)
	}
	again, _ := NewPlan(nil, Spec{LHS: 9, Ranges: []Range{c, d}}, 42)
	if !slices.EqualFunc(lhs.Points, again.Points, func(x, y Point) bool { return slices.Equal(x.Values, y.Values) }) {
		t.Error("the same seed gave other points")
	}
	// Nine points, one in each ninth of a capacity range of nine whole numbers: each once.
	var caps []string
	for _, p := range lhs.Points {
		caps = append(caps, p.Values[0])
	}
	slices.Sort(caps)
	if want := []string{"10", "11", "12", "4", "5", "6", "7", "8", "9"}; !slices.Equal(caps, want) {
		t.Errorf("capacities %v, want each of 4 to 12 once", caps)
	}
	for _, bad := range []Spec{{}, {LHS: 3}, {Ranges: []Range{c}}, {Grid: []Axis{a}, LHS: 2, Ranges: []Range{c}}, {Grid: []Axis{a, a}}} {
		if _, err := NewPlan(nil, bad, 1); err == nil {
			t.Errorf("%+v: no error", bad)
		}
	}
	if PointSeed(1, 0) == PointSeed(1, 1) || PointSeed(1, 0) == PointSeed(2, 0) {
		t.Error("point seeds collide")
	}
}

// TestPlanSweepPSA checks that a PSA draws every uncertain parameter of the
// baseline, inside its distribution's support, one draw in each of N equal
// slices of probability, and that each draw makes a valid scenario.
func TestPlanSweepPSA(t *testing.T) {
	sc, err := models.Load("baseline", nil)
	if err != nil {
		t.Fatal(err)
	}
	var uncertain []string
	for _, p := range sc.Parameters() {
		if p.Uncertainty != "" {
			uncertain = append(uncertain, p.Path)
		}
	}
	const n = 8
	plan, err := NewPlan(sc, Spec{PSA: n}, 3)
	if err != nil {
		t.Fatal(err)
	}
	if !plan.PSA || !slices.Equal(plan.Params, uncertain) || len(plan.Points) != n {
		t.Fatalf("plan %v of %d points; want the uncertain parameters %v", plan.Params, len(plan.Points), uncertain)
	}
	for i, path := range plan.Params {
		pp, err := scenario.ParsePath(path)
		if err != nil {
			t.Fatal(err)
		}
		v, err := sc.Value(pp)
		if err != nil {
			t.Fatal(err)
		}
		var xs []float64
		for _, p := range plan.Points {
			x, err := strconv.ParseFloat(p.Values[i], 64)
			if err != nil {
				t.Fatal(err)
			}
			xs = append(xs, x)
		}
		// A calibrated parameter is a posterior draw's, point k taking the
		// k-th draw of a random order of them.
		if j := slices.Index(sc.Draws.Params, path); j >= 0 {
			if !slices.Contains(plan.FromPosterior, path) {
				t.Errorf("%s is in the posterior draws but drawn from its prior", path)
			}
			rows := drawOrder(3, n, len(sc.Draws.Rows))
			for k, x := range xs {
				if want := sc.Draws.Rows[rows[k]][j]; x != want {
					t.Errorf("%s: point %d is %g, want draw %d's %g", path, k, x, rows[k], want)
				}
			}
			continue
		}
		// The k-th smallest draw lies between the quantiles k/n and (k+1)/n.
		slices.Sort(xs)
		for k, x := range xs {
			lo, hi := v.Uncertainty.Quantile(float64(k)/n), v.Uncertainty.Quantile(float64(k+1)/n)
			if (k > 0 && x < lo) || (k < n-1 && x > hi) {
				t.Errorf("%s: draw %d of %d is %g, outside its slice [%g, %g]", path, k, n, x, lo, hi)
			}
		}
	}
	for _, p := range plan.Points[:2] {
		s, err := plan.PointScenario(models.NewLoader(""), "baseline", nil, p, "--psa")
		if err != nil {
			t.Fatalf("point %d: %v", p.ID, err)
		}
		if got := s.Arrivals.PerYear.V; strconv.FormatFloat(got, 'g', -1, 64) != p.Values[slices.Index(plan.Params, "arrivals.per_year")] {
			t.Errorf("point %d: arrivals %v, drawn %v", p.ID, got, p.Values)
		}
	}
}
