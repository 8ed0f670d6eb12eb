package scenario

import (
	"errors"
	"fmt"
	"math"
	"math/rand/v2"
	"strconv"
	"strings"

	"gonum.org/v1/gonum/stat/distuv"
)

// distFamily is a distribution family; the zero value is no distribution.
type distFamily uint8

const (
	noFamily distFamily = iota
	famBeta
	famEmpirical
	famExponential
	famFixed
	famGamma
	famLogNormal
	famNormal
	famTriangular
	famUniform
	famWeibull
	numFamilies
)

// paramKind says whether a parameter is written with a time unit.
type paramKind uint8

const (
	needsUnit paramKind = iota // a duration, as in 30d
	plainOnly                  // a plain number, as in 2
	eitherWay                  // all eitherWay parameters of a family with units, or all without
)

// distParam is one name a parameter slot accepts.
type distParam struct {
	name     string
	kind     paramKind
	positive bool
	example  string // as in "shape = 2"
}

// distSpec describes how a family is written.
type distSpec struct {
	name string
	// slots are the parameters in positional order; slot i accepts any of
	// slots[i] by name (the first one when positional).
	slots [][]distParam
	// usage names the parameters for error messages.
	usage string
	// example is a valid source string.
	example string
	// positional says whether the canonical string omits the names.
	positional bool
}

var distSpecs = [numFamilies]distSpec{
	famBeta: {
		name: "beta",
		slots: [][]distParam{
			{{"alpha", plainOnly, true, "alpha = 60"}},
			{{"beta", plainOnly, true, "beta = 40"}},
		},
		usage: "alpha and beta", example: "beta(60, 40)", positional: true,
	},
	famEmpirical: {
		name:    "empirical",
		usage:   "points value: cumulative probability",
		example: "empirical(0d: 0, 7d: 0.3, 28d: 0.8, 90d: 1)",
	},
	famExponential: {
		name: "exponential",
		slots: [][]distParam{{
			{"mean", needsUnit, true, "mean = 10d"},
			{"rate", plainOnly, true, "rate = 0.1"},
		}},
		usage: "mean (a duration) or rate (per day)", example: "exponential(mean = 10d)",
	},
	famFixed: {
		name:  "fixed",
		slots: [][]distParam{{{"value", eitherWay, false, "value = 10d"}}},
		usage: "value", example: "fixed(10d)", positional: true,
	},
	famGamma: {
		name: "gamma",
		slots: [][]distParam{
			{{"mean", needsUnit, true, "mean = 30d"}},
			{{"shape", plainOnly, true, "shape = 2"}},
		},
		usage: "mean and shape", example: "gamma(mean = 30d, shape = 2)",
	},
	famLogNormal: {
		name: "lognormal",
		slots: [][]distParam{
			{{"median", needsUnit, true, "median = 90d"}, {"mean", needsUnit, true, "mean = 90d"}},
			{{"sigma", plainOnly, true, "sigma = 1.2"}},
		},
		usage: "median or mean, and sigma", example: "lognormal(median = 90d, sigma = 1.2)",
	},
	famNormal: {
		name: "normal",
		slots: [][]distParam{
			{{"mean", eitherWay, false, "mean = 1"}},
			{{"sd", eitherWay, true, "sd = 0.2"}},
		},
		usage: "mean and sd", example: "normal(mean = 1, sd = 0.2)",
	},
	famTriangular: {
		name: "triangular",
		slots: [][]distParam{
			{{"lo", eitherWay, false, "lo = 40"}},
			{{"mode", eitherWay, false, "mode = 50"}},
			{{"hi", eitherWay, false, "hi = 80"}},
		},
		usage: "lo, mode and hi", example: "triangular(40, 50, 80)", positional: true,
	},
	famUniform: {
		name: "uniform",
		slots: [][]distParam{
			{{"lo", eitherWay, false, "lo = 40"}},
			{{"hi", eitherWay, false, "hi = 80"}},
		},
		usage: "lo and hi", example: "uniform(40, 80)", positional: true,
	},
	famWeibull: {
		name: "weibull",
		slots: [][]distParam{
			{{"scale", needsUnit, true, "scale = 100d"}},
			{{"shape", plainOnly, true, "shape = 0.7"}},
		},
		usage: "scale and shape", example: "weibull(scale = 100d, shape = 0.7)",
	},
}

