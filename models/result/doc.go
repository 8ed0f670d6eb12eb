// Package result is what a run of the model reports, as data: each
// replication's metrics, monthly series, flows and survival curves, the
// Layout that names them, and the economics of one scenario against
// another. Analysis (calibration, validation, sweeps) and output read
// results through it, and run scenarios through a Simulator, so that none
// of them needs the model itself.
package result
