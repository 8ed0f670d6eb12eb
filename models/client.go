package models

import (
	"fmt"
	"math"
	"math/bits"
)

// Client is one synthetic person: 48 bytes. Clients live in pages of a slab
// indexed by id and are reused after death, so memory follows the clients
// alive; the struct holds no pointers, so the collector never scans it.
// The case mix, the parallel places held, the admission counts and a few
// flags are packed into bits by the scenario's clientLayout.
type Client struct {
	// Since is the day the client was admitted to Place, or joined its
	// waiting list while Waiting.
	Since       float64
	LastExitAt  float64 // day of the last exit from a treatment place
	presentedAt float64 // day of the presentation not yet followed by treatment, -1 none
	bits        [2]uint64

	Place          int8 // current place index, -1 if none
	LastExitPlace  int8 // place of the last exit from a treatment place, -1 if none
	LastExitReason int8 // index of that exit's reason in Scope.Reasons, -1 if none
	pending        int8 // exit index of the pending leave event, or death: -1 at the place's rate, backgroundDeath by the life table

	yearSeen  int16 // last measured year the client was counted in treatment, -1 none
	yearAdmit int16 // last measured year the client was counted as admitted, -1 none
}

// backgroundDeath is Client.pending for a death the life table drew.
const backgroundDeath = -2

// Flags, in the low bits of Client.bits[0].
const (
	flagWaiting     = 1 << iota // on Place's waiting list, not yet admitted
	flagTreated                 // admitted to treatment since the warm-up ended
	flagRepresented             // a presentation since the last treatment exit was counted
	flagLink30                  // left treatment, awaiting follow-on treatment within 30 days
	flagLink90                  // the same within 90 days
	flagFollowed                // has open follow-up records (run.fu.head)
	flagEffective               // counted in effective treatment this measured year
	flagPending                 // under 12 weeks into a stay when the last measured year ended: judged when it ends
	flagInEvenYear              // listed in run.yearIDs for an even measured year (0, 2, …)
	flagInOddYear               // the same for an odd year: the next year's list fills as this one is read
	flagFromJustice             // came to the intake, or straight to treatment, from a justice place
	nFlags          = iota
)

func (c *Client) flag(f uint64) bool { return c.bits[0]&f != 0 }

func (c *Client) setFlag(f uint64, on bool) {
	if on {
		c.bits[0] |= f
	} else {
		c.bits[0] &^= f
	}
}

// Waiting reports whether the client is on Place's waiting list.
func (c *Client) Waiting() bool { return c.flag(flagWaiting) }

// bitField is a run of width bits of Client.bits.
type bitField struct {
	word, shift, width uint8
}

func (f bitField) mask() uint64 { return 1<<f.width - 1 }

func (f bitField) get(c *Client) uint64 { return c.bits[f.word] >> f.shift & f.mask() }

func (f bitField) set(c *Client, v uint64) {
	m := f.mask() << f.shift
	c.bits[f.word] = c.bits[f.word]&^m | v<<f.shift&m
}

// inc adds one to the field, saturating at its largest value.
func (f bitField) inc(c *Client) {
	if v := f.get(c); v < f.mask() {
		f.set(c, v+1)
	}
}

// clientLayout says where in Client.bits each attribute's level, the
// parallel places held and each place's admission count live. A place that
// conditions count (admissions.detox >= 2) gets 8 bits, saturating at 255;
// the others 1 bit, admitted before or not, which is all the metrics ask.
type clientLayout struct {
	attr     []bitField // by attribute, in Scope.Attributes order
	hold     bitField   // one bit a parallel place, by parallel index
	adm      []bitField // by place index
	lastStay bitField   // the last treatment stay in days, as float32 bits; width 0 if no condition reads it
	born     bitField   // the day of birth, offset by bornOffset; width 0 if the scenario has no ages
	justice  bitField   // the month of the last admission to a justice place, from 1 (0 none); width 0 if no place is one
	seenYear []bitField // by place index: admitted in this measured year (treatment places; width 0 for others)
}

const layoutBits = 128

