package sim_test

import (
	"context"
	"errors"
	"fmt"
	"math"
	"math/rand/v2"
	"runtime"
	"slices"
	"sort"
	"testing"

	"github.com/journeysim/journeysim/sim"
)

// This file checks the engine against queueing theory and against the
// documented behaviour of its parts. Statistical checks run R independent
// replications (sim.NewStreams(seed, rep)), reset the statistics after a
// warm-up and accept |sim − theory| ≤ 4·SE, where SE is the standard error of
// the mean across replications; each also requires SE to be below a stated
// share of the theoretical value so that the check has teeth. Seeds are
// fixed, so every check is deterministic.

// ---------------------------------------------------------------------------
// A small M/M/c(+M) model, shared with determinism_test.go.

// mmcConfig describes an M/M/c queue, optionally with exponential patience
// (M/M/c+M). Times are in days.
type mmcConfig struct {
	lambda  float64 // arrivals a day
	mu      float64 // services a day per place
	c       int     // places
	theta   float64 // abandonment rate a day (0: infinite patience)
	warm    float64 // warm-up, discarded by Resource.Reset
	horizon float64 // measured period after warm-up
	noise   bool    // draw from an unrelated stream at every arrival
}

// mmcResult is comparable with ==, so determinism checks can compare runs.
type mmcResult struct {
	Wq        float64 // mean wait of admitted clients
	WaitVar   float64 // variance of the wait
	WaitP90   float64 // 0.9-quantile of the wait
	Lq        float64 // time-average number waiting
	Busy      float64 // time-average places in use
	Service   float64 // mean service time drawn in the measured period
	Requests  int64
	Admitted  int64
	Reneged   int64
	Released  int64
	Events    uint64
	NoiseDraw float64
}

func runMMc(ctx context.Context, cfg mmcConfig, seed uint64, rep int) (mmcResult, error) {
	eng := sim.NewEngine()
	st := sim.NewStreams(seed, rep)
	arrivals := st.Rand("arrivals")
	service := st.Rand("service")
	patience := st.Rand("patience")
	var noise *rand.Rand
	if cfg.noise {
		noise = st.Rand("noise")
	}

	res := sim.NewResource(eng, "server", cfg.c, sim.FIFO)
	var out mmcResult
	var svcSum float64
	var svcN int64
	measuring := false

	depart := eng.Register(func(int32) { res.Release() })
	res.Admit = func(id int32, waited sim.Time) {
		s := service.ExpFloat64() / cfg.mu
		if measuring {
			svcSum += s
			svcN++
		}
		eng.After(s, depart, id)
	}
	var arrive sim.Kind
	arrive = eng.Register(func(id int32) {
		p := math.Inf(1)
		if cfg.theta > 0 {
			p = patience.ExpFloat64() / cfg.theta
		}
		res.Request(id, 0, p)
		if noise != nil {
			out.NoiseDraw += noise.Float64()
		}
		eng.After(arrivals.ExpFloat64()/cfg.lambda, arrive, (id+1)&math.MaxInt32)
	})
	eng.After(arrivals.ExpFloat64()/cfg.lambda, arrive, 0)
	eng.Call(cfg.warm, func() {
		res.Reset()
		measuring = true
	})
	end := cfg.warm + cfg.horizon
	if err := eng.Run(ctx, end); err != nil {
		return mmcResult{}, err
	}
	s := &res.Stats
	out.Wq = s.Wait.Mean()
	out.WaitVar = s.Wait.Var()
	out.WaitP90 = s.Wait.Quantile(0.9)
	out.Lq = s.Queue.Mean(eng.Now())
	out.Busy = s.Busy.Mean(eng.Now())
	out.Service = svcSum / float64(svcN)
	out.Requests, out.Admitted, out.Reneged, out.Released = s.Requests, s.Admitted, s.Reneged, s.Released
	out.Events = eng.Dispatched()
	return out, nil
}

// replicateMMc runs reps replications in parallel.
func replicateMMc(t testing.TB, cfg mmcConfig, seed uint64, reps int) []mmcResult {
	t.Helper()
	rs, err := sim.Replicate(context.Background(), reps, runtime.GOMAXPROCS(0),
		func(ctx context.Context, rep int) (mmcResult, error) { return runMMc(ctx, cfg, seed, rep) }, nil)
	if err != nil {
		t.Fatal(err)
	}
	return rs
}

// meanSE returns the mean of xs and its standard error.
func meanSE(xs []float64) (mean, se float64) {
	n := float64(len(xs))
	for _, x := range xs {
		mean += x
	}
	mean /= n
	var ss float64
	for _, x := range xs {
		ss += (x - mean) * (x - mean)
	}
	return mean, math.Sqrt(ss / (n - 1) / n)
}

// checkAgainst asserts |mean(xs) − want| ≤ 4·SE and SE ≤ maxRelSE·|want|.
func checkAgainst(t *testing.T, what string, xs []float64, want, maxRelSE float64) {
	t.Helper()
	m, se := meanSE(xs)
	t.Logf("%s: sim %.5g ± %.2g (SE, %.2f%%), theory %.5g, |diff| = %.2f SE",
		what, m, se, 100*se/math.Abs(want), want, math.Abs(m-want)/se)
	if se > maxRelSE*math.Abs(want) {
		t.Errorf("%s: SE %.3g is more than %.0f%% of %.4g: the check is too weak", what, se, 100*maxRelSE, want)
	}
	if math.Abs(m-want) > 4*se {
		t.Errorf("%s: sim %.5g, theory %.5g: differ by %.3g > 4·SE = %.3g", what, m, want, math.Abs(m-want), 4*se)
	}
}

func field(rs []mmcResult, f func(mmcResult) float64) []float64 {
	xs := make([]float64, len(rs))
	for i, r := range rs {
		xs[i] = f(r)
	}
	return xs
}

// ---------------------------------------------------------------------------
// Closed forms.

