package models

import (
	"fmt"
	"math"
	"strconv"
	"strings"

	"gonum.org/v1/gonum/stat"
	"gonum.org/v1/gonum/stat/distuv"
)

// EconomicsSpec declares how costs, crime and health are valued. Unit
// costs live on the places (PlaceSpec.Cost, CrimePerYear, QALYWeight);
// this table says in what money, at what discount rate, against what.
type EconomicsSpec struct {
	Currency  string `toml:"currency"`   // of every output figure, e.g. "GBP"
	PriceYear int    `toml:"price_year"` // of every output figure
	// Prices converts costs stated in another currency or year: keyed
	// "EUR 2011", each the factor to Currency at PriceYear. A cost whose
	// price has no factor is an error, never converted silently.
	Prices       map[string]Value `toml:"prices"`
	DiscountRate *Value           `toml:"discount_rate"` // a year, e.g. 0.035
	// CrimePrice is the currency and year of the places' crime_per_year.
	CrimePrice string `toml:"crime_price"`
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
// ("GBP 2011") to the scenario's currency and price year.
func (e *EconomicsSpec) PriceFactor(price string) (float64, error) {
	cur, year, err := parsePrice(price)
	if err != nil {
		return 0, err
	}
	if cur == e.Currency && year == e.PriceYear {
		return 1, nil
	}
	key := cur + " " + strconv.Itoa(year)
	v, ok := e.Prices[key]
	if !ok {
		declared := sortedKeys(e.Prices)
		return 0, fmt.Errorf("no conversion from %s to %s %d: declare economics.prices.%q (declared: %s)",
			key, e.Currency, e.PriceYear, key, strings.Join(append(declared, "none")[:max(1, len(declared))], ", "))
	}
	return v.V, nil
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

// DiscountFactor is the present value of 1 paid t years after the start of
// the measured period at rate r a year: (1+r)^−t.
func DiscountFactor(r, t float64) float64 { return math.Pow(1+r, -t) }

// DiscountedRate returns the present value of a flow of 1 a year paid
// continuously from year a to year b at rate r: ∫ₐᵇ (1+r)^−t dt.
func DiscountedRate(r, a, b float64) float64 {
	if r == 0 {
		return b - a
	}
	d := math.Log1p(r)
	return (math.Exp(-d*a) - math.Exp(-d*b)) / d
}

// placeEcon holds one place's economics in output money.
type placeEcon struct {
	perDay     float64 // per client-day in the place
	perEpisode float64
	fixedDay   float64 // staff posts, per calendar day
	crimeDay   float64 // crime cost per client-day
	qalyDay    float64 // QALY weight per client-day, over days a year
	priced     bool    // has a cost table
}

// econ is a model's economics, resolved.
type econ struct {
	rate          float64
	transferShare float64
	using         int // place index of the using state, -1 if none
	places        []placeEcon
}

// buildEconomics resolves the scenario's economics; nil when it declares none.
func buildEconomics(s *Scenario, m *Model) (*econ, error) {
	e := s.Economics
	if e == nil {
		return nil, nil
	}
	ec := &econ{rate: 0, using: -1, places: make([]placeEcon, len(m.places))}
	if e.DiscountRate != nil {
		ec.rate = e.DiscountRate.V
		if ec.rate < 0 || ec.rate > 1 {
			return nil, fmt.Errorf("economics.discount_rate: %g is not a rate between 0 and 1 a year", ec.rate)
		}
	}
	if e.TransferShare != nil {
		ec.transferShare = e.TransferShare.V
		if ec.transferShare < 0 || ec.transferShare > 1 {
			return nil, fmt.Errorf("economics.transfer_share: %g is not a share between 0 and 1", ec.transferShare)
		}
	}
	using := e.UsingPlace
	if using == "" {
		using = "using"
	}
	if i, ok := m.index[using]; ok && i >= 0 {
		ec.using = i
	} else if e.UsingPlace != "" {
		return nil, fmt.Errorf("economics.using_place: no place %q", e.UsingPlace)
	}
	crimeF := 1.0
	for i, p := range m.places {
		ps := s.Places[p.name]
		pe := &ec.places[i]
		if ps.CrimePerYear != nil {
			if e.CrimePrice == "" {
				return nil, fmt.Errorf("places.%s.crime_per_year: say the crime costs' currency and year in economics.crime_price, like \"GBP 2011\"", p.name)
			}
			f, err := e.PriceFactor(e.CrimePrice)
			if err != nil {
				return nil, fmt.Errorf("economics.crime_price: %v", err)
			}
			crimeF = f
			pe.crimeDay = ps.CrimePerYear.V * crimeF / daysPerYear
		}
		if ps.QALYWeight != nil {
			pe.qalyDay = ps.QALYWeight.V / daysPerYear
		}
		c := ps.Cost
		if c == nil {
			continue
		}
		pe.priced = true
		key := "places." + p.name + ".cost"
		if c.Price == "" {
			return nil, fmt.Errorf("%s.price: say the currency and year of the costs, like \"GBP 2011\"", key)
		}
		f, err := e.PriceFactor(c.Price)
		if err != nil {
			return nil, fmt.Errorf("%s.price: %v", key, err)
		}
		day := 0.0
		if c.PerDay != nil {
			day += c.PerDay.V
		}
		if c.PerWeek != nil {
			day += c.PerWeek.V / 7
		}
		if c.PerYear != nil {
			day += c.PerYear.V / daysPerYear
		}
		pe.perDay = day * f
		if c.PerEpisode != nil {
			pe.perEpisode = c.PerEpisode.V * f
		}
		if c.PerPostYear != nil {
			if c.Caseload == nil || c.Caseload.V <= 0 {
				return nil, fmt.Errorf("%s.caseload: per_post_year needs the clients one post carries (a caseload above 0)", key)
			}
			if p.capacity < 0 {
				return nil, fmt.Errorf("%s.per_post_year: %s has no capacity to divide into posts", key, p.name)
			}
			posts := float64(p.capacity) / c.Caseload.V
			pe.fixedDay = posts * c.PerPostYear.V * f / daysPerYear
		} else if c.Caseload != nil {
			return nil, fmt.Errorf("%s.caseload: only per_post_year uses a caseload", key)
		}
	}
	return ec, nil
}

// EconomicsTotals is what one replication's economics add up to over the
// measured period: PV is discounted to its start.
type EconomicsTotals struct {
	Cost, CostPV   float64
	Crime, CrimePV float64
	AvoidedPV      float64 // crime avoided in treatment against the using rate
	QALYs, QALYsPV float64
	PlaceCost      []float64
}

// economics adds up one finished run from its monthly occupancy: each
// month's mean clients times its length, discounted at its midpoint.
// Episode costs are discounted at the period's mean factor.
func (r *run) economics() EconomicsTotals {
	ec := r.m.econ
	t := EconomicsTotals{PlaceCost: make([]float64, len(r.m.places))}
	months := len(r.acc.monthly[0])
	if months == 0 {
		return t
	}
	days := r.m.horizon / float64(months)
	// Each month's mean discount factor.
	dfs := make([]float64, months)
	for k := range dfs {
		a, b := float64(k)*days/daysPerYear, float64(k+1)*days/daysPerYear
		dfs[k] = DiscountedRate(ec.rate, a, b) / (b - a)
	}
	series, queues := r.m.occupancySeries()
	var usingCrime, usingQALY float64
	if ec.using >= 0 {
		usingCrime, usingQALY = ec.places[ec.using].crimeDay, ec.places[ec.using].qalyDay
	}
	for pi, pe := range ec.places {
		// Clients on a waiting list are still using.
		if qi := queues[pi]; qi >= 0 {
			for k, q := range r.acc.monthly[qi] {
				if math.IsNaN(q) {
					continue
				}
				df := dfs[k]
				t.Crime += q * usingCrime * days
				t.CrimePV += q * usingCrime * days * df
				t.QALYs += q * usingQALY * days
				t.QALYsPV += q * usingQALY * days * df
			}
		}
		occ := r.acc.monthly[series[pi]]
		for k, o := range occ {
			if math.IsNaN(o) {
				continue
			}
			df := dfs[k]
			cost := (o*pe.perDay + pe.fixedDay) * days
			t.PlaceCost[pi] += cost
			t.CostPV += cost * df
			crime := o * pe.crimeDay * days
			t.Crime += crime
			t.CrimePV += crime * df
			if r.m.places[pi].treatment && ec.using >= 0 {
				t.AvoidedPV += o * (ec.places[ec.using].crimeDay - pe.crimeDay) * days * df
			}
			q := o * pe.qalyDay * days
			t.QALYs += q
			t.QALYsPV += q * df
		}
		if pe.perEpisode != 0 {
			years := r.m.horizon / daysPerYear
			ep := float64(r.acc.places[pi].admissions) * pe.perEpisode
			t.PlaceCost[pi] += ep
			t.CostPV += ep * DiscountedRate(ec.rate, 0, years) / years
		}
	}
	for _, c := range t.PlaceCost {
		t.Cost += c
	}
	return t
}

// occupancySeries returns, for each place, the index of its occupancy
// series and of its waiting-list series (-1 if it has none).
func (m *Model) occupancySeries() (occ, queue []int) {
	occ, queue = make([]int, len(m.places)), make([]int, len(m.places))
	for pi, p := range m.places {
		queue[pi] = -1
		for si, s := range m.metrics.series {
			switch s.Name {
			case "occupancy." + p.name:
				occ[pi] = si
			case "queue." + p.name:
				queue[pi] = si
			}
		}
	}
	return occ, queue
}

// Ratio is a ratio of two means with a 95% CI by Fieller's theorem, from
// paired replications. The CI is unbounded (NaN ends) when the denominator's
// mean is not clearly away from zero.
type Ratio struct {
	Mean, CILow, CIHigh float64
	N                   int
}

// FiellerRatio estimates mean(num)/mean(den) over paired replications.
func FiellerRatio(num, den []float64) Ratio {
	n := len(num)
	r := Ratio{Mean: math.NaN(), CILow: math.NaN(), CIHigh: math.NaN(), N: n}
	if n == 0 || len(den) != n {
		return r
	}
	var mx, my float64
	for i := range num {
		mx += num[i]
		my += den[i]
	}
	mx /= float64(n)
	my /= float64(n)
	if my == 0 {
		return r
	}
	r.Mean = mx / my
	if n < 2 {
		return r
	}
	var sxx, syy, sxy float64
	for i := range num {
		dx, dy := num[i]-mx, den[i]-my
		sxx += dx * dx
		syy += dy * dy
		sxy += dx * dy
	}
	// Variances of the means.
	k := float64(n) * float64(n-1)
	vxx, vyy, vxy := sxx/k, syy/k, sxy/k
	tq := distuv.StudentsT{Mu: 0, Sigma: 1, Nu: float64(n - 1)}.Quantile(0.975)
	t2 := tq * tq
	a := my*my - t2*vyy
	if a <= 0 {
		return r // the denominator's CI includes zero: the ratio's is unbounded
	}
	b := mx*my - t2*vxy
	c := mx*mx - t2*vxx
	disc := b*b - a*c
	if disc < 0 {
		return r
	}
	s := math.Sqrt(disc)
	r.CILow, r.CIHigh = (b-s)/a, (b+s)/a
	return r
}

// Estimate is a mean over paired replications with its 95% CI.
type Estimate struct {
	Mean, CILow, CIHigh float64
	N                   int
}

func estimate(xs []float64) Estimate {
	e := Estimate{Mean: math.NaN(), CILow: math.NaN(), CIHigh: math.NaN(), N: len(xs)}
	if len(xs) == 0 {
		return e
	}
	mean, sd := stat.MeanStdDev(xs, nil)
	e.Mean = mean
	if len(xs) > 1 {
		h := distuv.StudentsT{Mu: 0, Sigma: 1, Nu: float64(len(xs) - 1)}.Quantile(0.975) * sd / math.Sqrt(float64(len(xs)))
		e.CILow, e.CIHigh = mean-h, mean+h
	}
	return e
}

// NetBenefit is the net monetary benefit at one willingness to pay.
type NetBenefit struct {
	WTP float64
	Estimate
}

// CostEffect is the economics of an alternative against a base, from
// replications paired on common random numbers.
type CostEffect struct {
	Money string // "GBP 2011"
	// Discounted over the measured years, alternative − base.
	Cost, QALYs, CrimeSaved Estimate
	ICER                    Ratio // extra cost per extra QALY
	NMB                     []NetBenefit
	// Incremental return (the NTORS method): crime saved against the base
	// over the extra spending; with and without stolen-property transfers.
	Incremental, IncrementalExcl Ratio
	// Full return of each scenario: crime avoided while in treatment,
	// against the rate while using, over the full cost of treatment.
	FullBase, FullBaseExcl, FullAlt, FullAltExcl Ratio
}

// CompareEconomics computes a CostEffect; ok is false unless both models
// value their runs.
func CompareEconomics(base *Model, br []*Result, alt *Model, ar []*Result) (ce CostEffect, ok bool) {
	if base.econ == nil || alt.econ == nil {
		return ce, false
	}
	col := func(m *Model, rs []*Result, name string) []float64 {
		i := m.MetricIndex(name)
		out := make([]float64, len(rs))
		for r, res := range rs {
			out[r] = res.Values[i]
		}
		return out
	}
	n := min(len(br), len(ar))
	br, ar = br[:n], ar[:n]
	diff := func(name string) []float64 {
		b, a := col(base, br, name), col(alt, ar, name)
		for i := range a {
			a[i] -= b[i]
		}
		return a
	}
	e := alt.Scenario.Economics
	ce.Money = fmt.Sprintf("%s %d", e.Currency, e.PriceYear)
	dc, dq := diff("cost.total_pv"), diff("qalys_pv")
	saved, savedExcl := diff("crime_cost_pv"), diff("crime_cost_pv.excl_transfers")
	for i := range saved {
		saved[i], savedExcl[i] = -saved[i], -savedExcl[i]
	}
	ce.Cost, ce.QALYs, ce.CrimeSaved = estimate(dc), estimate(dq), estimate(saved)
	ce.ICER = FiellerRatio(dc, dq)
	for _, w := range e.WillingnessToPay {
		nmb := make([]float64, n)
		for i := range nmb {
			nmb[i] = w*dq[i] - dc[i]
		}
		ce.NMB = append(ce.NMB, NetBenefit{WTP: w, Estimate: estimate(nmb)})
	}
	ce.Incremental, ce.IncrementalExcl = FiellerRatio(saved, dc), FiellerRatio(savedExcl, dc)
	full := func(m *Model, rs []*Result) (Ratio, Ratio) {
		av, cost := col(m, rs, "crime_avoided_in_treatment_pv"), col(m, rs, "cost.total_pv")
		excl := make([]float64, len(av))
		for i := range av {
			excl[i] = av[i] * (1 - m.econ.transferShare)
		}
		return FiellerRatio(av, cost), FiellerRatio(excl, cost)
	}
	ce.FullBase, ce.FullBaseExcl = full(base, br)
	ce.FullAlt, ce.FullAltExcl = full(alt, ar)
	return ce, true
}

// EconomicPath reports whether a parameter's key path values the run
// (a cost, a crime rate, a QALY weight, a price) rather than shaping the
// journeys: calibration leaves such parameters alone unless named.
func EconomicPath(path string) bool {
	return strings.HasPrefix(path, "economics.") || strings.Contains(path, ".cost.") ||
		strings.HasSuffix(path, ".crime_per_year") || strings.HasSuffix(path, ".qaly_weight")
}
