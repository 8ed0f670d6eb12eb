package sim

import (
	"cmp"
	"math"
	"math/rand/v2"
	"slices"
	"testing"
)

// TestCalendarOrder pushes events as a simulation does (never before the
// last one taken out; many at equal times, some at the same time as now, some
// at +Inf) and checks that they leave in (time, push order), the order a
// sort of everything pushed gives.
func TestCalendarOrder(t *testing.T) {
	type rec struct {
		at  Time
		seq int32
	}
	for _, tc := range []struct {
		name string
		gap  func(r *rand.Rand) Time
	}{
		{"exponential", func(r *rand.Rand) Time { return r.ExpFloat64() * 10 }},
		{"ties", func(r *rand.Rand) Time { return float64(r.IntN(4)) }},
		{"scales", func(r *rand.Rand) Time { return r.ExpFloat64() * math.Pow(10, float64(r.IntN(12)-6)) }},
		{"now and never", func(r *rand.Rand) Time {
			switch r.IntN(10) {
			case 0:
				return 0
			case 1:
				return math.Inf(1)
			}
			return r.Float64()
		}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			r := rand.New(rand.NewPCG(3, 4))
			var c calendar
			var pushed, popped []rec
			now, seq := Time(0), int32(0)
			push := func() {
				at := now + tc.gap(r)
				c.push(event{key: timeKey(at), arg: seq})
				pushed = append(pushed, rec{at, seq})
				seq++
			}
			for range 20000 {
				push()
				if r.IntN(3) == 0 {
					push()
				}
				if r.IntN(2) == 0 {
					e := c.pop()
					now = e.at()
					popped = append(popped, rec{now, e.arg})
				}
			}
			for c.len() > 0 {
				e := c.pop()
				popped = append(popped, rec{e.at(), e.arg})
			}
			// Nothing is pushed before the last event taken out, so what
			// leaves is everything pushed, sorted by time, ties in push order.
			want := slices.Clone(pushed)
			slices.SortStableFunc(want, func(a, b rec) int { return cmp.Compare(a.at, b.at) })
			if !slices.Equal(popped, want) {
				for i := range min(len(popped), len(want)) {
					if popped[i] != want[i] {
						t.Fatalf("event %d: took out %v, want %v", i, popped[i], want[i])
					}
				}
				t.Fatalf("took out %d events, pushed %d", len(popped), len(want))
			}
		})
	}
}

// TestCalendarPopUntil checks that an event later than until stays, and that
// events can still be pushed between the last one taken out and it.
func TestCalendarPopUntil(t *testing.T) {
	var c calendar
	c.push(event{key: timeKey(5), arg: 1})
	c.push(event{key: timeKey(9), arg: 2})
	if e, ok := c.popUntil(timeKey(6)); !ok || e.arg != 1 {
		t.Fatalf("popUntil(6) = %v, %v; want event 1", e, ok)
	}
	if _, ok := c.popUntil(timeKey(7)); ok {
		t.Fatal("popUntil(7) took out the event at 9")
	}
	c.push(event{key: timeKey(7.5), arg: 3})
	for _, want := range []int32{3, 2} {
		if e := c.pop(); e.arg != want {
			t.Fatalf("pop = %d, want %d", e.arg, want)
		}
	}
	if c.len() != 0 {
		t.Fatalf("len = %d, want 0", c.len())
	}
}

// TestCalendarPeek checks that peek's guess is the event taken out next
// when nothing is pushed in between, and that it guesses often enough to be
// worth asking, with a calendar the size of England's.
func TestCalendarPeek(t *testing.T) {
	r := rand.New(rand.NewPCG(5, 6))
	var c calendar
	now := Time(0)
	for i := range 100000 {
		c.push(event{key: timeKey(r.ExpFloat64() * 1000), arg: int32(i)})
	}
	guessed, steps := 0, 200000
	for range steps {
		guess, ok := c.peek()
		e := c.pop()
		if ok {
			if guess != e {
				t.Fatalf("peek = %v; the next event was %v", guess, e)
			}
			guessed++
		}
		now = e.at()
		c.push(event{key: timeKey(now + r.ExpFloat64()*1000), arg: e.arg})
	}
	if f := float64(guessed) / float64(steps); f < 0.9 {
		t.Errorf("peek guessed before %.2f of pops, want at least 0.9", f)
	}
}