// erlangC returns the probability that an arrival to an M/M/c queue with
// offered load a = λ/μ < c has to wait.
func erlangC(c int, a float64) float64 {
	term := 1.0 // a^k/k!
	var sum float64
	for k := 0; k < c; k++ {
		sum += term
		term *= a / float64(k+1)
	}
	// term is now a^c/c!
	last := term * float64(c) / (float64(c) - a)
	return last / (sum + last)
}

// mmcWq returns the mean wait in queue of an M/M/c queue: C(c, a)/(cμ − λ).
func mmcWq(lambda, mu float64, c int) float64 {
	return erlangC(c, lambda/mu) / (float64(c)*mu - lambda)
}

// mm1mAbandon returns the probability that an arrival to an M/M/1+M queue
// abandons. The number in system is a birth–death chain with birth rate λ
// and death rate μ + (n−1)θ in state n ≥ 1; P(abandon) = θ·E[number
// waiting]/λ. The chain is truncated where p_n has become negligible.
func mm1mAbandon(lambda, mu, theta float64) float64 {
	p := []float64{1}
	for n := 1; ; n++ {
		next := p[n-1] * lambda / (mu + float64(n-1)*theta)
		p = append(p, next)
		if n > 10 && next < 1e-18 {
			break
		}
	}
	var total, waiting float64
	for n, pn := range p {
		total += pn
		if n > 0 {
			waiting += float64(n-1) * pn
		}
	}
	return theta * waiting / total / lambda
}

func TestClosedForms(t *testing.T) {
	// M/M/1: C(1, ρ) = ρ and Wq = ρ/(μ − λ).
	if got, want := mmcWq(0.9, 1, 1), 9.0; math.Abs(got-want) > 1e-12 {
		t.Errorf("M/M/1 Wq = %v, want %v", got, want)
	}
	// A textbook value: C(2, 1) = 1/3.
	if got := erlangC(2, 1); math.Abs(got-1.0/3) > 1e-12 {
		t.Errorf("C(2, 1) = %v, want 1/3", got)
	}
	// With θ = μ the M/M/1+M chain is M/M/∞: p_n Poisson(λ/μ) and the
	// expected number waiting is E[(N−1)+] = a − 1 + e^−a.
	a := 1.5
	want := (a - 1 + math.Exp(-a)) / a
	if got := mm1mAbandon(a, 1, 1); math.Abs(got-want) > 1e-12 {
		t.Errorf("M/M/1+M with θ = μ: P(abandon) = %v, want %v", got, want)
	}
}

// ---------------------------------------------------------------------------
// Queueing theory.

// scale shrinks long statistical runs under -short (used with -race).
func scale(full, short float64) float64 {
	if testing.Short() {
		return short
	}
	return full
}

func TestMMcMeanWait(t *testing.T) {
	t.Parallel()
	// Tolerance: |sim − theory| ≤ 4·SE over reps replications, and SE below
	// 3% of the theoretical wait. μ = 1 a day, so times are in mean services.
	// At ρ = 0.9 the M/M/1 queue relaxes in about 1/(1 − √ρ)² ≈ 380 days,
	// hence the long warm-up and horizon.
	tests := []struct {
		name          string
		c             int
		rho           float64
		warm, horizon float64
	}{
		{"M/M/1 rho=0.5", 1, 0.5, 200, scale(1e5, 5e4)},
		{"M/M/1 rho=0.9", 1, 0.9, 5000, scale(8e5, 3e5)},
		{"M/M/5 rho=0.5", 5, 0.5, 100, scale(1e5, 4e4)},
		{"M/M/5 rho=0.9", 5, 0.9, 1000, scale(1e5, 4e4)},
	}
	for i, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			const reps = 10
			cfg := mmcConfig{lambda: tt.rho * float64(tt.c), mu: 1, c: tt.c, warm: tt.warm, horizon: tt.horizon}
			rs := replicateMMc(t, cfg, uint64(100+i), reps)
			want := mmcWq(cfg.lambda, cfg.mu, cfg.c)
			checkAgainst(t, "mean wait Wq", field(rs, func(r mmcResult) float64 { return r.Wq }), want, 0.03)
			// P(Wq > x) = C(c, a)·e^−(cμ−λ)x, so the p-quantile is
			// ln(C/(1−p))/(cμ − λ) when C > 1 − p. Checked where it is well
			// above zero; the histogram adds at most HistogramRelErr.
			if pc := erlangC(cfg.c, cfg.lambda/cfg.mu); pc > 0.5 {
				q90 := math.Log(pc/0.1) / (float64(cfg.c)*cfg.mu - cfg.lambda)
				checkAgainst(t, "wait 0.9-quantile", field(rs, func(r mmcResult) float64 { return r.WaitP90 }), q90, 0.03)
			}
		})
	}
}

func TestLittlesLaw(t *testing.T) {
	t.Parallel()
	// M/M/3 at ρ = 0.8. Two checks, each |diff| ≤ 4·SE with SE < 3%:
	//   Lq = λ·Wq: per replication the difference Queue.Mean − λ·Wait.Mean;
	//   busy = λ·E[S] = a: Busy.Mean against the offered load.
	// And the sample-path form, which holds up to the clients waiting at the
	// two ends of the period: Queue.Mean·T ≈ Σ waits = Admitted·Wait.Mean,
	// within 1%.
	cfg := mmcConfig{lambda: 2.4, mu: 1, c: 3, warm: 500, horizon: scale(6e4, 2e4)}
	rs := replicateMMc(t, cfg, 7, 10)
	lq := mmcWq(cfg.lambda, cfg.mu, cfg.c) * cfg.lambda

	diff := field(rs, func(r mmcResult) float64 { return r.Lq - cfg.lambda*r.Wq })
	m, se := meanSE(diff)
	t.Logf("Lq − λ·Wq: %.4g ± %.2g (SE); Lq theory %.4g", m, se, lq)
	if se > 0.03*lq || math.Abs(m) > 4*se {
		t.Errorf("Little's law: Lq − λ·Wq = %.4g ± %.2g (SE), want 0 within 4·SE and SE < 3%% of %.4g", m, se, lq)
	}
	checkAgainst(t, "time-average Lq", field(rs, func(r mmcResult) float64 { return r.Lq }), lq, 0.03)
	checkAgainst(t, "time-average busy", field(rs, func(r mmcResult) float64 { return r.Busy }), cfg.lambda/cfg.mu, 0.03)
	checkAgainst(t, "mean service drawn", field(rs, func(r mmcResult) float64 { return r.Service }), 1/cfg.mu, 0.03)

	for rep, r := range rs {
		area := r.Lq * cfg.horizon
		waits := float64(r.Admitted) * r.Wq
		if math.Abs(area-waits) > 0.01*area {
			t.Errorf("rep %d: ∫queue = %.6g, Σ waits = %.6g: differ by more than 1%%", rep, area, waits)
		}
	}
}

