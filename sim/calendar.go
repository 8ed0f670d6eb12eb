package sim

import (
	"math"
	"math/bits"
)

// event is one entry of the calendar. It is 16 bytes and holds no pointers,
// so the calendar is invisible to the garbage collector.
type event struct {
	key  uint64 // the time's bits: for times ≥ 0 they sort as the times do
	kind Kind
	arg  int32
}

func (e *event) at() Time { return math.Float64frombits(e.key) }

// timeKey returns the bits of t ≥ 0, with -0 taken as 0.
func timeKey(t Time) uint64 {
	if t == 0 {
		return 0
	}
	return math.Float64bits(t)
}

// calendar is a radix heap (Ahuja, Mehlhorn, Orlin & Tarjan 1990) over the
// bits of event times. A simulation never schedules before now, so the keys
// taken out never decrease, which is all a radix heap needs: an event waits
// in the bucket of the highest bit in which its key differs from the last
// key taken out, and moves to a lower bucket only when its own bucket is the
// lowest left. Against a binary heap, a push is an append and a pop compares
// each event a few times in its life instead of twice a level each time.
//
// Events of equal time leave in the order they came: they always share a
// bucket, a bucket keeps its order when it is spread over lower ones, and
// bucket 0 (keys equal to last) is a FIFO. So no sequence number is needed.
type calendar struct {
	last    uint64      // the key of the last event taken out
	buckets [65][]event // buckets[i]: bits.Len64(key ^ last) == i
	head    int         // the next event of buckets[0]
	n       int         // events held
	nonzero uint64      // bit i-1 set when buckets[i] (i ≥ 1) is non-empty
	// low[i] is the complement of the least key in buckets[i] (i ≥ 1), 0
	// when it is empty: kept as events arrive, so that a pop need not scan
	// a bucket for its least key before spreading it (a pass over the
	// whole calendar, bucket by bucket). The complement makes the zero
	// calendar ready to use. low[0] is written as a bucket is spread
	// (cheaper than testing for it) and never read.
	low [65]uint64
}

func (c *calendar) len() int { return c.n }

// push adds e, whose key must be at least c.last.
func (c *calendar) push(e event) {
	b := bits.Len64(e.key ^ c.last)
	c.buckets[b] = append(c.buckets[b], e)
	if b > 0 {
		c.nonzero |= 1 << (b - 1)
		c.low[b] = max(c.low[b], ^e.key)
	}
	c.n++
}

// popUntil takes out the earliest event if its key is at most until; it
// leaves the calendar as it was otherwise, so that events may still be
// pushed between the last key and until.
func (c *calendar) popUntil(until uint64) (event, bool) {
	if c.head == len(c.buckets[0]) {
		if c.nonzero == 0 {
			return event{}, false
		}
		b := bits.TrailingZeros64(c.nonzero) + 1
		bucket := c.buckets[b]
		min := ^c.low[b]
		if min > until {
			return event{}, false
		}
		c.last = min
		c.buckets[0] = c.buckets[0][:0]
		c.head = 0
		var filled uint64
		for _, e := range bucket {
			nb := bits.Len64(e.key ^ min)
			to := &c.buckets[nb]
			*to = append(*to, e)
			filled |= 1 << nb
			c.low[nb] = max(c.low[nb], ^e.key)
		}
		c.buckets[b] = bucket[:0]
		c.low[b] = 0
		c.nonzero = c.nonzero&^(1<<(b-1)) | filled>>1
	} else if c.last > until {
		return event{}, false
	}
	e := c.buckets[0][c.head]
	c.head++
	c.n--
	return e, true
}

// peek returns the event likely to be taken out next, cheaply: the next of
// bucket 0, or the earliest of the lowest other bucket if it holds at most
// peekMax. It may be wrong (an event pushed meanwhile can come first).
func (c *calendar) peek() (event, bool) {
	if c.head < len(c.buckets[0]) {
		return c.buckets[0][c.head], true
	}
	if c.nonzero == 0 {
		return event{}, false
	}
	b := c.buckets[bits.TrailingZeros64(c.nonzero)+1]
	if len(b) > peekMax {
		return event{}, false
	}
	m := 0
	for i := 1; i < len(b); i++ {
		if b[i].key < b[m].key {
			m = i
		}
	}
	return b[m], true
}

const peekMax = 16 // a larger lowest bucket is rare, and costs a scan to guess from

// pop takes out the earliest event; the calendar must not be empty.
func (c *calendar) pop() event {
	e, _ := c.popUntil(math.MaxUint64)
	return e
}
