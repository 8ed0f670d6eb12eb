package calibrate

import (
	"context"
	"errors"
	"fmt"
	"math"
	"math/rand/v2"
	"slices"
	"sort"

	"gonum.org/v1/gonum/floats"
	"gonum.org/v1/gonum/mat"
	"gonum.org/v1/gonum/stat"
	"gonum.org/v1/gonum/stat/distuv"

	"github.com/journeysim/journeysim/models/estimate"
	"github.com/journeysim/journeysim/sim/rng"
)

// Posterior is a sample of the calibrated parameters from their posterior:
// the prior (each parameter's declared uncertainty, between its 0.5% and
// 99.5% quantiles) times a Gaussian likelihood of the targets,
// exp(−distance/2), which treats each target's sd as the error of its
// figure. The draws are equally weighted.
type Posterior struct {
	Params []string
	// Draws are the parameter values of each draw, and Units the same on
	// the unit scale of the prior's quantiles (see Calibrate).
	Draws, Units [][]float64
	Distance     []float64
	// Means are, by draw, the simulated mean of each target, then of each
	// held-out check.
	Means [][]float64
	// Steps are the generations of the sampler, in order.
	Steps []SMCStep
	// Evals counts the model runs (points evaluated) of the sampler.
	Evals int
	// Moves is the number of Metropolis moves a generation.
	Moves int
}

// SMCStep is one generation of the sampler.
type SMCStep struct {
	// Temperature is the power β of the likelihood the particles target
	// after the step: 0 is the prior, 1 the posterior.
	Temperature float64
	// ESS is the effective sample size of the reweighted particles,
	// before resampling.
	ESS float64
	// Accepted is the share of Metropolis proposals accepted.
	Accepted float64
	// Unique is the number of distinct particles after the moves.
	Unique int
}

// smcESS is the share of the particles' effective sample size that each
// step of temperature keeps: the next temperature is the highest whose
// reweighting leaves this much (Del Moral, Doucet & Jasra 2012).
const smcESS = 0.5

// smcMaxSteps bounds the generations: a likelihood so sharp that it takes
// more is a sign of targets the prior cannot reach.
const smcMaxSteps = 60

