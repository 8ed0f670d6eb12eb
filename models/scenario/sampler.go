package scenario

import "math/rand/v2"

// Sampler draws from a distribution; see Dist.Sampler. A Sampler is not
// safe for concurrent use.
type Sampler interface {
	// Rand returns a draw; it does not allocate.
	Rand() float64
}

// Sampler returns a Sampler that draws from d using src, which it does not
// copy: draws advance src. Exponential draws cost one src.ExpFloat64; the
// other families use gonum's distuv. It panics for the zero Dist.
func (d Dist) Sampler(src rand.Source) Sampler {
	switch d.fam {
	case famExponential:
		return &expSampler{r: asRand(src), mean: d.exponentialMean()}
	case famLogNormal:
		return d.lognormal(src)
	case famGamma:
		return d.gamma(src)
	case famWeibull:
		return d.weibull(src)
	case famFixed:
		return fixedSampler(d.p[0])
	case famUniform:
		return d.uniform(src)
	case famBeta:
		return d.beta(src)
	case famNormal:
		return d.normal(src)
	case famTriangular:
		return d.triangle(src)
	case famEmpirical:
		return &empiricalSampler{r: asRand(src), xs: d.xs, cdf: d.cdf}
	}
	panic("scenario: Sampler of the zero Dist")
}

type expSampler struct {
	r    *rand.Rand
	mean float64
}

func (s *expSampler) Rand() float64 { return s.r.ExpFloat64() * s.mean }

type fixedSampler float64

func (s fixedSampler) Rand() float64 { return float64(s) }

type empiricalSampler struct {
	r       *rand.Rand
	xs, cdf []float64
}

func (s *empiricalSampler) Rand() float64 { return empiricalQuantile(s.xs, s.cdf, s.r.Float64()) }

// asRand returns src as a *rand.Rand, without wrapping it if it is one.
func asRand(src rand.Source) *rand.Rand {
	if r, ok := src.(*rand.Rand); ok {
		return r
	}
	return rand.New(src)
}
