// Package refmodel is the peers' reference model (../shared/peers) written
// directly against the sim API: Poisson arrivals to a first stage, a share of
// its leavers to a second stage, and a share of all leavers returning to the
// first stage after a delay. It is the yardstick for the engine's speed and
// memory against a bare event loop, and it holds the measuring: a model's
// events a second against the bare Go loop and SimPy, run alternately
// (PeerRun, MeasureFunc).
package refmodel