func TestMM1AbandonmentFraction(t *testing.T) {
	t.Parallel()
	// M/M/1+M: λ = 1.2, μ = 1, θ = 0.25 (mean patience 4 days). Overloaded,
	// so abandonment is common. Tolerance: 4·SE with SE < 3% of theory.
	tests := []struct {
		name                string
		lambda, mu, theta   float64
		warm, horizon, maxE float64
	}{
		{"overloaded", 1.2, 1, 0.25, 200, scale(4e4, 1.5e4), 0.03},
		{"moderate", 0.8, 1, 1, 100, scale(4e4, 1.5e4), 0.03},
	}
	for i, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			cfg := mmcConfig{lambda: tt.lambda, mu: tt.mu, c: 1, theta: tt.theta, warm: tt.warm, horizon: tt.horizon}
			rs := replicateMMc(t, cfg, uint64(200+i), 10)
			want := mm1mAbandon(tt.lambda, tt.mu, tt.theta)
			frac := field(rs, func(r mmcResult) float64 { return float64(r.Reneged) / float64(r.Requests) })
			checkAgainst(t, "P(abandon)", frac, want, tt.maxE)
		})
	}
}

func TestRenegeCallback(t *testing.T) {
	// Renege reports the client and how long it waited; the patience clock
	// runs from the request.
	eng := sim.NewEngine()
	res := sim.NewResource(eng, "r", 1, sim.FIFO)
	type ev struct {
		id     int32
		at, wt float64
	}
	var reneged []ev
	res.Renege = func(id int32, waited sim.Time) { reneged = append(reneged, ev{id, eng.Now(), waited}) }
	eng.Call(1, func() {
		res.Request(0, 0, math.Inf(1)) // admitted at once, never leaves
		res.Request(1, 0, 2)
		res.Request(2, 0, 0.5)
		res.Request(3, 0, math.Inf(1))
	})
	if err := eng.Run(context.Background(), 10); err != nil {
		t.Fatal(err)
	}
	want := []ev{{2, 1.5, 0.5}, {1, 3, 2}}
	if !slices.Equal(reneged, want) {
		t.Errorf("reneged %v, want %v", reneged, want)
	}
	if res.QueueLen() != 1 || res.Stats.Reneged != 2 {
		t.Errorf("QueueLen %d, Reneged %d; want 1, 2", res.QueueLen(), res.Stats.Reneged)
	}
}

// TestSinceHook: a resource that asks the model when a client joined
// reports the same waits, to admission and to reneging, as one that
// stores the day on its list.
func TestSinceHook(t *testing.T) {
	run := func(hook bool) (admitted, reneged []float64) {
		eng := sim.NewEngine()
		res := sim.NewResource(eng, "r", 1, sim.FIFO)
		joined := map[int32]sim.Time{}
		if hook {
			res.Since = func(id int32) sim.Time { return joined[id] }
		}
		res.Admit = func(_ int32, w sim.Time) { admitted = append(admitted, w) }
		res.Renege = func(_ int32, w sim.Time) { reneged = append(reneged, w) }
		ask := func(at sim.Time, id int32, patience float64) {
			eng.Call(at, func() { joined[id] = eng.Now(); res.Request(id, 0, patience) })
		}
		ask(0, 0, math.Inf(1))
		ask(1, 1, math.Inf(1))
		ask(2, 2, 1.5)
		ask(2.5, 3, math.Inf(1))
		eng.Call(5, res.Release)
		eng.Call(6, res.Release)
		if err := eng.Run(context.Background(), 10); err != nil {
			t.Fatal(err)
		}
		return admitted, reneged
	}
	a, r := run(false)
	ha, hr := run(true)
	if want := []float64{0, 4, 3.5}; !slices.Equal(a, want) || !slices.Equal(r, []float64{1.5}) {
		t.Errorf("stored: admitted after %v, reneged after %v; want %v and [1.5]", a, r, want)
	}
	if !slices.Equal(a, ha) || !slices.Equal(r, hr) {
		t.Errorf("with Since: admitted after %v, reneged after %v; want %v and %v", ha, hr, a, r)
	}
}

// ---------------------------------------------------------------------------
// Disciplines and ordering.

// recorder collects the clients a resource admits, in order.
type recorder struct {
	ids   []int32
	waits []float64
}

func (r *recorder) attach(res *sim.Resource) {
	res.Admit = func(id int32, waited sim.Time) {
		r.ids = append(r.ids, id)
		r.waits = append(r.waits, waited)
	}
}

func TestFIFOOrder(t *testing.T) {
	eng := sim.NewEngine()
	res := sim.NewResource(eng, "fifo", 1, sim.FIFO)
	var rec recorder
	rec.attach(res)
	rng := sim.NewStreams(1, 0).Rand("order")
	// Requests at increasing times; the priority argument must be ignored.
	const n = 200
	for i := range n {
		eng.Call(float64(i)*0.01, func() { res.Request(int32(i), rng.IntN(sim.MaxPriority), math.Inf(1)) })
	}
	// Release one place a day from day 10: by then everybody is waiting.
	rel := eng.Register(func(int32) { res.Release() })
	for i := range n {
		eng.Schedule(10+float64(i), rel, 0)
	}
	if err := eng.Run(context.Background(), math.Inf(1)); err != nil {
		t.Fatal(err)
	}
	if len(rec.ids) != n {
		t.Fatalf("admitted %d clients, want %d", len(rec.ids), n)
	}
	for i, id := range rec.ids {
		if id != int32(i) {
			t.Fatalf("admission %d was client %d, want %d (order %v)", i, id, i, rec.ids)
		}
	}
	// Client i waited from 0.01·i to 10 + (i−1).
	for i := 1; i < n; i++ {
		if want := 10 + float64(i-1) - float64(i)*0.01; math.Abs(rec.waits[i]-want) > 1e-9 {
			t.Errorf("client %d waited %v, want %v", i, rec.waits[i], want)
		}
	}
}

