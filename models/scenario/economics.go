package scenario

import (
	"fmt"
	"strconv"
	"strings"
)

// EconomicsSpec declares how costs, crime and health are valued. Unit
// costs live on the places (PlaceSpec.Cost, CrimePerYear, QALYWeight);
// this table says in what money, at what discount rate, against what.
type EconomicsSpec struct {
	Currency  string `toml:"currency"`   // of every output figure, e.g. "GBP"
	PriceYear int    `toml:"price_year"` // of every output figure
	// PriceIndex is a price index of Currency by calendar year (keyed
	// "2011"), any base: a figure of year y is worth index[PriceYear] /
	// index[y] times as much at PriceYear, so any price year converts every
	// figure alike.
	PriceIndex map[string]Value `toml:"price_index"`
	// Exchange converts another currency to Currency in a year: keyed
	// "EUR 2011", the units of Currency one unit buys. A figure whose
	// conversion is missing is an error, never converted silently.
	Exchange map[string]Value `toml:"exchange"`
	// Prices is the conversion table journeysim read before PriceIndex:
	// factors to one price year, which converted figures wrongly once the
	// price year changed. It is refused, with the way to mend it.
	Prices       map[string]Value `toml:"prices"`
	DiscountRate *Value           `toml:"discount_rate"` // a year, e.g. 0.035
	// CrimePrice is the currency and year of the places' crime_per_year.
	CrimePrice string `toml:"crime_price"`
	// HealthPrice is the currency and year of the places' health_per_year.
	HealthPrice string `toml:"health_price"`
	// BeforeAfter names a follow-up (a cohort at intake) whose crime in a
	// period after intake is set against the same period before it, at the
	// using rate, over the treatment it cost: roi.before_after.<time>, as
	// NTORS and DTORS measured returns.
	BeforeAfter string `toml:"before_after"`
	// TransferShare is the share of crime costs that are stolen property
	// changing hands: a transfer, not a loss to society as a whole.
	TransferShare *Value `toml:"transfer_share"`
	// Counterfactual names the scenario a return on investment is
	// measured against, e.g. "no-treatment".
	Counterfactual string `toml:"counterfactual"`
	// WillingnessToPay lists the values of a QALY for net monetary benefit.
	WillingnessToPay []float64 `toml:"willingness_to_pay"`
	// UsingPlace is the out-of-treatment state whose crime rate treatment
	// is credited with avoiding (the "full" return); default "using".
	UsingPlace string `toml:"using_place"`
	// CrimeModifiers say who commits more crime than others, e.g. high-rate
	// offenders. The places' crime_per_year stay the mean over the case
	// mix of new arrivals; the modifiers share it out.
	CrimeModifiers []CrimeModifier `toml:"crime_modifiers"`
	// Incidents are events that happen to clients at a rate while they are
	// in some places (a mental-health crisis needing acute care), each
	// with a health-care cost; keyed by name.
	Incidents map[string]*IncidentSpec `toml:"incidents"`
}

// IncidentSpec is an event at a rate a client-year in Places (every place,
// and the waiting lists as the using place, if empty), for the clients
// When holds for, times the ratios of the Modifiers that apply. When and
// the modifiers read client.* and policy.*, which do not change in a
// life. Runs count the expected number (the rate over the time at risk),
// and each costs Cost at Price, a health-care cost beyond the places' own.
type IncidentSpec struct {
	Label     string          `toml:"label"`
	PerYear   *Value          `toml:"per_year"`
	When      Expr            `toml:"when"`
	Places    []string        `toml:"places"`
	Modifiers []CrimeModifier `toml:"modifiers"`
	Cost      *Value          `toml:"cost"`
	Price     string          `toml:"price"`
}

// CrimeModifier multiplies the crime rate of the clients it applies to:
// When may read client.* and policy.*, which do not change in a life.
type CrimeModifier struct {
	When  Expr   `toml:"when"`
	Ratio *Value `toml:"ratio"`
}

// CostSpec is a place's unit cost: per day (or week, or year) in the
// place, per admission, and per staff post with a caseload. Price is the
// currency and year the figures are in, e.g. "GBP 2011".
type CostSpec struct {
	PerDay      *Value `toml:"per_day"`
	PerWeek     *Value `toml:"per_week"`
	PerYear     *Value `toml:"per_year"`
	PerEpisode  *Value `toml:"per_episode"`
	PerPostYear *Value `toml:"per_post_year"` // posts = capacity / caseload, paid whether full or not
	Caseload    *Value `toml:"caseload"`
	Price       string `toml:"price"`
}

// PriceFactor returns the factor that converts a figure stated at price
// ("EUR 2011") to the scenario's currency and price year: to the currency
// at the exchange rate of its year, then to the price year by the price
// index.
func (e *EconomicsSpec) PriceFactor(price string) (float64, error) {
	f, _, err := e.priceFactor(price)
	return f, err
}

