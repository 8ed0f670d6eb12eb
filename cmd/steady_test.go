package cmd

import (
	"encoding/json"
	"os"
	"path/filepath"
	"strings"
	"testing"
)

// A run says whether its measured period is a steady state, in the table
// and summary.json, and does not claim one it did not measure.
func TestRunSteadyState(t *testing.T) {
	dir := t.TempDir()
	path := filepath.Join(dir, "pool.toml")
	src := `name = "Pool"
[run]
replications = 10
horizon = "10y"
[arrivals]
per_year = 100
to = "using"
[places.using]
kind = "state"
[places.using.exits.leaves]
hazard = { unit = "per_year", bands = [ { rate = 0.1 } ] }
[[places.using.routes.leaves]]
to = "gone"
`
	if err := os.WriteFile(path, []byte(src), 0o644); err != nil {
		t.Fatal(err)
	}
	for _, c := range []struct {
		warmup  string
		settled bool
		say     string
	}{
		{`"1y"`, false, "NOT A STEADY STATE"},
		{`"auto"`, true, "Warm-up chosen by MSER-5"},
	} {
		out := filepath.Join(dir, "out-"+strings.Trim(c.warmup, `"`))
		code, stdout, stderr := execute(t, "run", path, "--set", "run.warmup="+c.warmup, "--out", out, "--quiet")
		if code != 0 {
			t.Fatalf("warm-up %s: exit %d: %s", c.warmup, code, stderr)
		}
		if !strings.Contains(stdout, c.say) {
			t.Errorf("warm-up %s: the table does not say %q:\n%s", c.warmup, c.say, stdout)
		}
		b, err := os.ReadFile(filepath.Join(out, "summary.json"))
		if err != nil {
			t.Fatal(err)
		}
		var doc struct {
			WarmupDays float64 `json:"warmup_days"`
			Steady     struct {
				Settled bool `json:"settled"`
				Stocks  []struct {
					Stock string `json:"stock"`
				} `json:"stocks"`
			} `json:"steady_state"`
		}
		if err := json.Unmarshal(b, &doc); err != nil {
			t.Fatal(err)
		}
		if doc.Steady.Settled != c.settled || len(doc.Steady.Stocks) != 1 || doc.Steady.Stocks[0].Stock != "using" {
			t.Errorf("warm-up %s: summary.json steady_state %+v, want settled %v for using", c.warmup, doc.Steady, c.settled)
		}
		if doc.WarmupDays <= 0 {
			t.Errorf("warm-up %s: summary.json warmup_days %g", c.warmup, doc.WarmupDays)
		}
	}
}