func TestPriorityOrder(t *testing.T) {
	eng := sim.NewEngine()
	res := sim.NewResource(eng, "prio", 1, sim.Priority)
	var rec recorder
	rec.attach(res)
	res.Request(999, 0, math.Inf(1)) // takes the place
	type client struct {
		id    int32
		level int
	}
	// Interleaved levels, several clients per level.
	var clients []client
	rng := sim.NewStreams(2, 0).Rand("levels")
	for i := range 100 {
		clients = append(clients, client{int32(i), rng.IntN(sim.MaxPriority)})
	}
	for _, c := range clients {
		if _, queued := res.Request(c.id, c.level, math.Inf(1)); !queued {
			t.Fatalf("client %d not queued", c.id)
		}
	}
	for range clients {
		res.Release()
	}
	want := slices.Clone(clients)
	sort.SliceStable(want, func(i, j int) bool { return want[i].level < want[j].level })
	got := rec.ids[1:]
	if len(got) != len(want) {
		t.Fatalf("admitted %d, want %d", len(got), len(want))
	}
	for i := range want {
		if got[i] != want[i].id {
			t.Fatalf("admission %d: client %d, want %d (level %d)", i, got[i], want[i].id, want[i].level)
		}
	}

	t.Run("out of range panics", func(t *testing.T) {
		for _, level := range []int{-1, sim.MaxPriority} {
			func() {
				defer func() {
					if recover() == nil {
						t.Errorf("Request at level %d did not panic", level)
					}
				}()
				res.Request(1, level, math.Inf(1))
			}()
		}
	})
}

func TestSameTimeOrder(t *testing.T) {
	eng := sim.NewEngine()
	var got []string
	var rec sim.Kind
	names := []string{}
	rec = eng.Register(func(arg int32) {
		name := names[arg]
		got = append(got, name)
		// A handler at t = 1 schedules more events at the current time: they
		// come after everything already scheduled for t = 1.
		if name == "b" {
			names = append(names, "b1", "b2")
			eng.Schedule(eng.Now(), rec, int32(len(names)-2))
			eng.After(0, rec, int32(len(names)-1))
		}
		if name == "b1" {
			names = append(names, "b1.1")
			eng.Schedule(eng.Now(), rec, int32(len(names)-1))
		}
	})
	at := func(when float64, name string) {
		names = append(names, name)
		eng.Schedule(when, rec, int32(len(names)-1))
	}
	at(2, "late")
	at(1, "a")
	at(1, "b")
	eng.Call(1, func() { got = append(got, "call") })
	at(1, "c")
	at(0.5, "early")
	// An event scheduled for t = 1 from t = 0.5 comes after those scheduled
	// for t = 1 at t = 0.
	eng.Call(0.5, func() { at(1, "from 0.5") })
	if err := eng.Run(context.Background(), math.Inf(1)); err != nil {
		t.Fatal(err)
	}
	want := []string{"early", "a", "b", "call", "c", "from 0.5", "b1", "b2", "b1.1", "late"}
	if !slices.Equal(got, want) {
		t.Errorf("order %q,\nwant  %q", got, want)
	}

	t.Run("many ties", func(t *testing.T) {
		// Many events at a few times, scheduled in random time order:
		// within a time they fire in insertion order.
		eng := sim.NewEngine()
		type fired struct {
			at  float64
			arg int32
		}
		var seen []fired
		k := eng.Register(func(arg int32) { seen = append(seen, fired{eng.Now(), arg}) })
		rng := sim.NewStreams(3, 0).Rand("ties")
		const n = 5000
		times := make([]float64, n)
		for i := range n {
			times[i] = float64(rng.IntN(7))
			eng.Schedule(times[i], k, int32(i))
		}
		if err := eng.Run(context.Background(), math.Inf(1)); err != nil {
			t.Fatal(err)
		}
		if len(seen) != n {
			t.Fatalf("fired %d, want %d", len(seen), n)
		}
		for i := 1; i < n; i++ {
			a, b := seen[i-1], seen[i]
			if a.at > b.at || (a.at == b.at && a.arg > b.arg) {
				t.Fatalf("event %d (t=%v) fired before %d (t=%v)", a.arg, a.at, b.arg, b.at)
			}
			if times[b.arg] != b.at {
				t.Fatalf("event %d fired at %v, scheduled for %v", b.arg, b.at, times[b.arg])
			}
		}
	})
}

// ---------------------------------------------------------------------------
// Capacity, withdrawal, reneging.

