package models

import (
	"context"
	"flag"
	"math"
	"math/rand/v2"
	"runtime"
	"sync"
	"testing"
)

var soak = flag.Int("soak", 0, "run the baseline this many times with random seeds (make soak)")

// TestSoak runs the baseline -soak times, each one replication on a seed
// drawn from a fixed stream, and checks that every run ends without error
// and every metric is finite. make soak runs it 1,000 times.
func TestSoak(t *testing.T) {
	if *soak == 0 {
		t.Skip("run with -soak N (make soak)")
	}
	sc, err := Load("baseline", nil)
	if err != nil {
		t.Fatal(err)
	}
	m, err := Build(sc)
	if err != nil {
		t.Fatal(err)
	}
	seeds := make([]uint64, *soak)
	src := rand.New(rand.NewPCG(20261202, 8))
	for i := range seeds {
		seeds[i] = src.Uint64()
	}
	infos := m.Metrics()
	var mu sync.Mutex
	failed, done := 0, 0
	work := make(chan int)
	var wg sync.WaitGroup
	for range runtime.GOMAXPROCS(0) {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for i := range work {
				r, err := m.Run(context.Background(), seeds[i], 0)
				mu.Lock()
				done++
				if err != nil {
					failed++
					t.Errorf("seed %d: %v", seeds[i], err)
				} else {
					for k, v := range r.Values {
						if math.IsNaN(v) || math.IsInf(v, 0) {
							failed++
							t.Errorf("seed %d: %s = %v", seeds[i], infos[k].Name, v)
						}
					}
				}
				mu.Unlock()
			}
		}()
	}
	for i := range seeds {
		work <- i
	}
	close(work)
	wg.Wait()
	t.Logf("%d runs of the baseline (%d metrics each), %d problems", done, len(infos), failed)
}
