// Package estimate holds the statistics journeysim reports: a mean over
// replications with its t-based 95% confidence interval, cut at the bounds
// of the measure; a paired difference; a ratio of means by Fieller's
// theorem; partial rank correlations; and the Latin hypercube that
// calibration and sweeps draw their points on. It knows nothing of the
// model: it takes numbers.
package estimate