// priceFactor is PriceFactor with the arithmetic in words.
func (e *EconomicsSpec) priceFactor(price string) (float64, string, error) {
	cur, year, err := parsePrice(price)
	if err != nil {
		return 0, "", err
	}
	f := 1.0
	var steps []string
	if cur != e.Currency {
		key := cur + " " + strconv.Itoa(year)
		v, ok := e.Exchange[key]
		if !ok {
			return 0, "", fmt.Errorf("no exchange rate from %s to %s: declare economics.exchange.%q, the %s one %s bought in %d (declared: %s)",
				key, e.Currency, key, e.Currency, cur, year, listOrNone(sortedKeys(e.Exchange)))
		}
		f *= v.V
		steps = append(steps, fmt.Sprintf("× %s %s a %s in %d", fmtG(v.V), e.Currency, cur, year))
	}
	if year != e.PriceYear {
		from, ok1 := e.PriceIndex[strconv.Itoa(year)]
		to, ok2 := e.PriceIndex[strconv.Itoa(e.PriceYear)]
		var missing []string
		for _, m := range []struct {
			ok bool
			y  int
		}{{ok1, year}, {ok2, e.PriceYear}} {
			if !m.ok {
				missing = append(missing, strconv.Itoa(m.y))
			}
		}
		if len(missing) > 0 {
			return 0, "", fmt.Errorf("no price index for %s: declare economics.price_index.\"%s\" to convert %s to %s %d (declared years: %s)",
				strings.Join(missing, " and "), missing[0], price, e.Currency, e.PriceYear, listOrNone(sortedKeys(e.PriceIndex)))
		}
		if from.V <= 0 || to.V <= 0 {
			return 0, "", fmt.Errorf("the price index must be above 0 in %d and %d", year, e.PriceYear)
		}
		f *= to.V / from.V
		steps = append(steps, fmt.Sprintf("× %s/%s, the price index of %d over %d", fmtG(to.V), fmtG(from.V), e.PriceYear, year))
	}
	return f, strings.Join(steps, " "), nil
}

func listOrNone(xs []string) string {
	if len(xs) == 0 {
		return "none"
	}
	return strings.Join(xs, ", ")
}

// parsePrice reads "GBP 2011" as a currency and a year.
func parsePrice(s string) (string, int, error) {
	f := strings.Fields(s)
	if len(f) != 2 {
		return "", 0, fmt.Errorf("price %q: want a currency and a year, like \"GBP 2011\"", s)
	}
	y, err := strconv.Atoi(f[1])
	if err != nil || y < 1800 || y > 2200 {
		return "", 0, fmt.Errorf("price %q: %q is not a year", s, f[1])
	}
	return strings.ToUpper(f[0]), y, nil
}

// EconomicPath reports whether a parameter's key path values the run
// (a cost, a crime rate, a QALY weight, a price) rather than shaping the
// journeys: calibration leaves such parameters alone unless named.
func EconomicPath(path string) bool {
	return strings.HasPrefix(path, "economics.") || strings.Contains(path, ".cost.") ||
		strings.HasSuffix(path, ".crime_per_year") || strings.HasSuffix(path, ".health_per_year") || strings.HasSuffix(path, ".qaly_weight")
}

// validateEconomics checks the conversions of money: a price index keyed
// by year, exchange rates keyed by currency and year.
func (s *Scenario) validateEconomics(c *checker) {
	e := s.Economics
	if e == nil {
		return
	}
	if len(e.Prices) > 0 {
		c.add("economics.prices", "factors to one price year are no longer read: they converted figures wrongly once the price year changed. "+
			"Give a price index by year, economics.price_index = { \"2011\" = 83.3, \"2024\" = 117.3 }, and exchange rates, economics.exchange = { \"EUR 2011\" = 0.868 }, so that any price year converts every figure alike")
	}
	for _, y := range sortedKeys(e.PriceIndex) {
		if n, err := strconv.Atoi(y); err != nil || n < 1800 || n > 2200 {
			c.add("economics.price_index."+y, "%q is not a year: the index is keyed by year, as in \"2011\" = 83.3", y)
		}
	}
	for _, k := range sortedKeys(e.Exchange) {
		if _, _, err := parsePrice(k); err != nil {
			c.add("economics.exchange."+k, "key %q: want a currency and a year, as in \"EUR 2011\"", k)
		}
		if e.Exchange[k].V <= 0 {
			c.add("economics.exchange."+k, "an exchange rate must be above 0")
		}
	}
	for _, n := range sortedKeys(e.Incidents) {
		in, key := e.Incidents[n], "economics.incidents."+n
		if in == nil {
			continue
		}
		if !nameRE.MatchString(n) {
			c.add(key, "incident names are lowercase letters, digits and _, starting with a letter")
		}
		if in.PerYear == nil || in.PerYear.V < 0 {
			c.add(key+".per_year", "required: the incidents a client-year, 0 or more")
		}
		for i, pl := range in.Places {
			if _, ok := s.Places[pl]; !ok {
				c.add(fmt.Sprintf("%s.places[%d]", key, i), "unknown place %q%s", pl, s.didYouMeanPlace(pl))
			}
		}
		for i, m := range in.Modifiers {
			if m.Ratio == nil || m.Ratio.V < 0 {
				c.add(fmt.Sprintf("%s.modifiers[%d].ratio", key, i), "give the rate relative to other clients, 0 or more")
			}
		}
		switch {
		case in.Cost == nil && in.Price != "":
			c.add(key+".price", "a price without a cost: give cost, the cost of one incident")
		case in.Cost != nil && in.Cost.V < 0:
			c.add(key+".cost", "a cost of 0 or more")
		case in.Cost != nil && in.Price == "":
			c.add(key+".price", "say the cost's currency and year, like \"GBP 2011\"")
		}
	}
}