const distFamilyList = "beta, empirical, exponential, fixed, gamma, lognormal, normal, triangular, uniform, weibull"

// Dist is a probability distribution written in a scenario as a family and
// its parameters, named or in order:
//
//	exponential(mean = 10d)               or exponential(rate = 0.1), per day
//	lognormal(median = 90d, sigma = 1.2)  or lognormal(mean = 90d, sigma = 1.2)
//	gamma(mean = 30d, shape = 2)
//	weibull(scale = 100d, shape = 0.7)
//	fixed(10d)
//	uniform(40, 80)                       or uniform(lo = 40, hi = 80)
//	beta(60, 40)                          or beta(alpha = 60, beta = 40)
//	normal(mean = 1, sd = 0.2)
//	triangular(40, 50, 80)                lo, mode, hi
//	empirical(0d: 0, 7d: 0.3, 28d: 0.8, 90d: 1)
//
// The time parameters of exponential, lognormal, gamma and weibull (mean,
// median, scale) are durations with a unit (see ParseDuration); shape,
// sigma, alpha, beta and rate are plain numbers. fixed, uniform, normal,
// triangular and empirical take values either all with units or all
// without; HasUnits tells which. Values with units are in days, and so are
// draws from a distribution with units. Names are lowercase; spaces
// between tokens are optional.
//
// An empirical distribution lists points of its cumulative distribution
// function, which starts at 0, does not decrease and ends at 1; between
// points it is uniform.
//
// The zero Dist is no distribution (IsZero); a Dist is read-only and safe
// to share between goroutines.
type Dist struct {
	fam   distFamily
	alt   uint8 // which name of the first slot was used: exponential rate, lognormal mean
	units bool
	p     [3]float64
	xs    []float64 // empirical points
	cdf   []float64 // empirical cumulative probabilities at xs
}

// ParseDist parses a distribution; see Dist for the forms.
func ParseDist(s string) (Dist, error) {
	src := strings.TrimSpace(s)
	if src == "" {
		return Dist{}, errors.New("empty distribution: use a family and its parameters, as in gamma(mean = 30d, shape = 2); families: " + distFamilyList)
	}
	open := strings.IndexByte(src, '(')
	if open < 0 || !strings.HasSuffix(src, ")") {
		return Dist{}, fmt.Errorf("%q is not a distribution: write a family and its parameters in parentheses, as in gamma(mean = 30d, shape = 2)", src)
	}
	name := strings.TrimSpace(src[:open])
	fam := noFamily
	for f := range distSpecs {
		if distSpecs[f].name == name && name != "" {
			fam = distFamily(f)
		}
	}
	if fam == noFamily {
		return Dist{}, fmt.Errorf("unknown distribution %q: use one of %s", name, distFamilyList)
	}
	body := src[open+1 : len(src)-1]
	if fam == famEmpirical {
		return parseEmpirical(body)
	}
	return parseParams(fam, body)
}

// splitDistArgs splits a parameter list at commas; an empty list has no
// parameters.
func splitDistArgs(body string) []string {
	if strings.TrimSpace(body) == "" {
		return nil
	}
	args := strings.Split(body, ",")
	for i := range args {
		args[i] = strings.TrimSpace(args[i])
	}
	return args
}