// newLayout packs the fields the scope needs, or says why they do not fit.
func newLayout(s *Scope) (*clientLayout, error) {
	l := &clientLayout{}
	used := [layoutBits / 64]int{nFlags} // bits taken in each word
	need, fits := nFlags, true           // bits asked for; all placed
	alloc := func(width int) bitField {
		if width == 0 {
			return bitField{}
		}
		need += width
		// The first word with room: a field does not straddle two.
		for w := range used {
			if used[w]+width <= 64 {
				f := bitField{word: uint8(w), shift: uint8(used[w]), width: uint8(width)}
				used[w] += width
				return f
			}
		}
		fits = false
		return bitField{}
	}
	// The wide fields first, so that the narrow ones fill what is left of
	// each word.
	if !s.lastStayUnread {
		l.lastStay = alloc(32)
	}
	if s.ages {
		l.born = alloc(bornBits)
	}
	if s.justice {
		l.justice = alloc(justiceBits)
	}
	for _, a := range s.Attributes {
		l.attr = append(l.attr, alloc(bits.Len(uint(max(len(a.Levels)-1, 0)))))
	}
	np := 0 // bits for the parallel indices in use
	for _, k := range s.Parallel {
		np = max(np, k+1)
	}
	if np > 64 {
		return nil, fmt.Errorf("at most 64 parallel places, not %d", np)
	}
	l.hold = alloc(np)
	for _, p := range s.Places {
		w := 1
		if s.counted == nil || s.counted[p] {
			w = 8
		}
		l.adm = append(l.adm, alloc(w))
	}
	for _, p := range s.Places {
		w := 0
		if s.treatment == nil || s.treatment[p] {
			w = 1
		}
		l.seenYear = append(l.seenYear, alloc(w))
	}
	if !fits {
		return nil, fmt.Errorf("the case mix, parallel places, admission counts and ages need %d bits a client, and %d hold them with no field across two words: use fewer attribute levels, parallel places, or admissions.X in conditions", need, layoutBits)
	}
	return l, nil
}

// layoutOf returns the scope's layout, making it for a scope built by hand.
func (s *Scope) layoutOf() (*clientLayout, error) {
	if s.lay == nil {
		l, err := newLayout(s)
		if err != nil {
			return nil, err
		}
		s.lay = l
	}
	return s.lay, nil
}

func (l *clientLayout) attrOf(c *Client, a int) int { return int(l.attr[a].get(c)) }

func (l *clientLayout) setAttr(c *Client, a, level int) { l.attr[a].set(c, uint64(level)) }

// admissions returns how many times c has been admitted to place p,
// counting a current stay: exact to 255 for places conditions count, and
// 0 or 1 (never or ever) for the rest.
func (l *clientLayout) admissions(c *Client, p int) int { return int(l.adm[p].get(c)) }

// lastStay returns the days of c's last treatment stay, 0 if none.
func (l *clientLayout) lastStayOf(c *Client) float64 {
	return float64(math.Float32frombits(uint32(l.lastStay.get(c))))
}

// setLastStay records the days of the treatment stay c has just left.
func (l *clientLayout) setLastStay(c *Client, days float64) {
	if l.lastStay.width > 0 {
		l.lastStay.set(c, uint64(math.Float32bits(float32(days))))
	}
}

// ageOf returns c's age in years at c.Since: the start of its stay or
// wait, or, as it leaves, the moment it leaves.
func (l *clientLayout) ageOf(c *Client) float64 {
	return (c.Since - l.bornOf(c)) / daysPerYear
}

// A day of birth is kept to the day in bornBits bits, offset so that
// days before the run's start fit: 2^23 days, 22,000 years, either way.
const (
	bornBits   = 24
	bornOffset = 1 << (bornBits - 1)
)

// bornOf returns the day c was born.
func (l *clientLayout) bornOf(c *Client) float64 {
	return float64(int64(l.born.get(c)) - bornOffset)
}

func (l *clientLayout) setBorn(c *Client, day float64) {
	v := math.Round(day) + bornOffset
	l.born.set(c, uint64(max(0, min(v, 1<<bornBits-1))))
}

// The month of the last justice contact is kept in justiceBits bits:
// 8,191 months, 682 years of a run, warm-up included (an automatic
// warm-up is at most 400).
const (
	justiceBits  = 13
	justiceMonth = daysPerYear / 12
)

// lastJustice returns the day of c's last admission to a justice place,
// to the month (rounded up), and false if there was none.
func (l *clientLayout) lastJustice(c *Client) (float64, bool) {
	m := l.justice.get(c)
	return float64(m) * justiceMonth, m > 0
}

// setJustice records an admission to a justice place on day now.
func (l *clientLayout) setJustice(c *Client, now float64) {
	if l.justice.width > 0 {
		l.justice.set(c, uint64(max(1, min(math.Ceil(now/justiceMonth), 1<<justiceBits-1))))
	}
}

func (l *clientLayout) holds(c *Client, k int) bool {
	return c.bits[l.hold.word]>>(uint(l.hold.shift)+uint(k))&1 != 0
}

func (l *clientLayout) setHolds(c *Client, k int, on bool) {
	m := uint64(1) << (uint(l.hold.shift) + uint(k))
	if on {
		c.bits[l.hold.word] |= m
	} else {
		c.bits[l.hold.word] &^= m
	}
}
