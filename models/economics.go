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

// DiscountFactor is the present value of 1 paid t years after the start of
// the measured period at rate r a year: (1+r)^−t.
func DiscountFactor(r, t float64) float64 { return math.Pow(1+r, -t) }

// DiscountedRate returns the present value of a flow of 1 a year paid
// continuously from year a to year b at rate r: ∫ₐᵇ (1+r)^−t dt.
func DiscountedRate(r, a, b float64) float64 { return flowPV(math.Log1p(r), a, b) }

// flowPV is the present value at time 0 of a flow of 1 per unit of time
// from a to b, discounted continuously at d per unit of time; expm1 keeps
// a short stint exact.
func flowPV(d, a, b float64) float64 {
	if d == 0 {
		return b - a
	}
	return -math.Exp(-d*a) * math.Expm1(-d*(b-a)) / d
}

// placeEcon holds one place's economics in output money, per day.
type placeEcon struct {
	perDay     float64 // per client-day in the place
	perEpisode float64
	postDay    float64 // staff posts, per unit of capacity per calendar day
	crimeDay   float64 // crime cost per client-day, for the mean client
	qalyDay    float64 // QALY weight per client-day, over days a year
	avoids     bool    // a treatment stay, credited with the crime avoided while using
	priced     bool    // has a cost table
}

// econ is a model's economics, resolved.
type econ struct {
	rate          float64
	delta         float64 // continuous discount rate a day, ln(1 + rate) / days a year
	transferShare float64
	using         int // place index of the using state, -1 if none
	places        []placeEcon
	// crimeMods move a client's crime rate by case mix; crimeNorm makes
	// the mean over the arrivals' case mix 1, so crime_per_year stays the
	// rate of the average client.
	crimeMods []ratioMod
	crimeNorm float64
}

// crimeRatio is client c's crime rate relative to the average client's.
func (ec *econ) crimeRatio(c *Client) float64 {
	k := ec.crimeNorm
	for _, m := range ec.crimeMods {
		if m.when == nil || m.when(c) {
			k *= m.ratio
		}
	}
	return k
}

// buildEconomics resolves the scenario's economics; nil when it declares none.
func buildEconomics(s *Scenario, m *Model, scope *Scope) (*econ, error) {
	e := s.Economics
	if e == nil {
		return nil, nil
	}
	ec := &econ{rate: 0, using: -1, places: make([]placeEcon, len(m.places)), crimeNorm: 1}
	if len(e.Prices) > 0 {
		return nil, problem("economics.prices", "factors to one price year are no longer read: they converted figures wrongly once the price year changed. "+
			"Give a price index by year, economics.price_index = { \"2011\" = 83.3, \"2024\" = 117.3 }, and exchange rates, economics.exchange = { \"EUR 2011\" = 0.868 }, so that any price year converts every figure alike")
	}
	for _, y := range sortedKeys(e.PriceIndex) {
		if n, err := strconv.Atoi(y); err != nil || n < 1800 || n > 2200 {
			return nil, problem("economics.price_index."+y, "%q is not a year: the index is keyed by year, as in \"2011\" = 83.3", y)
		}
	}
	for _, k := range sortedKeys(e.Exchange) {
		if _, _, err := parsePrice(k); err != nil {
			return nil, problem("economics.exchange."+k, "key %q: want a currency and a year, as in \"EUR 2011\"", k)
		}
		if e.Exchange[k].V <= 0 {
			return nil, problem("economics.exchange."+k, "an exchange rate must be above 0")
		}
	}
	if e.DiscountRate != nil {
		ec.rate = e.DiscountRate.V
		if ec.rate < 0 || ec.rate > 1 {
			return nil, problem("economics.discount_rate", "%g is not a rate between 0 and 1 a year", ec.rate)
		}
	}
	ec.delta = math.Log1p(ec.rate) / daysPerYear
	if e.TransferShare != nil {
		ec.transferShare = e.TransferShare.V
		if ec.transferShare < 0 || ec.transferShare > 1 {
			return nil, problem("economics.transfer_share", "%g is not a share between 0 and 1", ec.transferShare)
		}
	}
	using := e.UsingPlace
	if using == "" {
		using = "using"
	}
	if i, ok := m.index[using]; ok && i >= 0 {
		ec.using = i
	} else if e.UsingPlace != "" {
		return nil, problem("economics.using_place", "no place %q", e.UsingPlace)
	}
	if err := ec.buildCrimeMods(e, m, scope); err != nil {
		return nil, err
	}
	for i, p := range m.places {
		ps := s.Places[p.name]
		pe := &ec.places[i]
		pe.avoids = p.treatment && p.kind != KindParallel && ec.using >= 0
		if p.kind == KindParallel && (ps.CrimePerYear != nil || ps.QALYWeight != nil) {
			k := "crime_per_year"
			if ps.CrimePerYear == nil {
				k = "qaly_weight"
			}
			return nil, problem("places."+p.name+"."+k, "a parallel place is held alongside another place, whose %s applies; a parallel place takes only a cost", k)
		}
		if ps.CrimePerYear != nil {
			if e.CrimePrice == "" {
				return nil, problem("places."+p.name+".crime_per_year", "say the crime costs' currency and year in economics.crime_price, like \"GBP 2011\"")
			}
			f, err := e.PriceFactor(e.CrimePrice)
			if err != nil {
				return nil, problem("economics.crime_price", "%v", err)
			}
			pe.crimeDay = ps.CrimePerYear.V * f / daysPerYear
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
			return nil, problem(key+".price", "say the currency and year of the costs, like \"GBP 2011\"")
		}
		f, err := e.PriceFactor(c.Price)
		if err != nil {
			return nil, problem(key+".price", "%v", err)
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
				return nil, problem(key+".caseload", "per_post_year needs the clients one post carries (a caseload above 0)")
			}
			if p.capacity < 0 {
				return nil, problem(key+".per_post_year", "%s has no capacity to divide into posts", p.name)
			}
			pe.postDay = c.PerPostYear.V * f / c.Caseload.V / daysPerYear
		} else if c.Caseload != nil {
			return nil, problem(key+".caseload", "only per_post_year uses a caseload")
		}
	}
	return ec, nil
}

