package sim

import (
	"fmt"
	"math"
	"unsafe"
)

// Discipline is the order in which a Resource admits waiting clients.
type Discipline int

const (
	// FIFO admits clients in the order they asked.
	FIFO Discipline = iota
	// Priority admits the client with the lowest priority level first, and
	// in the order they asked within a level.
	Priority
)

// MaxPriority is the number of priority levels a Priority resource has
// (levels 0 to MaxPriority-1; 0 is served first).
const MaxPriority = 16

// Ticket identifies one place in a waiting list.
type Ticket uint64

const ticketSeqBits = 48

func makeTicket(level int, seq uint64) Ticket { return Ticket(uint64(level)<<ticketSeqBits | seq) }
func (t Ticket) level() int                   { return int(uint64(t) >> ticketSeqBits) }
func (t Ticket) seq() uint64                  { return uint64(t) & (1<<ticketSeqBits - 1) }

const gone int32 = -1 // id of a waiter who has left the list

// waitList is a FIFO ring buffer whose entries can be removed from the middle
// lazily: a removed entry is marked and skipped when it reaches the front.
// Entry seq lives at ids[seq&mask] while head <= seq < tail. The day each
// entry joined is kept in since, unless the resource's Since supplies it:
// then an entry is 4 bytes.
type waitList struct {
	ids        []int32
	since      []Time // nil when the resource has a Since
	keepSince  bool
	head, tail uint64
	live       int
}

func (q *waitList) push(id int32, since Time) uint64 {
	if q.tail == 0 { // sequence numbers start at 1, so Ticket 0 is never a place on a list
		q.head, q.tail = 1, 1
	}
	if q.tail-q.head == uint64(len(q.ids)) {
		q.grow()
	}
	s := q.tail
	i := s & uint64(len(q.ids)-1)
	q.ids[i] = id
	if q.keepSince {
		q.since[i] = since
	}
	q.tail++
	q.live++
	return s
}

func (q *waitList) grow() {
	n := max(16, 2*len(q.ids))
	ids := make([]int32, n)
	var since []Time
	if q.keepSince {
		since = make([]Time, n)
	}
	for s := q.head; s < q.tail; s++ {
		from, to := s&uint64(len(q.ids)-1), s&uint64(n-1)
		ids[to] = q.ids[from]
		if q.keepSince {
			since[to] = q.since[from]
		}
	}
	q.ids, q.since = ids, since
}

// skip drops removed entries from the front.
func (q *waitList) skip() {
	mask := uint64(len(q.ids) - 1)
	for q.head < q.tail && q.ids[q.head&mask] == gone {
		q.head++
	}
}

// at returns entry i's id and the day it joined (0 without since).
func (q *waitList) at(i uint64) (int32, Time) {
	if q.keepSince {
		return q.ids[i], q.since[i]
	}
	return q.ids[i], 0
}

func (q *waitList) pop() (int32, Time) {
	q.skip()
	id, since := q.at(q.head & uint64(len(q.ids)-1))
	q.head++
	q.live--
	q.skip()
	return id, since
}

func (q *waitList) remove(s uint64) (int32, Time, bool) {
	if s < q.head || s >= q.tail {
		return 0, 0, false
	}
	i := s & uint64(len(q.ids)-1)
	if q.ids[i] == gone {
		return 0, 0, false
	}
	id, since := q.at(i)
	q.ids[i] = gone
	q.live--
	q.skip()
	return id, since, true
}

// ResourceStats are a resource's statistics since its last Reset.
type ResourceStats struct {
	Busy      TimeWeighted // places in use
	Queue     TimeWeighted // clients waiting
	Wait      Tally        // days waited by clients admitted (zero for those admitted at once)
	Requests  int64        // clients who asked for a place
	Admitted  int64        // clients admitted
	Reneged   int64        // clients who gave up waiting
	Withdrawn int64        // clients taken off the list by Withdraw
	Released  int64        // places given back
}

// Resource is a pool of identical places (beds, caseload places) with a
// waiting list. Clients are identified by an int32 the model chooses.
//
// When a client is admitted, at once by Request or later when a place frees,
// the resource calls Admit synchronously. A client who gives up waiting is
// taken off the list and reported to Renege. Capacity can change during a run;
// a cut evicts nobody but stops admissions until occupancy falls below it.
type Resource struct {
	Name string

	// Admit is called when client id takes a place after waiting waited days.
	Admit func(id int32, waited Time)
	// Renege is called when client id gives up after waiting waited days.
	Renege func(id int32, waited Time)
	// Since, if set (before the first Request), returns the day waiting
	// client id joined the list, so that the list need not store it: a
	// model that keeps that day on its client record saves 8 bytes a
	// waiting client.
	Since func(id int32) Time

	eng        *Engine
	capacity   int
	busy       int
	discipline Discipline
	lists      []waitList
	waiting    int

	renegeKind   Kind
	capacityKind Kind
	pending      []Ticket // tickets of scheduled renege events, by slot
	freePending  []int32

	Stats ResourceStats
}

// NewResource returns a resource with the given capacity and discipline,
// attached to eng.
func NewResource(eng *Engine, name string, capacity int, d Discipline) *Resource {
	if capacity < 0 {
		panic("sim: negative capacity")
	}
	r := &Resource{Name: name, eng: eng, capacity: capacity, discipline: d}
	levels := 1
	if d == Priority {
		levels = MaxPriority
	}
	r.lists = make([]waitList, levels)
	r.Stats.Busy.Reset(eng.now)
	r.Stats.Queue.Reset(eng.now)
	r.renegeKind = eng.Register(r.renegeEvent)
	r.capacityKind = eng.Register(func(n int32) { r.SetCapacity(int(n)) })
	return r
}