func TestCapacityChanges(t *testing.T) {
	eng := sim.NewEngine()
	res := sim.NewResource(eng, "beds", 3, sim.FIFO)
	type adm struct {
		id int32
		at float64
	}
	var got []adm
	res.Admit = func(id int32, waited sim.Time) { got = append(got, adm{id, eng.Now()}) }
	for id := range int32(6) { // 0-2 admitted, 3-5 wait
		res.Request(id, 0, math.Inf(1))
	}
	res.ScheduleCapacity(1, 1)
	check := func(when float64, busy, queue, capacity int) {
		eng.Call(when, func() {
			if res.Busy() != busy || res.QueueLen() != queue || res.Capacity() != capacity {
				t.Errorf("t=%v: busy %d, queue %d, capacity %d; want %d, %d, %d",
					when, res.Busy(), res.QueueLen(), res.Capacity(), busy, queue, capacity)
			}
		})
	}
	check(1, 3, 3, 1) // a cut evicts nobody
	eng.Call(2, res.Release)
	check(2, 2, 3, 1) // busy 2 ≥ 1: nobody admitted
	eng.Call(3, res.Release)
	check(3, 1, 3, 1) // busy 1 = capacity: still nobody
	eng.Call(4, res.Release)
	check(4, 1, 2, 1) // busy 0 < 1: client 3 admitted
	res.ScheduleCapacity(5, 4)
	check(5, 3, 0, 4) // an increase admits 4 and 5 at once
	res.ScheduleCapacity(6, 0)
	eng.Call(6, func() { res.Request(6, 0, math.Inf(1)) })
	check(6, 3, 1, 0)
	if err := eng.Run(context.Background(), 10); err != nil {
		t.Fatal(err)
	}
	want := []adm{{0, 0}, {1, 0}, {2, 0}, {3, 4}, {4, 5}, {5, 5}}
	if !slices.Equal(got, want) {
		t.Errorf("admissions %v, want %v", got, want)
	}
	// Busy: 3 on [0, 2), 2 on [2, 3), 1 on [3, 5), 3 on [5, 10).
	if got, want := res.Stats.Busy.Mean(10), (3*2+2*1+1*2+3*5)/10.0; math.Abs(got-want) > 1e-12 {
		t.Errorf("Busy.Mean = %v, want %v", got, want)
	}
}

func TestWithdraw(t *testing.T) {
	eng := sim.NewEngine()
	res := sim.NewResource(eng, "r", 1, sim.FIFO)
	var rec recorder
	rec.attach(res)
	var reneged []int32
	res.Renege = func(id int32, _ sim.Time) { reneged = append(reneged, id) }

	res.Request(0, 0, math.Inf(1)) // admitted
	tick := map[int32]sim.Ticket{}
	for id := int32(1); id <= 4; id++ {
		tk, queued := res.Request(id, 0, 5) // patience 5 days
		if !queued {
			t.Fatalf("client %d not queued", id)
		}
		tick[id] = tk
	}
	eng.Call(1, func() {
		if !res.Withdraw(tick[2]) {
			t.Error("Withdraw of a waiting client reported false")
		}
		if res.Withdraw(tick[2]) {
			t.Error("second Withdraw of the same ticket reported true")
		}
		if res.QueueLen() != 3 {
			t.Errorf("QueueLen %d after withdrawal, want 3", res.QueueLen())
		}
	})
	eng.Call(2, res.Release) // admits 1
	eng.Call(3, func() {
		if res.Withdraw(tick[1]) {
			t.Error("Withdraw of an admitted client reported true")
		}
		res.Release() // admits 3, skipping withdrawn 2
	})
	// New clients join after the stale renege events of 1, 2 and 3 are
	// scheduled: those events (at t = 5) must not touch them.
	eng.Call(4, func() {
		for id := int32(5); id <= 40; id++ { // enough to wrap and grow the ring
			res.Request(id, 0, math.Inf(1))
		}
	})
	if err := eng.Run(context.Background(), 100); err != nil {
		t.Fatal(err)
	}
	if want := []int32{0, 1, 3}; !slices.Equal(rec.ids, want) {
		t.Errorf("admitted %v, want %v", rec.ids, want)
	}
	// Only 4 gives up (at t = 5); the renege events of 1, 2 and 3 are no-ops.
	if want := []int32{4}; !slices.Equal(reneged, want) {
		t.Errorf("reneged %v, want %v", reneged, want)
	}
	s := res.Stats
	if s.Withdrawn != 1 || s.Reneged != 1 || s.Admitted != 3 || s.Requests != 41 || res.QueueLen() != 36 {
		t.Errorf("Withdrawn %d, Reneged %d, Admitted %d, Requests %d, QueueLen %d; want 1, 1, 3, 41, 36",
			s.Withdrawn, s.Reneged, s.Admitted, s.Requests, res.QueueLen())
	}
	// The remaining clients come out in order.
	rec.ids = nil
	for range 36 {
		res.Release()
		if len(rec.ids) > 0 && rec.ids[len(rec.ids)-1] == 40 {
			break
		}
	}
	for i, id := range rec.ids {
		if id != int32(5+i) {
			t.Fatalf("after stale reneges, admitted %v, want 5, 6, …", rec.ids)
		}
	}
}

func TestWithdrawManyRandom(t *testing.T) {
	// Random requests, withdrawals and releases against a plain slice model.
	eng := sim.NewEngine()
	res := sim.NewResource(eng, "r", 2, sim.FIFO)
	var rec recorder
	rec.attach(res)
	rng := sim.NewStreams(4, 0).Rand("ops")
	type entry struct {
		id int32
		tk sim.Ticket
	}
	var model []entry // waiting, in order
	busy := 0
	var next int32
	for step := range 20000 {
		switch op := rng.IntN(3); {
		case op == 0:
			id := next
			next++
			n := len(rec.ids)
			tk, queued := res.Request(id, 0, math.Inf(1))
			if queued {
				model = append(model, entry{id, tk})
			} else {
				busy++
				if len(rec.ids) != n+1 || rec.ids[n] != id {
					t.Fatalf("step %d: client %d not admitted at once", step, id)
				}
			}
		case op == 1 && len(model) > 0:
			i := rng.IntN(len(model))
			if !res.Withdraw(model[i].tk) {
				t.Fatalf("step %d: Withdraw of waiting client %d failed", step, model[i].id)
			}
			model = slices.Delete(model, i, i+1)
		case op == 2 && busy > 0:
			n := len(rec.ids)
			res.Release()
			busy--
			if len(model) > 0 {
				if len(rec.ids) != n+1 || rec.ids[n] != model[0].id {
					t.Fatalf("step %d: release admitted %v, want %d", step, rec.ids[n:], model[0].id)
				}
				model = model[1:]
				busy++
			}
		}
		if res.QueueLen() != len(model) || res.Busy() != busy {
			t.Fatalf("step %d: QueueLen %d, Busy %d; want %d, %d", step, res.QueueLen(), res.Busy(), len(model), busy)
		}
	}
}

// ---------------------------------------------------------------------------
// Statistics.