func parseParams(fam distFamily, body string) (Dist, error) {
	spec := &distSpecs[fam]
	d := Dist{fam: fam}
	var (
		set    [3]bool
		alts   [3]int
		units  [3]bool
		texts  [3]string
		named  bool
		nslots = len(spec.slots)
	)
	for i, arg := range splitDistArgs(body) {
		if arg == "" {
			return Dist{}, fmt.Errorf("%s has an empty parameter: give %s, as in %s", spec.name, spec.usage, spec.example)
		}
		slot, alt := i, 0
		val := arg
		if key, v, ok := strings.Cut(arg, "="); ok {
			named = true
			key, val = strings.TrimSpace(key), strings.TrimSpace(v)
			slot = -1
			for si, names := range spec.slots {
				for ai, p := range names {
					if p.name == key {
						slot, alt = si, ai
					}
				}
			}
			if slot < 0 {
				return Dist{}, fmt.Errorf("%s has no parameter %q: give %s, as in %s", spec.name, key, spec.usage, spec.example)
			}
		} else {
			if named {
				return Dist{}, fmt.Errorf("%s has %q after a named parameter: name it too, as in %s", spec.name, arg, spec.example)
			}
			if slot >= nslots {
				return Dist{}, fmt.Errorf("%s takes %s (%s), not %d, as in %s", spec.name, countNoun(nslots, "parameter"), spec.usage, len(splitDistArgs(body)), spec.example)
			}
		}
		p := spec.slots[slot][alt]
		if set[slot] {
			if alts[slot] != alt {
				return Dist{}, fmt.Errorf("%s takes %s or %s, not both", spec.name, spec.slots[slot][alts[slot]].name, p.name)
			}
			return Dist{}, fmt.Errorf("%s %s is given twice: give %s, as in %s", spec.name, p.name, spec.usage, spec.example)
		}
		v, unit, err := parseQuantity(val)
		if err != nil {
			return Dist{}, fmt.Errorf("%s %s: %w", spec.name, p.name, err)
		}
		switch {
		case p.kind == needsUnit && !unit:
			return Dist{}, fmt.Errorf("%s %s needs a unit: %s, as in %s", spec.name, p.name, "d, w, m or y", p.example)
		case p.kind == plainOnly && unit:
			return Dist{}, fmt.Errorf("%s %s is a plain number, not a duration: drop the unit, as in %s", spec.name, p.name, p.example)
		case p.positive && v <= 0:
			return Dist{}, fmt.Errorf("%s %s must be positive, not %s", spec.name, p.name, val)
		}
		set[slot], alts[slot], units[slot], texts[slot] = true, alt, unit, val
		d.p[slot] = v
	}
	for si, names := range spec.slots {
		if !set[si] {
			if len(names) > 1 {
				return Dist{}, fmt.Errorf("%s needs %s or %s: give %s, as in %s", spec.name, names[0].name, names[1].name, spec.usage, spec.example)
			}
			return Dist{}, fmt.Errorf("%s needs %s: give %s, as in %s", spec.name, names[0].name, spec.usage, spec.example)
		}
	}
	d.alt = uint8(alts[0])
	// Units: a family with a time parameter always has them; otherwise all
	// eitherWay parameters agree.
	first := true
	for si, names := range spec.slots {
		p := names[alts[si]]
		switch p.kind {
		case needsUnit:
			d.units = true
		case eitherWay:
			if first {
				d.units, first = units[si], false
			} else if units[si] != d.units {
				return Dist{}, fmt.Errorf("%s needs units on all of %s or on none, as in %s or %s", spec.name, spec.usage, withUnits(spec.example), spec.example)
			}
		}
	}
	if fam == famExponential && d.alt == 1 {
		d.units = true // rate is per day
	}
	switch fam {
	case famUniform:
		if !(d.p[0] < d.p[1]) {
			return Dist{}, fmt.Errorf("uniform needs lo < hi, not lo = %s and hi = %s", texts[0], texts[1])
		}
	case famTriangular:
		if !(d.p[0] <= d.p[1] && d.p[1] <= d.p[2] && d.p[0] < d.p[2]) {
			return Dist{}, fmt.Errorf("triangular needs lo <= mode <= hi and lo < hi, not lo = %s, mode = %s and hi = %s", texts[0], texts[1], texts[2])
		}
	}
	// Parameters each in range can still overflow together.
	extreme := fmt.Errorf("%s(%s) is out of the range that can be computed: its parameters are too far apart", spec.name, body)
	if m := d.Mean(); math.IsNaN(m) || math.IsInf(m, 0) {
		return Dist{}, extreme
	}
	if fam == famGamma {
		if b := d.gamma(nil).Beta; !(b > 0) || math.IsInf(b, 0) {
			return Dist{}, extreme
		}
	}
	return d, nil
}

