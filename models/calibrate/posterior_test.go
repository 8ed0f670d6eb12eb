package calibrate

import (
	"context"
	"flag"
	"fmt"
	"math"
	"slices"
	"strings"
	"testing"

	"github.com/journeysim/journeysim/models/scenario"
	"github.com/journeysim/journeysim/sim/rng"
)

var recoveryReps = flag.Int("recovery", 40, "repetitions of TestPosteriorRecovers")

// The targets' sds in the recovery test: about a fifth of the spread
// the priors give the two metrics, so the posterior is much narrower than
// the prior but not a point.
var recoverySD = []float64{0.02, 0.01}

// TestPosteriorRecovers is a coverage test on synthetic data: each
// repetition draws true parameters from the prior, makes targets from the
// model at them (the calibration's own simulated means at the truth, plus
// Gaussian noise with the targets' sds, the error model the posterior
// assumes), samples the posterior and asks whether each parameter's 90%
// credible interval covers its truth. With the sampler right, about 90% of
// the intervals cover, and not many more; and they must be narrower than
// the prior's, or covering would prove nothing.
func TestPosteriorRecovers(t *testing.T) {
	n := *recoveryReps
	particles := 100
	if testing.Short() {
		n, particles = 3, 64
	}
	sc := loadCalTest(t, "run.replications=4")
	probe, err := newCalibrator(sc, Options{Simulator: simulator, Params: calTestParams,
		Targets: []Target{{Metric: calTestMetrics[0], SD: 1}, {Metric: calTestMetrics[1], SD: 1}}})
	if err != nil {
		t.Fatal(err)
	}
	r := rng.New(77, 0).Rand("test/recovery")
	covered, covered50, intervals := 0, 0, 0
	var width, priorWidth float64
	for rep := range n {
		u := []float64{r.Float64(), r.Float64()}
		truth := probe.values(u)
		at, err := probe.evaluate(context.Background(), truth, 1)
		if err != nil {
			t.Fatal(err)
		}
		var targets []Target
		for k, name := range calTestMetrics {
			targets = append(targets, Target{Metric: name, Value: at.means[k] + recoverySD[k]*r.NormFloat64(), SD: recoverySD[k]})
		}
		cal, err := Calibrate(context.Background(), sc, Options{Simulator: simulator, Params: calTestParams, Targets: targets,
			Workers: 2, LHS: 8, Evals: 40, Particles: particles})
		if err != nil {
			t.Fatal(err)
		}
		post := cal.Posterior
		var line []string
		for j, p := range probe.params {
			lo, hi := post.Quantile(j, 0.05), post.Quantile(j, 0.95)
			intervals++
			if lo <= truth[j] && truth[j] <= hi {
				covered++
			}
			if q1, q3 := post.Quantile(j, 0.25), post.Quantile(j, 0.75); q1 <= truth[j] && truth[j] <= q3 {
				covered50++
			}
			width += hi - lo
			priorWidth += p.Prior.Quantile(0.95) - p.Prior.Quantile(0.05)
			line = append(line, fmt.Sprintf("%.3f in [%.3f, %.3f]", truth[j], lo, hi))
		}
		last := post.Steps[len(post.Steps)-1]
		t.Logf("%2d: %s; %d generations, %d runs in all, last accepted %.2f, %d distinct", rep, strings.Join(line, ", "),
			len(post.Steps), cal.Evals, last.Accepted, last.Unique)
	}
	cover, cover50 := float64(covered)/float64(intervals), float64(covered50)/float64(intervals)
	t.Logf("coverage of the 90%% intervals: %d of %d (%.2f), of the 50%% intervals %d (%.2f); mean width %.3f, the prior's %.3f",
		covered, intervals, cover, covered50, cover50, width/float64(intervals), priorWidth/float64(intervals))
	if width > 0.5*priorWidth {
		t.Errorf("the intervals are %.2f of the prior's width: the targets barely inform them", width/priorWidth)
	}
	if testing.Short() {
		// Too few intervals to judge the rate; a sampler gone wrong still
		// misses most.
		if cover < 0.6 {
			t.Errorf("coverage %.2f of %d intervals", cover, intervals)
		}
		return
	}
	// Binomial(80, 0.9): 64 or fewer covered has probability 0.5%, 78 or
	// more 1.1%.
	if lo, hi := 0.81, 0.965; cover < lo || cover > hi {
		t.Errorf("coverage %.3f of %d intervals, want %.3g to %.3g around the nominal 0.9", cover, intervals, lo, hi)
	}
	// The 50% intervals, which tell a posterior too wide from a right one
	// better: Binomial(80, 0.5) is outside 30 to 50 with probability 2%.
	if lo, hi := 0.37, 0.63; cover50 < lo || cover50 > hi {
		t.Errorf("coverage of the 50%% intervals %.3f of %d, want %.3g to %.3g around the nominal 0.5", cover50, intervals, lo, hi)
	}
}