// problem is a problem with the scenario at key, for Load to place.
func problem(key, format string, a ...any) error {
	return Problems{{Key: key, Msg: fmt.Sprintf(format, a...)}}
}

// maxMixCells bounds the case-mix cells enumerated to normalise the crime
// modifiers: eight attributes of four levels.
const maxMixCells = 1 << 16

// buildCrimeMods compiles economics.crime_modifiers, which may read only
// the case mix and the policy: they are fixed for a client's life, so
// their mean over the arrivals is known before the run.
func (ec *econ) buildCrimeMods(e *EconomicsSpec, m *Model, scope *Scope) error {
	if len(e.CrimeModifiers) == 0 {
		return nil
	}
	fixed := &Scope{Attributes: scope.Attributes, Policy: scope.Policy}
	for i, cm := range e.CrimeModifiers {
		key := fmt.Sprintf("economics.crime_modifiers[%d]", i)
		if cm.Ratio == nil || cm.Ratio.V <= 0 {
			return problem(key+".ratio", "give the crime rate relative to other clients, a number above 0")
		}
		if v, ok, err := cm.When.Const(fixed); err == nil && ok && !v {
			continue
		}
		var when Cond
		if !cm.When.IsZero() {
			c, err := cm.When.Compile(fixed)
			if err != nil {
				if _, err := cm.When.Compile(scope); err != nil {
					return problem(key+".when", "%v", err)
				}
				return problem(key+".when", "may read only client.* and policy.*, which do not change in a client's life")
			}
			when = c
		}
		ec.crimeMods = append(ec.crimeMods, ratioMod{when: when, ratio: cm.Ratio.V})
	}
	// The mean ratio over every cell of the case mix, weighted by its share.
	cells := 1
	for _, cum := range m.mix {
		cells *= len(cum)
		if cells > maxMixCells {
			return problem("economics.crime_modifiers", "the case mix has more than %d cells to average over", maxMixCells)
		}
	}
	var c Client
	mean := 0.0
	for cell := range cells {
		w, rest := 1.0, cell
		for a, cum := range m.mix {
			l := rest % len(cum)
			rest /= len(cum)
			m.lay.setAttr(&c, a, l)
			share := cum[l]
			if l > 0 {
				share -= cum[l-1]
			}
			w *= share
		}
		if w == 0 {
			continue
		}
		ec.crimeNorm = 1
		mean += w * ec.crimeRatio(&c)
	}
	if mean <= 0 {
		return problem("economics.crime_modifiers", "no client in the case mix has a crime rate")
	}
	ec.crimeNorm = 1 / mean
	return nil
}

