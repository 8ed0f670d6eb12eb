package output

import (
	"bytes"
	"math"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/journeysim/journeysim/models/estimate"
	"github.com/journeysim/journeysim/models/result"
)

func TestLeverTexts(t *testing.T) {
	diff := func(mean, lo, hi float64, unit string) Difference {
		var d Difference
		d.Unit, d.Diff.Mean, d.Diff.CILow, d.Diff.CIHigh = unit, mean, lo, hi
		return d
	}
	for _, c := range []struct {
		d    Difference
		want string
	}{
		{diff(11.83, 6.7, 16.96, "clients per year"), "+11.8 (6.7 to 17)"},
		{diff(-164380.4, -227714, -101046, "GBP 2011 per year"), "−£164k (−£228k to −£101k)"},
		{diff(0.0425, 0.01, 0.08, "share of exits"), "+4.25 pts (1 to 8)"},
		{diff(0, 0, 0, "per year"), "0"},
		{diff(math.NaN(), 0, 0, "per year"), "no data"},
	} {
		if got := changeCI(c.d); got != c.want {
			t.Errorf("changeCI(%v) = %q, want %q", c.d.Diff, got, c.want)
		}
	}
	m := func(x float64) estimate.Mean { return estimate.Mean{Mean: x, CILow: x - 1, CIHigh: x + 1} }
	r := estimate.Ratio{Mean: 25807, CILow: 17989, CIHigh: 52672}
	for _, c := range []struct {
		cost, qalys float64
		want        string
	}{
		{1000, 40, "£25.8k (£18k to £52.7k)"},
		{-1000, 40, "dominant: saves £1,000 (discounted), gains 40 QALYs"},
		{1000, -40, "dominated: costs £1,000 more (discounted), loses 40 QALYs"},
		{-1000, -40, "saves £25.8k (£18k to £52.7k) a QALY lost"},
		{1000, 0.5, "no clear QALY change: +0.5 (−0.5 to 1.5)"},
		{-0.5, 40, "£25.8k (£18k to £52.7k)"},
	} {
		ce := &result.CostEffect{Money: "GBP 2011", Cost: m(c.cost), QALYs: m(c.qalys), ICER: r}
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

// TestUpdateBlock checks both ways UpdateBlock writes: to w with no path,
// and between a file's markers, naming the file when they are missing.
func TestUpdateBlock(t *testing.T) {
	var b bytes.Buffer
	if wrote, err := UpdateBlock(&b, "", "<!-- begin -->", "<!-- end -->", []byte("table\n")); wrote || err != nil || b.String() != "table\n" {
		t.Errorf("no path: wrote %v, %v, printed %q", wrote, err, b.String())
	}
	path := filepath.Join(t.TempDir(), "README.md")
	if err := os.WriteFile(path, []byte("a\n<!-- begin -->\nold\n<!-- end -->\nz\n"), 0o644); err != nil {
		t.Fatal(err)
	}
	b.Reset()
	if wrote, err := UpdateBlock(&b, path, "<!-- begin -->", "<!-- end -->", []byte("new\n")); !wrote || err != nil || b.Len() != 0 {
		t.Fatalf("path: wrote %v, %v, printed %q", wrote, err, b.String())
	}
	if got, _ := os.ReadFile(path); string(got) != "a\n<!-- begin -->\nnew\n<!-- end -->\nz\n" {
		t.Errorf("file = %q", got)
	}
	if _, err := UpdateBlock(&b, path, "<!-- x -->", "<!-- end -->", nil); err == nil || !strings.Contains(err.Error(), path) {
		t.Errorf("missing marker: %v, want an error naming %s", err, path)
	}
}
