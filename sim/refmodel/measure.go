package refmodel

import (
	"context"
	"runtime"
	"time"
)

// Measurement is one timed run.
type Measurement struct {
	Result
	LoopSeconds float64 // wall time of the event loop alone, as the peers time theirs
	HeapBytes   uint64  // live heap held by the model at the end of the run
	Waiting     int     // clients waiting at the end
	// BytesPerWaiting is HeapBytes divided by the clients waiting at the end;
	// it is an upper bound on a waiting client's cost, since it also charges
	// them for everything else the model holds.
	BytesPerWaiting float64
}

// Measure builds the model, then times its run and measures the live heap it
// holds at the end. It reads the wall clock: it is for benchmarks, not for
// results.
func Measure(ctx context.Context, cfg Config) (Measurement, error) {
	var r Result
	ms, err := MeasureFunc(ctx, func() (any, error) { return New(cfg), nil }, func(ctx context.Context, m any) (int, error) {
		var err error
		r, err = m.(*Model).Run(ctx)
		return r.QueueAEnd, err
	})
	ms.Result = r
	return ms, err
}

// MeasureFunc measures any model of the reference system: build makes it
// (outside the timing), run runs it and says how many clients wait at the
// end; the loop's wall time and the live heap the model holds at the end
// are measured. It reads the wall clock: benchmark code, not results.
func MeasureFunc(ctx context.Context, build func() (any, error), run func(ctx context.Context, m any) (waiting int, err error)) (Measurement, error) {
	var before, after runtime.MemStats
	runtime.GC()
	runtime.ReadMemStats(&before)
	m, err := build()
	if err != nil {
		return Measurement{}, err
	}
	t0 := time.Now()
	waiting, err := run(ctx, m)
	el := time.Since(t0).Seconds()
	if err != nil {
		return Measurement{}, err
	}
	runtime.GC()
	runtime.ReadMemStats(&after)
	runtime.KeepAlive(m)
	ms := Measurement{LoopSeconds: el}
	if after.HeapAlloc > before.HeapAlloc {
		ms.HeapBytes = after.HeapAlloc - before.HeapAlloc
	}
	if waiting > 0 {
		ms.BytesPerWaiting = float64(ms.HeapBytes) / float64(waiting)
	}
	ms.Waiting = waiting
	return ms, nil
}
