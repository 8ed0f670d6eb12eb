package output

import (
	"math"
	"strings"
	"testing"

	"github.com/journeysim/journeysim/models/estimate"
	"github.com/journeysim/journeysim/models/result"
)

func TestLeverTexts(t *testing.T) {
	for _, c := range []struct {
		mean, lo, hi float64
		digits       int
		want         string
	}{
		{11.83, 6.7, 16.96, 0, "+12 (7 to 17)"},
		{-164380.4, -227714, -101046, 0, "−164,380 (−227,714 to −101,046)"},
		{-0.004, -0.01, 0.002, 2, "0.00 (−0.01 to 0.00)"},
		{0, 0, 0, 1, "0"},
		{math.NaN(), 0, 0, 1, "no data"},
	} {
		if got := changeCI(c.mean, c.lo, c.hi, c.digits); got != c.want {
			t.Errorf("changeCI(%v, %v, %v) = %q, want %q", c.mean, c.lo, c.hi, got, c.want)
		}
	}
	m := func(x float64) estimate.Mean { return estimate.Mean{Mean: x, CILow: x - 1, CIHigh: x + 1} }
	if got := changeCI(0.04, -0.3, 0.3, 1); got != "0.0 (−0.3 to 0.3)" {
		t.Errorf("a change that rounds to 0: %q, want no sign", got)
	}
	r := estimate.Ratio{Mean: 25807, CILow: 17989, CIHigh: 52672}
	for _, c := range []struct {
		cost, qalys float64
		want        string
	}{
		{1000, 40, "25,807 (17,989 to 52,672)"},
		{-1000, 40, "dominant: saves 1,000 (discounted), gains 40.0 QALYs"},
		{1000, -40, "dominated: costs 1,000 more (discounted), loses 40.0 QALYs"},
		{-1000, -40, "saves 25,807 (17,989 to 52,672) a QALY lost"},
		{1000, 0.5, "no clear QALY change: +0.5 (−0.5 to 1.5)"},
		{-0.5, 40, "25,807 (17,989 to 52,672)"},
	} {
		ce := &result.CostEffect{Cost: m(c.cost), QALYs: m(c.qalys), ICER: r}
		if got := icerText(ce); got != c.want {
			t.Errorf("cost %v, QALYs %v: %q, want %q", c.cost, c.qalys, got, c.want)
		}
	}
}

func TestReplaceBlock(t *testing.T) {
	text := []byte("a\n<!-- begin -->\nold\nold\n<!-- end -->\nb\n")
	got, err := ReplaceBlock(text, "<!-- begin -->", "<!-- end -->", []byte("new\n"))
	if err != nil || string(got) != "a\n<!-- begin -->\nnew\n<!-- end -->\nb\n" {
		t.Errorf("ReplaceBlock: %q, %v", got, err)
	}
	if _, err := ReplaceBlock([]byte("a\n<!-- end -->\n"), "<!-- begin -->", "<!-- end -->", nil); err == nil || !strings.Contains(err.Error(), "begin") {
		t.Errorf("no begin marker: %v", err)
	}
	if _, err := ReplaceBlock([]byte("<!-- begin -->\n"), "<!-- begin -->", "<!-- end -->", nil); err == nil {
		t.Error("no end marker: no error")
	}
}
