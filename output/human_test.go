package output

import "testing"

func TestHuman(t *testing.T) {
	for _, c := range []struct {
		x    float64
		unit string
		want string
	}{
		{76782094, "GBP 2011", "£76.8m"},
		{-1381830, "GBP 2011 per year", "−£1.38m"},
		{312400, "GBP 2011 per year", "£312k"},
		{8170, "GBP 2011", "£8,170"},
		{0.4595, "share of exits", "46%"}, {0.4555, "share", "45.6%"},
		{0.0023, "days", "0.0023"},
		{1276.4, "clients per year", "1,280"},
		{4.954, "days", "4.95"},
		{0, "per year", "0"},
	} {
		if got := Human(c.x, c.unit); got != c.want {
			t.Errorf("Human(%v, %q) = %q, want %q", c.x, c.unit, got, c.want)
		}
	}
	for unit, want := range map[string]string{"GBP 2011 per year": "a year (2011 prices)", "share of exits": "of exits", "clients per year": "clients a year", "days": "days"} {
		if got := HumanUnit(unit); got != want {
			t.Errorf("HumanUnit(%q) = %q, want %q", unit, got, want)
		}
	}
	if got := HumanSigned(12, "per year"); got != "+12" {
		t.Errorf("HumanSigned = %q", got)
	}
}
