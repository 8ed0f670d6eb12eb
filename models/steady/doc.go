// Package steady measures whether a run's measured period is a steady
// state, and chooses a warm-up that makes it one.
//
// Drift fits, in each replication, a least-squares line to the monthly
// mean occupancy of every stock (each place and state) and reports the
// change it implies over the measured period as a share of the stock's
// mean level, with a 95% confidence interval across replications; the
// first and last measured years are compared too. MSER5 applies White's
// MSER-5 rule (batches of five months, the truncation that minimises the
// marginal standard error) to the replications' mean series: on the
// measured period it tests the warm-up, and on a pilot run from an empty
// system it chooses one.
package steady
