package output

import (
	"context"
	"math"
	"strings"
	"testing"

	"github.com/journeysim/journeysim/models"
)

func TestSummarizeKnown(t *testing.T) {
	// Mean 3, sample SD √2.5 = 1.5811, n = 5: half-width t(0.975, 4)·SD/√5
	// = 2.776445·1.5811/2.2361 = 1.96324.
	s := summarize(models.MetricInfo{Name: "x"}, []float64{1, 2, 3, 4, 5})
	if s.Mean != 3 || s.N != 5 {
		t.Fatalf("mean %v n %d", s.Mean, s.N)
	}
	if h := s.CIHigh - s.Mean; math.Abs(h-1.96324) > 1e-5 {
		t.Errorf("half-width %.6f, want 1.96324", h)
	}
	if math.Abs((s.Mean-s.CILow)-(s.CIHigh-s.Mean)) > 1e-12 {
		t.Error("interval not symmetric")
	}
	if one := summarize(models.MetricInfo{}, []float64{7}); one.Mean != 7 || !math.IsNaN(one.CILow) {
		t.Errorf("one value: %+v", one)
	}
	if none := summarize(models.MetricInfo{}, nil); !math.IsNaN(none.Mean) || none.N != 0 {
		t.Errorf("no values: %+v", none)
	}
}

func TestFormat(t *testing.T) {
	for x, want := range map[float64]string{0: "0", 0.12345: "0.1235", 3.14159: "3.142", 42.123: "42.12",
		123.456: "123.5", 1234.5: "1234", 0.0001234: "0.000123", -2.5: "-2.500"} {
		if got := Format(x); got != want {
			t.Errorf("Format(%v) = %q, want %q", x, got, want)
		}
	}
	if Format(math.NaN()) != "" {
		t.Error("NaN should format empty")
	}
}

// TestBaselineHeadlinePrecision checks the baseline's replications give every
// headline metric a 95% CI within ±5% of its mean, as the run promises.
func TestBaselineHeadlinePrecision(t *testing.T) {
	if testing.Short() {
		t.Skip("runs the baseline")
	}
	sc, err := models.Load("baseline", nil)
	if err != nil {
		t.Fatal(err)
	}
	m, err := models.Build(sc)
	if err != nil {
		t.Fatal(err)
	}
	rs, err := m.Replicate(context.Background(), sc.Seed(), sc.Replications(), 2, nil)
	if err != nil {
		t.Fatal(err)
	}
	ss := Summarize(m, rs)
	head := m.Headline()
	if len(head) != len(models.HeadlineMetrics) {
		t.Errorf("baseline has %d of %d headline metrics", len(head), len(models.HeadlineMetrics))
	}
	for _, i := range head {
		if rel := ss[i].RelHalfWidth(); !(rel <= 0.05) {
			t.Errorf("%s: CI half-width %.1f%% of the mean, want ≤ 5%%", ss[i].Name, 100*rel)
		}
	}
	var b strings.Builder
	if err := WriteTable(&b, ss, head, m.Scope.Places); err != nil {
		t.Fatal(err)
	}
	if !strings.HasPrefix(b.String(), "metric") || !strings.Contains(b.String(), "headline") {
		t.Errorf("table:\n%s", b.String())
	}
}
