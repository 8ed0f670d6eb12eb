package sim

import (
	"math"
	"math/rand/v2"
	"testing"
)

// The hot path (schedule, pop, dispatch, request, release) must not allocate
// per event. The benchmarks measure it; TestHotPathAllocs fails CI if an
// allocation creeps in.

const queued = 1000 // events on the calendar, as in style.md §8

// gaps returns a ring of exponential gaps (mean 1) so that the benchmarks
// time the calendar, not the random number generator.
func gaps() []float64 {
	r := rand.New(rand.NewPCG(1, 2))
	g := make([]float64, 1024)
	for i := range g {
		g[i] = r.ExpFloat64()
	}
	return g
}

// calendarHold is the classic hold model: a calendar of queued events; each
// step pops the earliest and pushes one later.
type calendarHold struct {
	cal  calendar
	gaps []float64
	i    int
}

func newCalendarHold() *calendarHold {
	h := &calendarHold{gaps: gaps()}
	for range queued {
		h.step0(0)
	}
	return h
}

func (h *calendarHold) step0(now Time) {
	h.cal.push(event{key: timeKey(now + h.gaps[h.i&1023]), kind: 1, arg: int32(h.i)})
	h.i++
}

func (h *calendarHold) step() {
	e := h.cal.pop()
	h.step0(e.at())
}

func BenchmarkCalendarPushPop(b *testing.B) {
	h := newCalendarHold()
	b.ReportAllocs()
	for b.Loop() {
		h.step()
	}
	if h.cal.len() != queued {
		b.Fatalf("calendar holds %d events, want %d", h.cal.len(), queued)
	}
}

// engineHold is the hold model through the Engine: Schedule, then Step
// dispatches the earliest event to a registered handler.
type engineHold struct {
	eng  *Engine
	kind Kind
	gaps []float64
	i    int
}

func newEngineHold() *engineHold {
	h := &engineHold{eng: NewEngine(), gaps: gaps()}
	h.kind = h.eng.Register(func(int32) {})
	for range queued {
		h.schedule()
	}
	return h
}

func (h *engineHold) schedule() {
	h.eng.After(h.gaps[h.i&1023], h.kind, int32(h.i))
	h.i++
}

func (h *engineHold) step() {
	h.schedule()
	h.eng.Step()
}

func BenchmarkEngineScheduleStep(b *testing.B) {
	h := newEngineHold()
	b.ReportAllocs()
	for b.Loop() {
		h.step()
	}
}

// fullResource is a resource whose only place is taken, so that a request
// queues and the following release admits it: the steady state of a busy
// service.
type fullResource struct {
	eng      *Engine
	r        *Resource
	patience Time
	admitted int
}

func newFullResource(d Discipline, patience Time) *fullResource {
	f := &fullResource{eng: NewEngine(), patience: patience}
	f.r = NewResource(f.eng, "r", 1, d)
	f.r.Admit = func(int32, Time) { f.admitted++ }
	f.r.Renege = func(int32, Time) { panic("renege in steady state") }
	f.r.Request(0, 0, math.Inf(1))
	for range 100 { // warm: grow the lists and tallies once
		f.step()
	}
	return f
}

// step requests a place for a client, who queues, then releases one, which
// admits the client. With finite patience the client's renege event is
// stale by then; Step advances the clock to it and discards it.
func (f *fullResource) step() {
	f.r.Request(1, 3, f.patience)
	f.r.Release()
	if f.patience < math.Inf(1) {
		f.eng.Step()
	}
}

func BenchmarkResourceRequestRelease(b *testing.B) {
	for _, bc := range []struct {
		name     string
		d        Discipline
		patience Time
	}{
		{"FIFO", FIFO, math.Inf(1)},
		{"Priority", Priority, math.Inf(1)},
		{"FIFO/patience", FIFO, 1},
	} {
		b.Run(bc.name, func(b *testing.B) {
			f := newFullResource(bc.d, bc.patience)
			b.ReportAllocs()
			for b.Loop() {
				f.step()
			}
			if f.r.QueueLen() != 0 || f.r.Busy() != 1 {
				b.Fatalf("queue %d, busy %d; want 0, 1", f.r.QueueLen(), f.r.Busy())
			}
		})
	}
}

func TestHotPathAllocs(t *testing.T) {
	cal := newCalendarHold()
	eng := newEngineHold()
	call := NewEngine()
	noop := func() {}
	var tally Tally
	tally.Add(1)
	var tw TimeWeighted
	now := 0.0
	tests := []struct {
		name string
		f    func()
	}{
		{"calendar push+pop", cal.step},
		{"engine schedule+step", eng.step},
		{"engine call+step", func() { call.Call(call.Now()+1, noop); call.Step() }},
		{"resource FIFO request+release", newFullResource(FIFO, math.Inf(1)).step},
		{"resource Priority request+release", newFullResource(Priority, math.Inf(1)).step},
		{"resource request with patience+release+stale renege", newFullResource(FIFO, 1).step},
		{"tally add", func() { tally.Add(2.5) }},
		{"time-weighted set", func() { now++; tw.Set(now, now) }},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			tt.f() // warm up: first growth is allowed
			if n := testing.AllocsPerRun(1000, tt.f); n != 0 {
				t.Errorf("%s: %v allocs per run, want 0", tt.name, n)
			}
		})
	}
}

// BenchmarkCalendarEngland is the hold model at an England-sized calendar:
// 400,000 events, about a year apart on average, at day 20,000 of a run,
// so the keys share their exponent as a national run's do.
func BenchmarkCalendarEngland(b *testing.B) {
	h := &calendarHold{gaps: gaps()}
	step := func(now Time) {
		h.cal.push(event{key: timeKey(now + 365*h.gaps[h.i&1023]), kind: 1, arg: int32(h.i)})
		h.i++
	}
	for range 400000 {
		step(20000)
	}
	for range 4000000 { // until the buckets have grown to hold what they will
		e := h.cal.pop()
		step(e.at())
	}
	b.ReportAllocs()
	for b.Loop() {
		e := h.cal.pop()
		step(e.at())
	}
}