func TestTally(t *testing.T) {
	rng := sim.NewStreams(5, 0).Rand("tally")
	const n = 100000
	xs := make([]float64, n)
	var tl sim.Tally
	for i := range xs {
		xs[i] = 3 * rng.ExpFloat64() // mean 3 days
		tl.Add(xs[i])
	}

	t.Run("mean and variance", func(t *testing.T) {
		var sum float64
		for _, x := range xs {
			sum += x
		}
		mean := sum / n
		var ss float64
		for _, x := range xs {
			ss += (x - mean) * (x - mean)
		}
		variance := ss / (n - 1)
		if tl.N() != n || math.Abs(tl.Mean()-mean) > 1e-12*mean || math.Abs(tl.Var()-variance) > 1e-9*variance {
			t.Errorf("N %d, Mean %v, Var %v; want %d, %v, %v", tl.N(), tl.Mean(), tl.Var(), n, mean, variance)
		}
		if tl.Min() != slices.Min(xs) || tl.Max() != slices.Max(xs) {
			t.Errorf("Min %v, Max %v; want %v, %v", tl.Min(), tl.Max(), slices.Min(xs), slices.Max(xs))
		}
	})

	t.Run("quantiles", func(t *testing.T) {
		sorted := slices.Sorted(slices.Values(xs))
		for _, p := range []float64{0.001, 0.01, 0.1, 0.25, 0.5, 0.75, 0.9, 0.95, 0.99, 0.999, 0.99999} {
			// Exact: the smallest observation with at least a share p at or
			// below it, the ⌈p·n⌉-th in order.
			exact := sorted[int(math.Ceil(p*n))-1]
			got := tl.Quantile(p)
			if rel := math.Abs(got-exact) / exact; rel > sim.HistogramRelErr {
				t.Errorf("Quantile(%v) = %v, exact %v: relative error %.4f > %v", p, got, exact, rel, sim.HistogramRelErr)
			}
		}
		if tl.Quantile(0) != tl.Min() || tl.Quantile(1) != tl.Max() {
			t.Errorf("Quantile(0), Quantile(1) = %v, %v; want Min %v, Max %v", tl.Quantile(0), tl.Quantile(1), tl.Min(), tl.Max())
		}
	})

	t.Run("quantiles of small samples", func(t *testing.T) {
		// 1, 2, …, 100: the p-quantile is the ⌈100·p⌉-th value.
		var u sim.Tally
		for i := 1; i <= 100; i++ {
			u.Add(float64(i))
		}
		for _, k := range []int{1, 5, 10, 25, 50, 75, 90, 99} {
			p := float64(k) / 100
			exact := float64(int(math.Ceil(p * 100)))
			if got := u.Quantile(p); math.Abs(got-exact) > sim.HistogramRelErr*exact {
				t.Errorf("Quantile(%v) of 1..100 = %v, want %v", p, got, exact)
			}
		}
	})

	t.Run("merge", func(t *testing.T) {
		var parts [3]sim.Tally
		for i, x := range xs {
			parts[i%7%3].Add(x)
		}
		var merged sim.Tally
		merged.Merge(&sim.Tally{}) // merging nothing changes nothing
		for i := range parts {
			merged.Merge(&parts[i])
		}
		if merged.N() != tl.N() || merged.Min() != tl.Min() || merged.Max() != tl.Max() {
			t.Errorf("merged N, Min, Max = %d, %v, %v; want %d, %v, %v", merged.N(), merged.Min(), merged.Max(), tl.N(), tl.Min(), tl.Max())
		}
		if math.Abs(merged.Mean()-tl.Mean()) > 1e-12*tl.Mean() || math.Abs(merged.Var()-tl.Var()) > 1e-9*tl.Var() {
			t.Errorf("merged Mean, Var = %v, %v; want %v, %v", merged.Mean(), merged.Var(), tl.Mean(), tl.Var())
		}
		for _, p := range []float64{0.01, 0.5, 0.9, 0.99} {
			if merged.Quantile(p) != tl.Quantile(p) {
				t.Errorf("merged Quantile(%v) = %v, want %v", p, merged.Quantile(p), tl.Quantile(p))
			}
		}
	})

	t.Run("empty and reset", func(t *testing.T) {
		var e sim.Tally
		for name, v := range map[string]float64{"Mean": e.Mean(), "Var": e.Var(), "Min": e.Min(), "Max": e.Max(), "Quantile": e.Quantile(0.5)} {
			if !math.IsNaN(v) {
				t.Errorf("empty Tally: %s = %v, want NaN", name, v)
			}
		}
		var c sim.Tally
		c.Merge(&tl)
		c.Reset()
		if c.N() != 0 || !math.IsNaN(c.Mean()) {
			t.Errorf("after Reset: N %d, Mean %v", c.N(), c.Mean())
		}
		c.Add(2)
		c.Add(4)
		if c.Mean() != 3 || c.Var() != 2 || c.Min() != 2 || c.Max() != 4 || math.Abs(c.Quantile(0.5)-2) > 2*sim.HistogramRelErr {
			t.Errorf("after Reset and Add(2), Add(4): Mean %v, Var %v, Min %v, Max %v, median %v",
				c.Mean(), c.Var(), c.Min(), c.Max(), c.Quantile(0.5))
		}
	})
}

