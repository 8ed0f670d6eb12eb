package sim_test

import (
	"context"
	"errors"
	"slices"
	"sync/atomic"
	"testing"

	"github.com/journeysim/journeysim/sim"
)

// draws returns n numbers from the stream name of replication rep.
func draws(seed uint64, rep int, name string, n int) []uint64 {
	src := sim.NewStreams(seed, rep).Source(name)
	out := make([]uint64, n)
	for i := range out {
		out[i] = src.Uint64()
	}
	return out
}

// smallMMc is a quick M/M/2 model for determinism checks.
var smallMMc = mmcConfig{lambda: 1.6, mu: 1, c: 2, theta: 0.5, warm: 50, horizon: 2000}

func TestSameSeedSameResults(t *testing.T) {
	t.Run("draws", func(t *testing.T) {
		a, b := draws(42, 3, "arrivals", 1000), draws(42, 3, "arrivals", 1000)
		if !slices.Equal(a, b) {
			t.Error("same seed, replication and name gave different draws")
		}
		// Source twice from one Streams: two sources with the same draws.
		st := sim.NewStreams(42, 3)
		s1, s2 := st.Rand("los"), st.Rand("los")
		for i := range 100 {
			if x, y := s1.Float64(), s2.Float64(); x != y {
				t.Fatalf("draw %d: %v and %v from two sources of one stream", i, x, y)
			}
		}
	})
	t.Run("model", func(t *testing.T) {
		a, err := runMMc(context.Background(), smallMMc, 42, 3)
		if err != nil {
			t.Fatal(err)
		}
		b, err := runMMc(context.Background(), smallMMc, 42, 3)
		if err != nil {
			t.Fatal(err)
		}
		if a != b {
			t.Errorf("same seed gave\n%+v\n%+v", a, b)
		}
		if a.Requests == 0 || a.Reneged == 0 || a.Wq == 0 {
			t.Errorf("model did nothing useful: %+v", a)
		}
	})
}

func TestDifferentStreamsDiffer(t *testing.T) {
	base := draws(42, 0, "arrivals", 64)
	tests := []struct {
		name string
		got  []uint64
	}{
		{"next replication", draws(42, 1, "arrivals", 64)},
		{"other seed", draws(43, 0, "arrivals", 64)},
		{"other name", draws(42, 0, "arrival", 64)},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			same := 0
			for i := range base {
				if base[i] == tt.got[i] {
					same++
				}
			}
			if same > 0 {
				t.Errorf("%d of %d draws equal the base stream's", same, len(base))
			}
		})
	}
	t.Run("replications give different results", func(t *testing.T) {
		a, _ := runMMc(context.Background(), smallMMc, 42, 0)
		b, _ := runMMc(context.Background(), smallMMc, 42, 1)
		if a == b || a.Requests == b.Requests && a.Wq == b.Wq {
			t.Errorf("replications 0 and 1 gave the same results %+v", a)
		}
	})
	t.Run("nearby seeds and replications", func(t *testing.T) {
		// No two of seeds 0-15 × replications 0-15 share a first draw.
		seen := map[uint64][2]int{}
		for seed := range 16 {
			for rep := range 16 {
				x := draws(uint64(seed), rep, "arrivals", 1)[0]
				if prev, dup := seen[x]; dup {
					t.Fatalf("seed %d rep %d and seed %d rep %d start alike", seed, rep, prev[0], prev[1])
				}
				seen[x] = [2]int{seed, rep}
			}
		}
	})
}

func TestStreamIndependentOfCreation(t *testing.T) {
	const n = 200
	only := sim.NewStreams(9, 2)
	a := only.Source("a")

	other := sim.NewStreams(9, 2)
	b := other.Source("b")
	for range 17 {
		b.Uint64() // use b before a exists
	}
	a2 := other.Source("a")
	other.Source("c")
	for i := range n {
		b.Uint64() // interleave
		if x, y := a.Uint64(), a2.Uint64(); x != y {
			t.Fatalf("draw %d of stream a: %d alone, %d after creating b and c", i, x, y)
		}
	}
	if only.Seed() != 9 || only.Replication() != 2 {
		t.Errorf("Seed, Replication = %d, %d; want 9, 2", only.Seed(), only.Replication())
	}
}

func TestUnrelatedStreamLeavesModelUnchanged(t *testing.T) {
	// The same model with and without draws from an extra stream "noise"
	// must follow the same path: common random numbers.
	cfg := smallMMc
	plain, err := runMMc(context.Background(), cfg, 11, 0)
	if err != nil {
		t.Fatal(err)
	}
	cfg.noise = true
	noisy, err := runMMc(context.Background(), cfg, 11, 0)
	if err != nil {
		t.Fatal(err)
	}
	if noisy.NoiseDraw == 0 {
		t.Fatal("the noise stream was not used")
	}
	noisy.NoiseDraw = 0
	if plain != noisy {
		t.Errorf("adding a stream changed the model:\n%+v\n%+v", plain, noisy)
	}
}