// Capacity returns the number of places.
func (r *Resource) Capacity() int { return r.capacity }

// Busy returns the number of places in use. It can exceed Capacity after a cut.
func (r *Resource) Busy() int { return r.busy }

// QueueLen returns the number of clients waiting.
func (r *Resource) QueueLen() int { return r.waiting }

// Request asks for a place for client id. If a place is free and nobody is
// waiting ahead, the client is admitted at once (Admit is called before
// Request returns), queued is false and t is 0, which is never a real ticket. Otherwise the client joins the waiting
// list at the given priority level (ignored by FIFO resources), queued is true,
// and t identifies the place on the list (for Withdraw); if patience is
// finite the client gives up after waiting that many days.
func (r *Resource) Request(id int32, priority int, patience Time) (t Ticket, queued bool) {
	if id < 0 {
		panic("sim: negative client id")
	}
	now := r.eng.now
	r.Stats.Requests++
	if r.busy < r.capacity && r.waiting == 0 {
		r.admit(id, 0)
		return 0, false
	}
	level := 0
	if r.discipline == Priority {
		if priority < 0 || priority >= MaxPriority {
			panic(fmt.Sprintf("sim: priority %d outside 0..%d", priority, MaxPriority-1))
		}
		level = priority
	}
	q := &r.lists[level]
	if q.tail == 0 {
		q.keepSince = r.Since == nil
	}
	s := q.push(id, now)
	r.waiting++
	r.Stats.Queue.Set(now, float64(r.waiting))
	t = makeTicket(level, s)
	if patience < math.Inf(1) {
		slot := r.holdTicket(t)
		r.eng.Schedule(now+math.Max(patience, 0), r.renegeKind, slot)
	}
	return t, true
}

func (r *Resource) holdTicket(t Ticket) int32 {
	if n := len(r.freePending); n > 0 {
		slot := r.freePending[n-1]
		r.freePending = r.freePending[:n-1]
		r.pending[slot] = t
		return slot
	}
	r.pending = append(r.pending, t)
	return int32(len(r.pending) - 1)
}

func (r *Resource) renegeEvent(slot int32) {
	t := r.pending[slot]
	r.freePending = append(r.freePending, slot)
	if id, since, ok := r.take(t); ok {
		r.Stats.Reneged++
		if r.Renege != nil {
			r.Renege(id, r.eng.now-r.joined(id, since))
		}
	}
}

// Withdraw takes the client holding ticket t off the waiting list. It
// reports false if that client is no longer waiting.
func (r *Resource) Withdraw(t Ticket) bool {
	_, _, ok := r.take(t)
	if ok {
		r.Stats.Withdrawn++
	}
	return ok
}

func (r *Resource) take(t Ticket) (int32, Time, bool) {
	id, since, ok := r.lists[t.level()].remove(t.seq())
	if ok {
		r.waiting--
		r.Stats.Queue.Set(r.eng.now, float64(r.waiting))
	}
	return id, since, ok
}

// joined returns the day waiting client id joined, from the list or Since.
func (r *Resource) joined(id int32, since Time) Time {
	if r.Since != nil {
		return r.Since(id)
	}
	return since
}

func (r *Resource) admit(id int32, waited Time) {
	r.busy++
	r.Stats.Admitted++
	r.Stats.Busy.Set(r.eng.now, float64(r.busy))
	r.Stats.Wait.Add(waited)
	if r.Admit != nil {
		r.Admit(id, waited)
	}
}

// Release gives back one place and admits waiting clients while places are free.
func (r *Resource) Release() {
	if r.busy == 0 {
		panic("sim: release of " + r.Name + " with no place in use")
	}
	r.busy--
	r.Stats.Released++
	r.Stats.Busy.Set(r.eng.now, float64(r.busy))
	r.fill()
}

// fill admits waiting clients while places are free.
func (r *Resource) fill() {
	for r.waiting > 0 && r.busy < r.capacity {
		var id int32
		var since Time
		for i := range r.lists {
			if r.lists[i].live > 0 {
				id, since = r.lists[i].pop()
				break
			}
		}
		r.waiting--
		now := r.eng.now
		r.Stats.Queue.Set(now, float64(r.waiting))
		r.admit(id, now-r.joined(id, since))
	}
}

// SetCapacity changes the number of places now. An increase admits waiting
// clients at once; a cut evicts nobody.
func (r *Resource) SetCapacity(n int) {
	if n < 0 {
		panic("sim: negative capacity")
	}
	r.capacity = n
	r.fill()
}

// ScheduleCapacity changes the number of places to n at time at.
func (r *Resource) ScheduleCapacity(at Time, n int) {
	if n < 0 || n > math.MaxInt32 {
		panic("sim: capacity out of range")
	}
	r.eng.Schedule(at, r.capacityKind, int32(n))
}

// Reset discards statistics gathered before now (the end of a warm-up).
func (r *Resource) Reset() {
	now := r.eng.now
	s := &r.Stats
	s.Busy.Reset(now)
	s.Queue.Reset(now)
	s.Wait.Reset()
	s.Requests, s.Admitted, s.Reneged, s.Withdrawn, s.Released = 0, 0, 0, 0, 0
}

// Sizes of the engine's records, for memory estimates: a pending event,
// and a client on a waiting list (with the day it joined; 4 bytes with
// Resource.Since).
const (
	EventBytes  = int(unsafe.Sizeof(event{}))
	WaiterBytes = int(unsafe.Sizeof(int32(0)) + unsafe.Sizeof(Time(0)))
)