// count returns "1 parameter", "2 parameters" and so on.
func countNoun(n int, noun string) string {
	if n == 1 {
		return "1 " + noun
	}
	return strconv.Itoa(n) + " " + noun + "s"
}

// withUnits adds the unit d to every number in a positional example, for
// error messages: "uniform(40, 80)" becomes "uniform(40d, 80d)".
func withUnits(example string) string {
	var b strings.Builder
	for i := 0; i < len(example); i++ {
		b.WriteByte(example[i])
		if isDigitByte(example[i]) && i+1 < len(example) && (example[i+1] == ',' || example[i+1] == ')') {
			b.WriteByte('d')
		}
	}
	return b.String()
}

// parseQuantity parses a plain number or a duration; unit reports which.
func parseQuantity(s string) (v float64, unit bool, err error) {
	num, rest, ok := scanNumber(s)
	if !ok {
		return 0, false, fmt.Errorf("%q is not a number or a duration: use a number such as 2 or a duration such as 30d", s)
	}
	if rest == "" {
		if math.IsInf(num, 0) {
			return 0, false, fmt.Errorf("%q is too large: use a finite number", s)
		}
		return num + 0, false, nil
	}
	days, err := ParseDuration(s)
	return days, true, err
}

const empiricalHelp = "as in empirical(0d: 0, 7d: 0.3, 28d: 0.8, 90d: 1)"

func parseEmpirical(body string) (Dist, error) {
	args := splitDistArgs(body)
	if len(args) < 2 {
		return Dist{}, errors.New("empirical needs at least two points, each a value and a cumulative probability, " + empiricalHelp)
	}
	d := Dist{fam: famEmpirical, xs: make([]float64, len(args)), cdf: make([]float64, len(args))}
	var prevX string
	for i, arg := range args {
		xs, ps, ok := strings.Cut(arg, ":")
		if !ok {
			return Dist{}, fmt.Errorf("empirical point %q needs a value and a cumulative probability, as in 7d: 0.3", arg)
		}
		xs, ps = strings.TrimSpace(xs), strings.TrimSpace(ps)
		x, unit, err := parseQuantity(xs)
		if err != nil {
			return Dist{}, fmt.Errorf("empirical point %q: %w", arg, err)
		}
		p, punit, err := parseQuantity(ps)
		if err != nil {
			return Dist{}, fmt.Errorf("empirical point %q: %w", arg, err)
		}
		if punit {
			return Dist{}, fmt.Errorf("empirical point %q: the cumulative probability is a plain number, as in 7d: 0.3", arg)
		}
		if i == 0 {
			d.units = unit
		} else if unit != d.units {
			return Dist{}, fmt.Errorf("empirical needs units on all values or on none, %s or empirical(0: 0, 7: 0.3, 28: 1)", empiricalHelp)
		}
		if i > 0 && !(x > d.xs[i-1]) {
			return Dist{}, fmt.Errorf("empirical values must increase: %s is followed by %s, %s", prevX, xs, empiricalHelp)
		}
		if i > 0 && p < d.cdf[i-1] {
			return Dist{}, fmt.Errorf("empirical cumulative probabilities must not decrease: %s at %s is followed by %s at %s, %s",
				shortFloat(d.cdf[i-1]), prevX, ps, xs, empiricalHelp)
		}
		d.xs[i], d.cdf[i], prevX = x, p, xs
	}
	if d.cdf[0] != 0 {
		return Dist{}, fmt.Errorf("empirical cumulative probabilities must start at 0, not %s, %s", shortFloat(d.cdf[0]), empiricalHelp)
	}
	if last := d.cdf[len(d.cdf)-1]; last != 1 {
		return Dist{}, fmt.Errorf("empirical cumulative probabilities must end at 1, not %s, %s", shortFloat(last), empiricalHelp)
	}
	return d, nil
}

// UnmarshalText parses a distribution with ParseDist.
func (d *Dist) UnmarshalText(text []byte) error {
	v, err := ParseDist(string(text))
	if err != nil {
		return err
	}
	*d = v
	return nil
}