func TestTimeWeighted(t *testing.T) {
	// Path: 0 on [0, 1), 2 on [1, 4), 5 on [4, 5), 1 on [5, 10).
	// Area = 0 + 6 + 5 + 5 = 16 over 10 days: mean 1.6, max 5.
	var w sim.TimeWeighted
	w.Set(1, 2)
	if got := w.Mean(3); math.Abs(got-4.0/3) > 1e-12 { // 2 on [1, 3)
		t.Errorf("Mean(3) = %v, want 4/3", got)
	}
	w.Add(4, 3)
	if got := w.Mean(4.5); math.Abs(got-(6+0.5*5)/4.5) > 1e-12 {
		t.Errorf("Mean(4.5) = %v, want %v", got, (6+0.5*5)/4.5)
	}
	w.Set(5, 1)
	if got := w.Mean(10); math.Abs(got-1.6) > 1e-12 {
		t.Errorf("Mean(10) = %v, want 1.6", got)
	}
	if got := w.Integral(10); math.Abs(got-16) > 1e-12 {
		t.Errorf("Integral(10) = %v, want 16", got)
	}
	if w.Max() != 5 || w.Value() != 1 {
		t.Errorf("Max %v, Value %v; want 5, 1", w.Max(), w.Value())
	}
	// Reset at 6 keeps the value 1: from 6, 1 on [6, 8), 3 on [8, 10).
	w.Reset(6)
	if got := w.Mean(6); got != 1 {
		t.Errorf("Mean at the reset time = %v, want the value 1", got)
	}
	w.Set(8, 3)
	if got := w.Mean(10); math.Abs(got-2) > 1e-12 {
		t.Errorf("Mean(10) after Reset(6) = %v, want 2", got)
	}
	if got := w.Integral(10); math.Abs(got-8) > 1e-12 {
		t.Errorf("Integral(10) after Reset(6) = %v, want 8", got)
	}
	if w.Max() != 3 {
		t.Errorf("Max after Reset = %v, want 3", w.Max())
	}
}

func TestResourceReset(t *testing.T) {
	// Statistics gathered before Reset are discarded; state is kept.
	eng := sim.NewEngine()
	res := sim.NewResource(eng, "r", 1, sim.FIFO)
	res.Request(0, 0, math.Inf(1))
	res.Request(1, 0, math.Inf(1))
	eng.Call(2, res.Reset)
	eng.Call(3, res.Release) // 1 admitted after 3 days
	if err := eng.Run(context.Background(), 4); err != nil {
		t.Fatal(err)
	}
	s := res.Stats
	if s.Requests != 0 || s.Admitted != 1 || s.Released != 1 || s.Wait.N() != 1 || s.Wait.Mean() != 3 {
		t.Errorf("Requests %d, Admitted %d, Released %d, Wait N %d mean %v; want 0, 1, 1, 1, 3",
			s.Requests, s.Admitted, s.Released, s.Wait.N(), s.Wait.Mean())
	}
	// Queue: 1 on [2, 3), 0 on [3, 4). Busy: 1 throughout.
	if q, b := s.Queue.Mean(4), s.Busy.Mean(4); q != 0.5 || b != 1 {
		t.Errorf("Queue.Mean %v, Busy.Mean %v; want 0.5, 1", q, b)
	}
}

// ---------------------------------------------------------------------------
// Engine.

func TestEngineRun(t *testing.T) {
	t.Run("until", func(t *testing.T) {
		eng := sim.NewEngine()
		var fired []float64
		k := eng.Register(func(int32) { fired = append(fired, eng.Now()) })
		for _, at := range []float64{1, 2, 3, 3.5, 4} {
			eng.Schedule(at, k, 0)
		}
		if err := eng.Run(context.Background(), 3.5); err != nil {
			t.Fatal(err)
		}
		if eng.Now() != 3.5 || !slices.Equal(fired, []float64{1, 2, 3, 3.5}) || eng.Pending() != 1 {
			t.Errorf("Now %v, fired %v, pending %d; want 3.5, [1 2 3 3.5], 1", eng.Now(), fired, eng.Pending())
		}
		// Running to a time with no event moves the clock there.
		if err := eng.Run(context.Background(), 3.75); err != nil || eng.Now() != 3.75 {
			t.Errorf("Run(3.75): err %v, Now %v", err, eng.Now())
		}
		// Running to before now is an error.
		if err := eng.Run(context.Background(), 1); err == nil {
			t.Error("Run to before now returned nil")
		}
		// Run to +Inf empties the calendar and leaves the clock at the last event.
		if err := eng.Run(context.Background(), math.Inf(1)); err != nil || eng.Now() != 4 || eng.Pending() != 0 {
			t.Errorf("Run(+Inf): err %v, Now %v, pending %d; want nil, 4, 0", err, eng.Now(), eng.Pending())
		}
		if eng.Dispatched() != 5 {
			t.Errorf("Dispatched %d, want 5", eng.Dispatched())
		}
	})

	t.Run("cancelled before", func(t *testing.T) {
		eng := sim.NewEngine()
		k := eng.Register(func(int32) {})
		eng.Schedule(1, k, 0)
		ctx, cancel := context.WithCancel(context.Background())
		cancel()
		if err := eng.Run(ctx, 10); !errors.Is(err, context.Canceled) {
			t.Errorf("Run with a cancelled context: %v, want context.Canceled", err)
		}
		if eng.Dispatched() != 0 {
			t.Errorf("Dispatched %d events with a cancelled context", eng.Dispatched())
		}
	})

	t.Run("cancelled during", func(t *testing.T) {
		// A self-perpetuating model that cancels its own context at t = 100.
		eng := sim.NewEngine()
		ctx, cancel := context.WithCancel(context.Background())
		defer cancel()
		var tick sim.Kind
		tick = eng.Register(func(int32) {
			if eng.Now() == 100 {
				cancel()
			}
			eng.After(1, tick, 0)
		})
		eng.Schedule(0, tick, 0)
		err := eng.Run(ctx, math.Inf(1))
		if !errors.Is(err, context.Canceled) {
			t.Fatalf("Run: %v, want context.Canceled", err)
		}
		if eng.Now() < 100 || eng.Now() > 100+1<<13 {
			t.Errorf("stopped at %v, want soon after 100", eng.Now())
		}
	})

	t.Run("stop", func(t *testing.T) {
		eng := sim.NewEngine()
		var tick sim.Kind
		tick = eng.Register(func(int32) {
			if eng.Now() == 5 {
				eng.Stop()
			}
			eng.After(1, tick, 0)
		})
		eng.Schedule(0, tick, 0)
		if err := eng.Run(context.Background(), 100); err != nil || eng.Now() != 5 {
			t.Errorf("Stop: err %v, Now %v; want nil, 5", err, eng.Now())
		}
		// Run again continues.
		if err := eng.Run(context.Background(), 8); err != nil || eng.Now() != 8 || eng.Dispatched() != 9 {
			t.Errorf("Run after Stop: err %v, Now %v, Dispatched %d; want nil, 8, 9", err, eng.Now(), eng.Dispatched())
		}
	})

	t.Run("step", func(t *testing.T) {
		eng := sim.NewEngine()
		n := 0
		k := eng.Register(func(int32) { n++ })
		eng.Schedule(2, k, 0)
		if !eng.Step() || eng.Now() != 2 || n != 1 || eng.Step() {
			t.Errorf("Step: Now %v, handled %d", eng.Now(), n)
		}
	})

	t.Run("misuse panics", func(t *testing.T) {
		eng := sim.NewEngine()
		k := eng.Register(func(int32) {})
		eng.Schedule(5, k, 0)
		eng.Step()
		for name, f := range map[string]func(){
			"schedule in the past": func() { eng.Schedule(4.999, k, 0) },
			"schedule at NaN":      func() { eng.Schedule(math.NaN(), k, 0) },
			"negative delay":       func() { eng.After(-1, k, 0) },
			"call in the past":     func() { eng.Call(1, func() {}) },
			"unregistered kind":    func() { eng.Schedule(6, k+100, 0) },
			"nil handler":          func() { eng.Register(nil) },
		} {
			t.Run(name, func(t *testing.T) {
				defer func() {
					if recover() == nil {
						t.Errorf("%s did not panic", name)
					}
				}()
				f()
			})
		}
		// Scheduling at the current time is allowed.
		eng.Schedule(eng.Now(), k, 0)
	})
}

