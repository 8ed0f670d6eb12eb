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
	// BytesPerWaiting is HeapBytes divided by the clients waiting at the end;
	// it is an upper bound on a waiting client's cost, since it also charges
	// them for everything else the model holds.
	BytesPerWaiting float64
}

// Measure builds the model, then times its run and measures the live heap it
// holds at the end. It reads the wall clock: it is for benchmarks, not for
// results.
func Measure(ctx context.Context, cfg Config) (Measurement, error) {
	var before, after runtime.MemStats
	runtime.GC()
	runtime.ReadMemStats(&before)
	m := New(cfg)
	t0 := time.Now()
	r, err := m.Run(ctx)
	el := time.Since(t0).Seconds()
	if err != nil {
		return Measurement{}, err
	}
	runtime.GC()
	runtime.ReadMemStats(&after)
	runtime.KeepAlive(m)
	ms := Measurement{Result: r, LoopSeconds: el}
	if after.HeapAlloc > before.HeapAlloc {
		ms.HeapBytes = after.HeapAlloc - before.HeapAlloc
	}
	if r.QueueAEnd > 0 {
		ms.BytesPerWaiting = float64(ms.HeapBytes) / float64(r.QueueAEnd)
	}
	return ms, nil
}