// MarshalText returns the canonical source string (see String).
func (d Dist) MarshalText() ([]byte, error) { return []byte(d.String()), nil }

// String returns the canonical source string, which ParseDist turns back
// into the same distribution: named parameters for exponential, lognormal,
// gamma, weibull and normal, positional ones for the others, durations in
// the largest whole unit ("2w", "3m") and numbers in shortest form. The
// zero Dist is "".
func (d Dist) String() string {
	if d.fam == noFamily {
		return ""
	}
	spec := &distSpecs[d.fam]
	var b strings.Builder
	b.WriteString(spec.name)
	b.WriteByte('(')
	if d.fam == famEmpirical {
		for i := range d.xs {
			if i > 0 {
				b.WriteString(", ")
			}
			b.WriteString(d.format(d.xs[i], eitherWay))
			b.WriteString(": ")
			b.WriteString(shortFloat(d.cdf[i]))
		}
	}
	for si, names := range spec.slots {
		alt := 0
		if si == 0 {
			alt = int(d.alt)
		}
		p := names[alt]
		if si > 0 {
			b.WriteString(", ")
		}
		if !spec.positional {
			b.WriteString(p.name)
			b.WriteString(" = ")
		}
		b.WriteString(d.format(d.p[si], p.kind))
	}
	b.WriteByte(')')
	return b.String()
}

func (d Dist) format(x float64, k paramKind) string {
	if k == needsUnit || (k == eitherWay && d.units) {
		return formatDays(x)
	}
	return shortFloat(x)
}

// IsZero reports whether d is the zero Dist, no distribution.
func (d Dist) IsZero() bool { return d.fam == noFamily }

// Family returns the family name, as in "gamma"; it is "" for the zero Dist.
func (d Dist) Family() string { return distSpecs[d.fam].name }

// HasUnits reports whether the values were written with time units, so
// that draws are durations in days. It is always true for exponential,
// lognormal, gamma and weibull and always false for beta.
func (d Dist) HasUnits() bool { return d.units }

// The gonum distributions behind the families, without a source.

func (d Dist) exponentialMean() float64 {
	if d.alt == 1 {
		return 1 / d.p[0]
	}
	return d.p[0]
}

func (d Dist) exponential() distuv.Exponential {
	if d.alt == 1 {
		return distuv.Exponential{Rate: d.p[0]}
	}
	return distuv.Exponential{Rate: 1 / d.p[0]}
}

// The gonum distributions below draw from src; nil will do for their
// means and quantiles.

func (d Dist) lognormal(src rand.Source) distuv.LogNormal {
	sigma := d.p[1]
	if d.alt == 1 { // mean = exp(mu + sigma²/2)
		return distuv.LogNormal{Mu: math.Log(d.p[0]) - sigma*sigma/2, Sigma: sigma, Src: src}
	}
	return distuv.LogNormal{Mu: math.Log(d.p[0]), Sigma: sigma, Src: src}
}

func (d Dist) gamma(src rand.Source) distuv.Gamma {
	return distuv.Gamma{Alpha: d.p[1], Beta: d.p[1] / d.p[0], Src: src}
}

func (d Dist) weibull(src rand.Source) distuv.Weibull {
	return distuv.Weibull{K: d.p[1], Lambda: d.p[0], Src: src}
}
func (d Dist) uniform(src rand.Source) distuv.Uniform {
	return distuv.Uniform{Min: d.p[0], Max: d.p[1], Src: src}
}
func (d Dist) beta(src rand.Source) distuv.Beta {
	return distuv.Beta{Alpha: d.p[0], Beta: d.p[1], Src: src}
}
func (d Dist) normal(src rand.Source) distuv.Normal {
	return distuv.Normal{Mu: d.p[0], Sigma: d.p[1], Src: src}
}

func (d Dist) triangle(src rand.Source) distuv.Triangle {
	return distuv.NewTriangle(d.p[0], d.p[2], d.p[1], src) // a = lo, b = hi, c = mode
}