// ledger is one run's money, crime and QALYs, accrued stint by stint:
// when a client leaves a place or a waiting list, and at the end of the
// run for those still there. PV is discounted to the end of warm-up.
type ledger struct {
	placeCost                         []float64
	costPV, crime, crimePV, avoidedPV float64
	qalys, qalysPV                    float64
}

// span returns the days of [a, b] inside the measured period, and their
// present value as a flow of one a day.
func (r *run) span(a, b float64) (days, pv float64) {
	a, b = max(a, r.start), min(b, r.end)
	if b <= a {
		return 0, 0
	}
	return b - a, flowPV(r.m.econ.delta, a-r.start, b-r.start)
}

// accrueStay adds client c's stay in place p from day a to day b.
func (r *run) accrueStay(c *Client, p int, a, b float64) {
	days, pv := r.span(a, b)
	if days == 0 {
		return
	}
	ec := r.m.econ
	pe := &ec.places[p]
	l := &r.ledger
	l.placeCost[p] += pe.perDay * days
	l.costPV += pe.perDay * pv
	r.accrueLife(c, pe, days, pv)
}

// accrueLife adds the crime and QALYs of days (worth pv) lived at pe's rates.
func (r *run) accrueLife(c *Client, pe *placeEcon, days, pv float64) {
	l := &r.ledger
	l.qalys += pe.qalyDay * days
	l.qalysPV += pe.qalyDay * pv
	if pe.crimeDay == 0 && !pe.avoids {
		return
	}
	ec := r.m.econ
	k := ec.crimeRatio(c)
	l.crime += pe.crimeDay * k * days
	l.crimePV += pe.crimeDay * k * pv
	if pe.avoids {
		l.avoidedPV += (ec.places[ec.using].crimeDay - pe.crimeDay) * k * pv
	}
}

// accrueWait adds client c's wait for a place from day a to day b: people
// on a waiting list are still using.
func (r *run) accrueWait(c *Client, a, b float64) {
	ec := r.m.econ
	if ec.using < 0 {
		return
	}
	days, pv := r.span(a, b)
	if days == 0 {
		return
	}
	r.accrueLife(c, &ec.places[ec.using], days, pv)
}

// accrueEpisode adds an admission to place p on day t.
func (r *run) accrueEpisode(p int, t float64) {
	pe := &r.m.econ.places[p]
	if pe.perEpisode == 0 || t < r.start || t > r.end {
		return
	}
	r.ledger.placeCost[p] += pe.perEpisode
	r.ledger.costPV += pe.perEpisode * math.Exp(-r.m.econ.delta*(t-r.start))
}

// accrueHold adds a parallel place p held from day a to day b; a negative
// sign takes back the part not held when a hold ends early.
func (r *run) accrueHold(p int, a, b, sign float64) {
	pe := &r.m.econ.places[p]
	if pe.perDay == 0 {
		return
	}
	days, pv := r.span(a, b)
	r.ledger.placeCost[p] += sign * pe.perDay * days
	r.ledger.costPV += sign * pe.perDay * pv
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

// economics closes the ledger of a finished run: the clients still in a
// place or on a list are accrued to the end, and staff posts for the
// capacity in place over the period.
func (r *run) economics() EconomicsTotals {
	for id := range r.n {
		c := r.client(id)
		switch {
		case c.Place < 0:
		case c.Waiting():
			r.accrueWait(c, c.Since, r.end)
		default:
			r.accrueStay(c, int(c.Place), c.Since, r.end)
		}
	}
	l := &r.ledger
	for pi, pe := range r.m.econ.places {
		if pe.postDay == 0 {
			continue
		}
		p := r.m.places[pi]
		// Each capacity from its change (or the start) to the next (or the end).
		sched := append([]capacityChange{{at: 0, capacity: p.capacity}}, p.changes...)
		for i, ch := range sched {
			to := r.end
			if i+1 < len(sched) {
				to = r.start + sched[i+1].at
			}
			days, pv := r.span(r.start+ch.at, to)
			l.placeCost[pi] += pe.postDay * float64(ch.capacity) * days
			l.costPV += pe.postDay * float64(ch.capacity) * pv
		}
	}
	t := EconomicsTotals{PlaceCost: l.placeCost, CostPV: l.costPV, Crime: l.crime, CrimePV: l.crimePV,
		AvoidedPV: l.avoidedPV, QALYs: l.qalys, QALYsPV: l.qalysPV}
	for _, c := range t.PlaceCost {
		t.Cost += c
	}
	return t
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
