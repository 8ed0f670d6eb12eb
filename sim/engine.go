package sim

import (
	"context"
	"fmt"
	"math"
)

// Time is simulated time in days.
type Time = float64

// Kind identifies a registered event handler. Events carry a Kind and one
// int32 argument (typically an entity index) instead of a closure, so that
// scheduling and dispatch allocate nothing.
type Kind uint32

// Handler handles an event of one Kind. It receives the event's argument.
type Handler func(arg int32)

// callKind is reserved for events scheduled with Call.
const callKind Kind = 0

// Engine is a discrete-event simulation engine: a clock and an event calendar
// ordered by (time, insertion sequence), so events at the same time fire in
// the order they were scheduled. An Engine is not safe for concurrent use;
// parallel replications each own one.
type Engine struct {
	now      Time
	cal      calendar
	handlers []Handler
	dispatch uint64

	funcs     []func()
	freeFuncs []int32
	stopped   bool
	ahead     func(k Kind, arg int32)
}

// NewEngine returns an engine at time zero with an empty calendar.
func NewEngine() *Engine {
	e := &Engine{}
	e.handlers = append(e.handlers, e.runCall)
	return e
}

// Register adds a handler and returns the Kind that schedules it.
// Register handlers once, before the run: they are kept for the engine's life.
func (e *Engine) Register(h Handler) Kind {
	if h == nil {
		panic("sim: nil handler")
	}
	e.handlers = append(e.handlers, h)
	return Kind(len(e.handlers) - 1)
}

// Lookahead sets f to be called, before each event is handled, with the
// event likely to come next, so that a model whose entities no longer fit the
// caches can start loading the next one's state while it handles this one.
// f must change nothing the simulation reads; nil turns it off.
func (e *Engine) Lookahead(f func(k Kind, arg int32)) { e.ahead = f }

// Now returns the current simulated time in days.
func (e *Engine) Now() Time { return e.now }

// Pending returns the number of events in the calendar.
func (e *Engine) Pending() int { return e.cal.len() }

// Dispatched returns the number of events handled so far.
func (e *Engine) Dispatched() uint64 { return e.dispatch }

// Schedule puts an event of kind k with argument arg on the calendar at time at.
// Scheduling in the past or at a time that is not a number is a programming
// error and panics.
func (e *Engine) Schedule(at Time, k Kind, arg int32) {
	if !(at >= e.now) { // also catches NaN
		panic(fmt.Sprintf("sim: schedule at %v before now %v", at, e.now))
	}
	if int(k) >= len(e.handlers) {
		panic("sim: unregistered event kind")
	}
	e.cal.push(event{key: timeKey(at), kind: k, arg: arg})
}

// After schedules an event of kind k with argument arg d days from now.
func (e *Engine) After(d Time, k Kind, arg int32) { e.Schedule(e.now+d, k, arg) }

// Call schedules fn to run at time at. It is a convenience for rare events
// (a capacity change, the end of warm-up): each call keeps fn until it runs.
func (e *Engine) Call(at Time, fn func()) {
	var slot int32
	if n := len(e.freeFuncs); n > 0 {
		slot = e.freeFuncs[n-1]
		e.freeFuncs = e.freeFuncs[:n-1]
		e.funcs[slot] = fn
	} else {
		slot = int32(len(e.funcs))
		e.funcs = append(e.funcs, fn)
	}
	e.Schedule(at, callKind, slot)
}

func (e *Engine) runCall(slot int32) {
	fn := e.funcs[slot]
	e.funcs[slot] = nil
	e.freeFuncs = append(e.freeFuncs, slot)
	fn()
}

// Step fires the next event, advancing the clock to its time. It reports
// false if the calendar is empty.
func (e *Engine) Step() bool {
	if e.cal.len() == 0 {
		return false
	}
	ev := e.cal.pop()
	e.now = ev.at()
	e.dispatch++
	e.handlers[ev.kind](ev.arg)
	return true
}

// Stop makes Run return after the event being handled.
func (e *Engine) Stop() { e.stopped = true }

// checkEvery is how many events Run handles between looks at its context.
const checkEvery = 1 << 12

// Run fires events in order until the next one is later than until, then
// sets the clock to until. It returns ctx.Err() if ctx is cancelled first;
// the engine is then left at the time of the last event handled.
// Use math.Inf(1) to run until the calendar is empty.
func (e *Engine) Run(ctx context.Context, until Time) error {
	if math.IsNaN(until) || until < e.now {
		return fmt.Errorf("sim: run until %v, before now %v", until, e.now)
	}
	if err := ctx.Err(); err != nil {
		return err
	}
	e.stopped = false
	done := ctx.Done()
	end := uint64(math.MaxUint64) // +Inf: until the calendar is empty
	if !math.IsInf(until, 1) {
		end = timeKey(until)
	}
	for n := 0; ; n++ {
		if n&(checkEvery-1) == 0 && done != nil {
			select {
			case <-done:
				return ctx.Err()
			default:
			}
		}
		ev, ok := e.cal.popUntil(end)
		if !ok {
			break
		}
		e.now = ev.at()
		e.dispatch++
		if e.ahead != nil {
			if nx, ok := e.cal.peek(); ok {
				e.ahead(nx.kind, nx.arg)
			}
		}
		e.handlers[ev.kind](ev.arg)
		if e.stopped {
			return nil
		}
	}
	if !math.IsInf(until, 1) {
		e.now = until
	}
	return nil
}