// Mean returns the mean, in days for a distribution with units. It panics
// for the zero Dist.
func (d Dist) Mean() float64 {
	switch d.fam {
	case famExponential:
		return d.exponentialMean()
	case famLogNormal:
		if d.alt == 1 {
			return d.p[0]
		}
		return d.lognormal(nil).Mean()
	case famGamma, famFixed, famNormal:
		return d.p[0]
	case famWeibull:
		return d.weibull(nil).Mean()
	case famUniform:
		return d.uniform(nil).Mean()
	case famBeta:
		return d.beta(nil).Mean()
	case famTriangular:
		return d.triangle(nil).Mean()
	case famEmpirical:
		m := 0.0
		for i := 1; i < len(d.xs); i++ {
			m += (d.cdf[i] - d.cdf[i-1]) * (d.xs[i-1] + d.xs[i]) / 2
		}
		return m
	}
	panic("scenario: Mean of the zero Dist")
}

// Quantile returns the p quantile, the inverse of the cumulative
// distribution function, for p in [0, 1]. It panics for the zero Dist or
// p outside [0, 1].
func (d Dist) Quantile(p float64) float64 {
	if !(p >= 0 && p <= 1) {
		panic("scenario: quantile probability out of range")
	}
	switch d.fam {
	case famExponential:
		return d.exponential().Quantile(p)
	case famLogNormal:
		return d.lognormal(nil).Quantile(p)
	case famGamma:
		return d.gamma(nil).Quantile(p)
	case famWeibull:
		return d.weibull(nil).Quantile(p)
	case famFixed:
		return d.p[0]
	case famUniform:
		return d.uniform(nil).Quantile(p)
	case famBeta:
		return d.beta(nil).Quantile(p)
	case famNormal:
		return d.normal(nil).Quantile(p)
	case famTriangular:
		return d.triangle(nil).Quantile(p)
	case famEmpirical:
		return empiricalQuantile(d.xs, d.cdf, p)
	}
	panic("scenario: Quantile of the zero Dist")
}

// empiricalQuantile inverts the piecewise-linear CDF through (xs[i],
// cdf[i]); segments of zero probability are skipped.
func empiricalQuantile(xs, cdf []float64, p float64) float64 {
	// Find the first i with cdf[i] > p; cdf[0] = 0 <= p.
	lo, hi := 1, len(cdf)
	for lo < hi {
		mid := int(uint(lo+hi) >> 1)
		if cdf[mid] > p {
			hi = mid
		} else {
			lo = mid + 1
		}
	}
	if lo == len(cdf) { // p = 1
		return xs[len(xs)-1]
	}
	f := (p - cdf[lo-1]) / (cdf[lo] - cdf[lo-1])
	return xs[lo-1] + f*(xs[lo]-xs[lo-1])
}

// Scaled returns a copy of d with its time scale multiplied by f > 0:
// every draw and quantile is multiplied by f. To apply a hazard ratio h,
// use f = 1/h. For the exponential distribution this is exact (the rate is
// multiplied by h); for the others it is the accelerated-failure-time
// approximation, which keeps the shape and stretches time, rather than a
// proportional-hazards change. Scaled panics if f is not positive and
// finite, or for beta or the zero Dist, which have no time scale.
func (d Dist) Scaled(f float64) Dist {
	if !(f > 0) || math.IsInf(f, 0) {
		panic("scenario: Scaled factor must be positive and finite")
	}
	switch d.fam {
	case famExponential:
		if d.alt == 1 {
			d.p[0] /= f
		} else {
			d.p[0] *= f
		}
	case famLogNormal, famGamma, famWeibull:
		d.p[0] *= f
	case famFixed, famUniform, famNormal:
		d.p[0] *= f
		d.p[1] *= f
	case famTriangular:
		d.p[0] *= f
		d.p[1] *= f
		d.p[2] *= f
	case famEmpirical:
		xs := make([]float64, len(d.xs))
		for i, x := range d.xs {
			xs[i] = x * f
		}
		d.xs = xs
	default:
		panic("scenario: Scaled of a " + d.Family() + " distribution, which has no time scale")
	}
	return d
}