// TestPosteriorWorkers: the draws do not depend on the number of workers.
func TestPosteriorWorkers(t *testing.T) {
	sc := loadCalTest(t, "run.replications=4")
	targets := []Target{{Metric: calTestMetrics[0], Value: 0.6, SD: 0.02}, {Metric: calTestMetrics[1], Value: 0.3, SD: 0.02}}
	var got [][][]float64
	for _, w := range []int{1, 3} {
		cal, err := Calibrate(context.Background(), sc, Options{Simulator: simulator, Params: calTestParams, Targets: targets,
			Workers: w, LHS: 4, Evals: 12, Particles: 24})
		if err != nil {
			t.Fatal(err)
		}
		got = append(got, cal.Posterior.Draws)
	}
	if !slices.EqualFunc(got[0], got[1], slices.Equal) {
		t.Error("the posterior draws differ with 1 and 3 workers")
	}
}

// TestNextTemperature: the next temperature keeps half the effective
// sample size, and 1 is taken when it keeps more.
func TestNextTemperature(t *testing.T) {
	dist := []float64{0, 1, 2, 4, 8, 16, 32, 64}
	b, w := nextTemperature(dist, 0)
	if e := ess(w); b >= 1 || math.Abs(e-smcESS*8) > 1e-6 {
		t.Errorf("temperature %g with ESS %g, want below 1 with ESS %g", b, e, smcESS*8)
	}
	if b, _ := nextTemperature([]float64{1, 1.1, 1.2, 1.3}, 0); b != 1 {
		t.Errorf("temperature %g for distances that barely differ, want 1", b)
	}
	if b, w := nextTemperature([]float64{0, math.Inf(1), 0, 0}, 0.5); b != 1 || w[1] != 0 {
		t.Errorf("temperature %g, weights %v: an invalid point weighs nothing", b, w)
	}
}

// TestSystematic: resampling keeps each particle about its weight's share.
func TestSystematic(t *testing.T) {
	got := systematic([]float64{0.5, 0.25, 0, 0.25}, 0.5)
	if want := []int{0, 0, 1, 3}; !slices.Equal(got, want) {
		t.Errorf("systematic = %v, want %v", got, want)
	}
}

// TestDrawsFile: the draws file a calibration writes reads back.
func TestDrawsFile(t *testing.T) {
	sc := loadCalTest(t, "run.replications=4")
	targets := []Target{{Metric: calTestMetrics[0], Value: 0.6, SD: 0.02}, {Metric: calTestMetrics[1], Value: 0.3, SD: 0.02}}
	cal, err := Calibrate(context.Background(), sc, Options{Simulator: simulator, Params: calTestParams, Targets: targets,
		Particles: 16, Evals: -1, HeldOut: []Target{{ID: "h", Metric: "deaths", Value: 1, SD: 1}}})
	if err != nil {
		t.Fatal(err)
	}
	cal.SetPosteriorFile("x.posterior.csv")
	b := cal.DrawsFile()
	if !strings.HasPrefix(string(b), DrawsHeader) {
		t.Errorf("draws file starts %q", b[:40])
	}
	if !strings.Contains(string(b), "held out, not fitted: h deaths") {
		t.Errorf("draws file does not report the held-out check:\n%s", b)
	}
	d, err := scenario.ReadDraws("x", strings.NewReader(string(b)))
	if err != nil {
		t.Fatal(err)
	}
	if !slices.Equal(d.Params, calTestParams) || !slices.EqualFunc(d.Rows, cal.Posterior.Draws, slices.Equal) {
		t.Errorf("read back %v %v, want %v %v", d.Params, d.Rows, calTestParams, cal.Posterior.Draws)
	}
	if f := string(cal.ScenarioFile("small.toml")); !strings.Contains(f, `posterior = "x.posterior.csv"`) || !strings.Contains(f, "held_out = [\n  \"h\",\n]") {
		t.Errorf("scenario file does not name the draws and the held-out check:\n%s", f)
	}
}