func TestReplicateWorkersAgree(t *testing.T) {
	const reps = 12
	run := func(ctx context.Context, rep int) (mmcResult, error) { return runMMc(ctx, smallMMc, 5, rep) }
	one, err := sim.Replicate(context.Background(), reps, 1, run, nil)
	if err != nil {
		t.Fatal(err)
	}
	var calls atomic.Int64
	var last int
	four, err := sim.Replicate(context.Background(), reps, 4, run, func(done int) {
		calls.Add(1)
		if done != last+1 {
			t.Errorf("progress %d after %d", done, last)
		}
		last = done
	})
	if err != nil {
		t.Fatal(err)
	}
	if len(one) != reps || !slices.Equal(one, four) {
		t.Errorf("1 worker and 4 workers disagree:\n%+v\n%+v", one, four)
	}
	if calls.Load() != reps {
		t.Errorf("progress called %d times, want %d", calls.Load(), reps)
	}
	for rep := range reps {
		if direct, _ := runMMc(context.Background(), smallMMc, 5, rep); direct != one[rep] {
			t.Errorf("results[%d] is not replication %d", rep, rep)
		}
	}
	if one[0] == one[1] {
		t.Error("replications 0 and 1 are identical")
	}
}

func TestReplicateCancel(t *testing.T) {
	long := mmcConfig{lambda: 1.6, mu: 1, c: 2, warm: 0, horizon: 1e12}

	t.Run("before", func(t *testing.T) {
		ctx, cancel := context.WithCancel(context.Background())
		cancel()
		var ran atomic.Int64
		_, err := sim.Replicate(ctx, 8, 2, func(ctx context.Context, rep int) (int, error) {
			ran.Add(1)
			return rep, nil
		}, nil)
		if !errors.Is(err, context.Canceled) {
			t.Errorf("err %v, want context.Canceled", err)
		}
		if ran.Load() != 0 {
			t.Errorf("%d replications ran after cancellation", ran.Load())
		}
	})

	t.Run("during", func(t *testing.T) {
		// Replications that would run for ever stop when ctx is cancelled:
		// Replicate returns rather than hanging.
		ctx, cancel := context.WithCancel(context.Background())
		defer cancel()
		var started atomic.Int64
		done := make(chan error, 1)
		go func() {
			_, err := sim.Replicate(ctx, 8, 2, func(ctx context.Context, rep int) (mmcResult, error) {
				if started.Add(1) == 2 {
					cancel()
				}
				return runMMc(ctx, long, 1, rep)
			}, nil)
			done <- err
		}()
		if err := <-done; !errors.Is(err, context.Canceled) {
			t.Errorf("err %v, want context.Canceled", err)
		}
		if n := started.Load(); n > 2 {
			t.Errorf("%d replications started, want at most 2", n)
		}
	})

	t.Run("failure", func(t *testing.T) {
		// The failure of the lowest replication is reported; others stop.
		boom := errors.New("boom")
		res, err := sim.Replicate(context.Background(), 6, 1, func(ctx context.Context, rep int) (int, error) {
			if rep == 3 {
				return 0, boom
			}
			return rep * 10, nil
		}, nil)
		if !errors.Is(err, boom) {
			t.Errorf("err %v, want boom", err)
		}
		if want := []int{0, 10, 20, 0, 0, 0}; !slices.Equal(res, want) {
			t.Errorf("results %v, want %v", res, want)
		}
	})

	t.Run("zero and negative", func(t *testing.T) {
		if res, err := sim.Replicate(context.Background(), 0, 4, func(context.Context, int) (int, error) { return 1, nil }, nil); err != nil || len(res) != 0 {
			t.Errorf("0 replications: %v, %v", res, err)
		}
		if _, err := sim.Replicate(context.Background(), -1, 4, func(context.Context, int) (int, error) { return 1, nil }, nil); err == nil {
			t.Error("-1 replications: no error")
		}
	})
}

func TestDeriveAndMix(t *testing.T) {
	// Derive is deterministic, and each part changes the result.
	if sim.Derive(1, 2, 3) != sim.Derive(1, 2, 3) {
		t.Error("Derive is not deterministic")
	}
	seen := map[uint64]bool{}
	for _, s := range []uint64{sim.Derive(1), sim.Derive(1, 0), sim.Derive(1, 1), sim.Derive(1, 0, 0), sim.Derive(2, 0), sim.Derive(1, 2, 3), sim.Derive(1, 3, 2)} {
		if seen[s] {
			t.Errorf("Derive collision at %d", s)
		}
		seen[s] = true
	}
	// SplitMix64 of 0 is the well-known first output of SplitMix64 seeded 0.
	if got, want := sim.Mix(0), uint64(0xe220a8397b1dcdaf); got != want {
		t.Errorf("Mix(0) = %#x, want %#x", got, want)
	}
}