// posterior samples the posterior by sequential Monte Carlo with
// tempering: ABC-SMC with a Gaussian kernel whose bandwidth falls,
// generation by generation, to the targets' own sds. The particles start
// from ref (nil: a Latin hypercube of the prior) and move along the
// geometric path from it to the posterior, ref^(1−β) (prior ×
// likelihood)^β, β from 0 to 1 (Del Moral, Doucet & Jasra 2006; the adaptive temperatures as in their 2012 ABC-SMC): a
// reference near the posterior saves the generations a start from the
// whole prior spends finding it. Each generation raises β as far as keeps
// half the effective sample size, resamples (systematic resampling) and
// moves every particle by c.moves random-walk Metropolis steps whose
// proposal is the particles' own covariance scaled by 2.38²/d (Roberts &
// Rosenthal 2001). A proposal outside the prior's range, or at which the
// scenario is invalid, is rejected. Every random draw is from the stream
// "calibrate/smc" and the points of a generation run in parallel, stored
// by index, so the draws do not depend on the number of workers.
func (c *calibrator) posterior(ctx context.Context, n int, ref *reference) (*Posterior, error) {
	d := len(c.params)
	r := rng.New(c.seed, 0).Rand("calibrate/smc")
	var units [][]float64
	if ref == nil {
		units = estimate.LatinHypercube(rng.Derive(c.seed, 0x5ac), n, d)
	} else {
		for range n {
			units = append(units, ref.draw(r))
		}
	}
	points := make([][]float64, n)
	for i, u := range units {
		points[i] = c.values(u)
	}
	evs, err := c.evaluateAll(ctx, points)
	if err != nil {
		return nil, err
	}
	post := &Posterior{Moves: c.moves, Evals: n}
	for _, p := range c.params {
		post.Params = append(post.Params, p.Path)
	}
	logRef := func(u []float64) float64 {
		if ref == nil {
			return 0
		}
		return ref.logDensity(u)
	}
	// g is −2 log(posterior / reference), up to a constant: the distance
	// plus twice the reference's log density (0 for the prior, uniform on
	// the cube). lp is the log of the tempered target, ref^(1−β) (prior ×
	// likelihood)^β.
	lp := func(u []float64, dist, beta float64) float64 {
		lr := logRef(u)
		return lr - beta*(dist+2*lr)/2 // (1−β) lr − β dist/2
	}
	dist := make([]float64, n)
	g := make([]float64, n)
	for i, e := range evs {
		dist[i] = e.dist
		g[i] = e.dist + 2*logRef(units[i])
	}
	if !slices.ContainsFunc(dist, func(x float64) bool { return !math.IsInf(x, 1) }) {
		return nil, fmt.Errorf("calibrate: no point of the prior could be evaluated: %v", evs[0].err)
	}
	beta := 0.0
	for beta < 1 {
		if len(post.Steps) == smcMaxSteps {
			return nil, fmt.Errorf("calibrate: the posterior sampler reached only temperature %.3g in %d generations: the targets are far from anything the priors allow (the best point's distance is %.4g)", beta, smcMaxSteps, floats.Min(dist))
		}
		next, w := nextTemperature(g, beta)
		step := SMCStep{Temperature: next, ESS: ess(w)}
		beta = next

		// Resample, then move.
		idx := systematic(w, r.Float64())
		units, evs = pick(units, idx), pick(evs, idx)
		chol, err := proposal(units)
		if err != nil {
			return nil, err
		}
		accepted, proposed := 0, 0
		for range c.moves {
			props := make([][]float64, n)
			var run []int
			for i, u := range units {
				z := make([]float64, d)
				for j := range z {
					z[j] = r.NormFloat64()
				}
				var lz mat.VecDense
				lz.MulVec(chol, mat.NewVecDense(d, z))
				p := make([]float64, d)
				inside := true
				for j := range p {
					p[j] = u[j] + lz.AtVec(j)
					inside = inside && p[j] >= 0 && p[j] <= 1
				}
				if inside {
					props[i] = p
					run = append(run, i)
				}
			}
			pts := make([][]float64, len(run))
			for k, i := range run {
				pts[k] = c.values(props[i])
			}
			pevs, err := c.evaluateAll(ctx, pts)
			if err != nil {
				return nil, err
			}
			post.Evals += len(run)
			// One uniform a particle, drawn whether or not it proposed,
			// in order: the stream does not depend on which points run.
			acc := make([]float64, n)
			for i := range acc {
				acc[i] = r.Float64()
			}
			for k, i := range run {
				proposed++
				e := pevs[k]
				if math.IsInf(e.dist, 1) {
					continue
				}
				if math.Log(acc[i]) < lp(props[i], e.dist, beta)-lp(units[i], evs[i].dist, beta) {
					units[i], evs[i] = props[i], e
					accepted++
				}
			}
			proposed += n - len(run)
		}
		for i, e := range evs {
			dist[i] = e.dist
			g[i] = e.dist + 2*logRef(units[i])
		}
		step.Accepted = float64(accepted) / float64(max(proposed, 1))
		step.Unique = unique(units)
		post.Steps = append(post.Steps, step)
	}
	for i, u := range units {
		post.Units = append(post.Units, u)
		post.Draws = append(post.Draws, evs[i].vals)
		post.Distance = append(post.Distance, evs[i].dist)
		post.Means = append(post.Means, evs[i].means)
	}
	return post, nil
}

// nextTemperature returns the highest temperature in (beta, 1] at which the
// particles' incremental weights exp(−(β'−β)·dist/2) keep smcESS of the
// sample, and those weights, normalised. dist is −2 log of the ratio of
// the posterior to the distribution the sampler started from.
func nextTemperature(dist []float64, beta float64) (float64, []float64) {
	lo := floats.Min(dist)
	weights := func(b float64) []float64 {
		w := make([]float64, len(dist))
		for i, x := range dist {
			if !math.IsInf(x, 1) {
				w[i] = math.Exp(-(b - beta) * (x - lo) / 2)
			}
		}
		floats.Scale(1/floats.Sum(w), w)
		return w
	}
	target := smcESS * float64(len(dist))
	if w := weights(1); ess(w) >= target {
		return 1, w
	}
	a, b := beta, 1.0
	for range 60 {
		m := (a + b) / 2
		if ess(weights(m)) >= target {
			a = m
		} else {
			b = m
		}
	}
	return a, weights(a)
}

