package scenario

import (
	"math"
	"strings"
	"testing"
)

// TestPriceFactor: a figure converts to the currency at its year's
// exchange rate, then to the price year by the price index; what is
// missing is named.
func TestPriceFactor(t *testing.T) {
	e := &EconomicsSpec{Currency: "GBP", PriceYear: 2011,
		Exchange:   map[string]Value{"EUR 2011": {V: 0.868}},
		PriceIndex: map[string]Value{"1992": {V: 50}, "2011": {V: 76}, "2024": {V: 114}}}
	for _, c := range []struct {
		price string
		want  float64
		err   string
	}{
		{"GBP 2011", 1, ""},
		{"gbp 2011", 1, ""},
		{"EUR 2011", 0.868, ""},
		{"GBP 1992", 76.0 / 50, ""},
		{"GBP 2024", 76.0 / 114, ""},
		{"EUR 2012", 0, `no exchange rate from EUR 2012 to GBP: declare economics.exchange."EUR 2012"`},
		{"GBP 2013", 0, `no price index for 2013: declare economics.price_index."2013" to convert GBP 2013 to GBP 2011 (declared years: 1992, 2011, 2024)`},
		{"GBP", 0, `want a currency and a year`},
		{"GBP 20x1", 0, `is not a year`},
	} {
		got, err := e.PriceFactor(c.price)
		if c.err != "" {
			if err == nil || !strings.Contains(err.Error(), c.err) {
				t.Errorf("PriceFactor(%q): error %v, want %q", c.price, err, c.err)
			}
			continue
		}
		if err != nil || got != c.want {
			t.Errorf("PriceFactor(%q) = %v, %v; want %v", c.price, got, err, c.want)
		}
	}
	// €206 a day at 2011 prices is £178.81; at 2024 prices, 114/76 of it.
	f, _ := e.PriceFactor("EUR 2011")
	if got := 206 * f; math.Abs(got-178.808) > 1e-9 {
		t.Errorf("€206 = £%v, want £178.808", got)
	}
	e.PriceYear = 2024
	if f, _ := e.PriceFactor("EUR 2011"); math.Abs(206*f-178.808*114/76) > 1e-9 {
		t.Errorf("€206 of 2011 = £%v of 2024, want £%v", 206*f, 178.808*114/76)
	}
	if _, err := e.PriceFactor("GBP 2011"); err != nil {
		t.Errorf("GBP 2011 at 2024 prices: %v", err)
	}
}