func TestReleaseWithNothingInUsePanics(t *testing.T) {
	res := sim.NewResource(sim.NewEngine(), "r", 1, sim.FIFO)
	defer func() {
		if r := recover(); r == nil {
			t.Error("Release with nothing in use did not panic")
		} else if s := fmt.Sprint(r); s == "" {
			t.Error("empty panic message")
		}
	}()
	res.Release()
}

// ---------------------------------------------------------------------------
// Regression tests for bugs found in the engine: +Inf in a tally, the zero
// ticket, statistics of a resource made after time zero.

func TestTallyAddInfinity(t *testing.T) {
	var tl sim.Tally
	tl.Add(1)
	tl.Add(math.Inf(1))
	if tl.N() != 2 || !math.IsInf(tl.Max(), 1) || math.Abs(tl.Quantile(0.5)-1) > sim.HistogramRelErr {
		t.Errorf("N %d, Max %v, median %v; want 2, +Inf, 1", tl.N(), tl.Max(), tl.Quantile(0.5))
	}
}

func TestWithdrawTicketOfImmediateAdmission(t *testing.T) {
	eng := sim.NewEngine()
	res := sim.NewResource(eng, "r", 1, sim.FIFO)
	tA, queuedA := res.Request(0, 0, math.Inf(1)) // admitted at once
	if _, queuedB := res.Request(1, 0, math.Inf(1)); queuedA || !queuedB {
		t.Fatalf("queued %v, %v; want false, true", queuedA, queuedB)
	}
	if res.Withdraw(tA) || res.QueueLen() != 1 {
		t.Errorf("Withdraw of the ticket of a client admitted at once removed a waiting client (QueueLen %d)", res.QueueLen())
	}
}

func TestStatsOfResourceCreatedLate(t *testing.T) {
	eng := sim.NewEngine()
	var res *sim.Resource
	eng.Call(10, func() {
		res = sim.NewResource(eng, "r", 1, sim.FIFO)
		res.Request(0, 0, math.Inf(1))
	})
	if err := eng.Run(context.Background(), 20); err != nil {
		t.Fatal(err)
	}
	if got := res.Stats.Busy.Mean(20); got != 1 {
		t.Errorf("Busy.Mean = %v over the resource's life [10, 20] with one place always in use, want 1", got)
	}
}

func TestTallyCDF(t *testing.T) {
	var tl sim.Tally
	if !math.IsNaN(tl.CDF(1)) {
		t.Error("CDF of no observations should be NaN")
	}
	for i := 1; i <= 1000; i++ {
		tl.Add(float64(i))
	}
	for _, c := range []struct{ x, want float64 }{{0.5, 0}, {1000, 1}, {2000, 1}, {100, 0.1}, {500, 0.5}, {900, 0.9}} {
		// One bin holds values within 1% of x: here up to 0.01·x/1000 of them.
		if got := tl.CDF(c.x); math.Abs(got-c.want) > 0.01*c.x/1000+1e-9 {
			t.Errorf("CDF(%v) = %v, want %v", c.x, got, c.want)
		}
	}
}

// TestLookahead checks that a lookahead hook changes nothing the engine
// does, and that it is shown the event that comes next.
func TestLookahead(t *testing.T) {
	run := func(hook bool) (order []int32, shown int) {
		r := rand.New(rand.NewPCG(7, 8))
		e := sim.NewEngine()
		var k sim.Kind
		// The hook is called before an event is handled with guesses at the
		// one after it.
		var guesses, forThis []int32
		k = e.Register(func(arg int32) {
			order = append(order, arg)
			if slices.Contains(forThis, arg) {
				shown++
			}
			forThis, guesses = append(forThis[:0], guesses...), guesses[:0]
			e.After(r.ExpFloat64()*50, k, arg)
		})
		if hook {
			e.Lookahead(func(kind sim.Kind, arg int32) {
				if kind != k {
					t.Fatalf("lookahead kind %d, want %d", kind, k)
				}
				guesses = append(guesses, arg)
			})
		}
		for i := range 5000 {
			e.Schedule(r.ExpFloat64()*50, k, int32(i))
		}
		if err := e.Run(context.Background(), 2000); err != nil {
			t.Fatal(err)
		}
		return order, shown
	}
	plain, _ := run(false)
	hooked, shown := run(true)
	if !slices.Equal(plain, hooked) {
		t.Fatal("a lookahead hook changed the order of events")
	}
	if f := float64(shown) / float64(len(hooked)); f < 0.4 {
		t.Errorf("the event handled had been shown ahead %.2f of the time, want at least 0.4", f)
	}
}
