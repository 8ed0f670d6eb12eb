package sim

import (
	"context"
	"errors"
	"fmt"
	"sync"
	"sync/atomic"
)

// Replicate runs replications 0 to reps-1 of run on workers goroutines and
// returns their results indexed by replication, so the output does not depend
// on the number of workers or on scheduling. Each call of run must use state
// of its own (an Engine and Streams made from rep).
//
// If progress is not nil it is called, from one goroutine at a time, with the
// number of replications finished. If a replication fails or ctx is cancelled,
// no new replication starts and Replicate returns the error of the failed
// replication with the lowest index (or ctx.Err()), with the results that
// finished.
func Replicate[T any](ctx context.Context, reps, workers int, run func(ctx context.Context, rep int) (T, error), progress func(done int)) ([]T, error) {
	if reps < 0 {
		return nil, fmt.Errorf("sim: %d replications", reps)
	}
	workers = max(1, min(workers, reps))
	ctx, cancel := context.WithCancel(ctx)
	defer cancel()

	results := make([]T, reps)
	errs := make([]error, reps)
	var next atomic.Int64
	var mu sync.Mutex
	done := 0
	var wg sync.WaitGroup
	for range workers {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for {
				rep := int(next.Add(1) - 1)
				if rep >= reps || ctx.Err() != nil {
					return
				}
				r, err := run(ctx, rep)
				if err != nil {
					errs[rep] = err
					cancel()
					return
				}
				results[rep] = r
				mu.Lock()
				done++
				if progress != nil {
					progress(done)
				}
				mu.Unlock()
			}
		}()
	}
	wg.Wait()
	for rep, err := range errs {
		if err != nil && !errors.Is(err, context.Canceled) {
			return results, fmt.Errorf("replication %d: %w", rep, err)
		}
	}
	for _, err := range errs {
		if err != nil {
			return results, err
		}
	}
	if done < reps {
		return results, context.Cause(ctx)
	}
	return results, nil
}