// ess is the effective sample size of normalised weights.
func ess(w []float64) float64 { return 1 / floats.Dot(w, w) }

// systematic resamples by normalised weights w with one uniform u: the
// indexes of the particles kept, in order.
func systematic(w []float64, u float64) []int {
	n := len(w)
	idx := make([]int, 0, n)
	cum, j := w[0], 0
	for i := range n {
		x := (float64(i) + u) / float64(n)
		for x > cum && j < n-1 {
			j++
			cum += w[j]
		}
		idx = append(idx, j)
	}
	return idx
}

func pick[T any](xs []T, idx []int) []T {
	out := make([]T, len(idx))
	for k, i := range idx {
		out[k] = xs[i]
	}
	return out
}

// proposal is the Cholesky factor of the random walk's covariance: the
// particles' covariance scaled by 2.38²/d, with a small ridge so that a
// dimension the particles have collapsed on can still move.
func proposal(units [][]float64) (mat.Matrix, error) {
	n, d := len(units), len(units[0])
	x := mat.NewDense(n, d, nil)
	for i, u := range units {
		x.SetRow(i, u)
	}
	var cov mat.SymDense
	stat.CovarianceMatrix(&cov, x, nil)
	scale := 2.38 * 2.38 / float64(d)
	for ridge := 1e-8; ridge < 1; ridge *= 100 {
		s := mat.NewSymDense(d, nil)
		s.ScaleSym(scale, &cov)
		for j := range d {
			s.SetSym(j, j, s.At(j, j)+ridge)
		}
		var ch mat.Cholesky
		if ch.Factorize(s) {
			var l mat.TriDense
			ch.LTo(&l)
			return &l, nil
		}
	}
	return nil, errors.New("calibrate: the particles' covariance cannot be factorised")
}

// unique counts the distinct particles.
func unique(units [][]float64) int {
	keys := make([]string, len(units))
	for i, u := range units {
		keys[i] = fmt.Sprint(u)
	}
	sort.Strings(keys)
	return len(slices.Compact(keys))
}

// Quantile returns the q quantile of parameter j over the draws.
func (p *Posterior) Quantile(j int, q float64) float64 {
	xs := make([]float64, len(p.Draws))
	for i, row := range p.Draws {
		xs[i] = row[j]
	}
	sort.Float64s(xs)
	return stat.Quantile(q, stat.LinInterp, xs, nil)
}

// MeanQuantile returns the q quantile over the draws of the simulated mean
// of target k (targets, then held-out checks).
func (p *Posterior) MeanQuantile(k int, q float64) float64 {
	xs := make([]float64, len(p.Means))
	for i, row := range p.Means {
		xs[i] = row[k]
	}
	sort.Float64s(xs)
	return stat.Quantile(q, stat.LinInterp, xs, nil)
}

// reference is the distribution a posterior sampler starts from, on the
// unit cube: in each coordinate independently, a normal around the point
// fit (refSD wide, truncated to [0, 1]) with weight 1 − refMix, else the
// prior (uniform). The prior's share keeps every coordinate's whole range
// in reach: a parameter the targets do not pin down keeps its spread.
type reference struct {
	center []float64
	norm   []distuv.Normal
	mass   []float64 // of each normal inside [0, 1]
}

const (
	refSD  = 0.05
	refMix = 0.1
)

func newReference(center []float64) *reference {
	q := &reference{center: center}
	for _, c := range center {
		n := distuv.Normal{Mu: c, Sigma: refSD}
		q.norm = append(q.norm, n)
		q.mass = append(q.mass, n.CDF(1)-n.CDF(0))
	}
	return q
}

// draw draws a point of the reference from r.
func (q *reference) draw(r *rand.Rand) []float64 {
	u := make([]float64, len(q.center))
	for j := range u {
		if r.Float64() < refMix {
			u[j] = r.Float64()
			continue
		}
		for {
			if x := q.center[j] + refSD*r.NormFloat64(); x >= 0 && x <= 1 {
				u[j] = x
				break
			}
		}
	}
	return u
}

// logDensity is the reference's log density at u, in the cube.
func (q *reference) logDensity(u []float64) float64 {
	s := 0.0
	for j, x := range u {
		s += math.Log(refMix + (1-refMix)*q.norm[j].Prob(x)/q.mass[j])
	}
	return s
}
