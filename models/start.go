package models

import (
	"context"
	"fmt"
	"maps"
	"math/rand/v2"
	"slices"
	"sort"
	"strconv"
	"strings"

	"github.com/journeysim/journeysim/models/scenario"
	"github.com/journeysim/journeysim/sim"
)

// startGroup is a compiled scenario.StartGroup.
type startGroup struct {
	place   int
	waiting bool
	count   int
	years   scenario.YearBand // days in the place so far; Hi 0 for none
	age     scenario.YearBand // Hi 0 to draw
	attrs   []int             // level by attribute, -1 to draw
	holding []int             // parallel places held, by place index
	// lastPlace and lastReason are the last exit from treatment, -1 none.
	lastPlace, lastReason int
	adm                   [][2]int // place, admissions so far
}

// buildStart compiles the scenario's start, if any.
func (m *Model) buildStart(s *scenario.Scenario) error {
	if s.Start == nil {
		return nil
	}
	for i, g := range s.Start.People {
		sg := startGroup{place: m.index[g.Place], waiting: g.Waiting, count: g.Count, lastPlace: -1, lastReason: -1}
		if g.LastExit != "" {
			sg.lastPlace = m.index[g.LastExit]
			if sg.lastReason = slices.Index(m.reasons, g.LastExitReason); sg.lastReason < 0 {
				return scenario.Problemf(fmt.Sprintf("start.people[%d].last_exit_reason", i), "unknown exit %q: one of %s", g.LastExitReason, strings.Join(m.reasons, ", "))
			}
		}
		if g.Years != "" {
			b, err := scenario.ParseBand(g.Years)
			if err != nil {
				return scenario.Problemf(fmt.Sprintf("start.people[%d].years", i), "%v", err)
			}
			sg.years = scenario.YearBand{Lo: b.Lo * daysPerYear, Hi: b.Hi * daysPerYear}
		}
		if g.Age != "" {
			b, err := scenario.ParseBand(g.Age)
			if err != nil {
				return scenario.Problemf(fmt.Sprintf("start.people[%d].age", i), "%v", err)
			}
			sg.age = b
		}
		for _, a := range m.Scope.Attributes {
			sg.attrs = append(sg.attrs, slices.Index(a.Levels, g.CaseMix[a.Name]))
		}
		for _, h := range g.Holding {
			sg.holding = append(sg.holding, m.index[h])
		}
		for _, p := range slices.Sorted(maps.Keys(g.Admissions)) {
			sg.adm = append(sg.adm, [2]int{m.index[p], g.Admissions[p]})
		}
		m.start = append(m.start, sg)
	}
	return nil
}

// placeStart puts the people of the start into their places, on the first
// day: those in places first, then those waiting, so that the lists form
// behind the places filled. Their draws (time so far, age) are from the
// stream "start".
func (r *run) placeStart(rnd *rand.Rand) {
	now := r.eng.Now()
	for _, waiting := range []bool{false, true} {
		for _, g := range r.m.start {
			if g.waiting != waiting {
				continue
			}
			for range g.count {
				age := -1.0
				if g.age.Hi > 0 {
					age = g.age.Lo + rnd.Float64()*(g.age.Hi-g.age.Lo)
				}
				so := g.years.Lo + rnd.Float64()*(g.years.Hi-g.years.Lo)
				id := r.newClientWith(g.attrs, age) // the age now
				c := r.client(id)
				for _, a := range g.adm {
					f := r.m.lay.adm[a[0]]
					f.set(c, min(uint64(a[1]), f.mask()))
				}
				if g.lastPlace >= 0 {
					// Left when the stay now under way began.
					c.LastExitPlace, c.LastExitReason, c.LastExitAt = int8(g.lastPlace), int8(g.lastReason), now-so
				}
				// Holds first: they act on the stay drawn on admission.
				for _, q := range g.holding {
					r.startHold(id, q, r.residualHold(rnd, q))
				}
				if !waiting {
					r.elapsed = so
				}
				r.enter(id, g.place)
				r.elapsed = 0
				if waiting == c.Waiting() {
					// Not one who waits but finds a place free, nor one
					// who finds it full: those start now.
					c.Since = now - so
				}
			}
		}
	}
}

// residualHold draws what is left of a hold of parallel place q under way:
// an even share of a hold drawn in proportion to its length (the holds
// under way on a day are the longer ones), the length bias approximated by
// choosing among holdCandidates fresh draws in proportion to their length.
func (r *run) residualHold(rnd *rand.Rand, q int) float64 {
	var ds [holdCandidates]float64
	sum := 0.0
	for i := range ds {
		ds[i] = r.ps[q].duration.Rand()
		sum += ds[i]
	}
	x := rnd.Float64() * sum
	for _, d := range ds {
		if x < d {
			return rnd.Float64() * d
		}
		x -= d
	}
	return rnd.Float64() * ds[len(ds)-1]
}

const holdCandidates = 16

// residualExit redraws a client's exit and stay, given that it has been in
// the place for r.elapsed already: the pair is drawn again until the stay
// outlasts that, and the rest of it is returned. After startTries it gives
// up and the client leaves within a day: a time so far that the place's
// stays almost never reach.
func (r *run) residualExit(pr *placeRun, c *Client, ei int, t float64) (int, float64) {
	for range startTries {
		if t > r.elapsed {
			return ei, t - r.elapsed
		}
		ei, t = r.drawExit(pr, c)
	}
	return ei, 1
}

const startTries = 10000

// Snapshot runs reps replications to the end of the warm-up and returns
// the people then in each place and on each waiting list, their mean
// over the replications, grouped by place, waiting, time in the place so
// far, age (five-year bands) and case mix: a start from which the model
// goes on as it would have.
func (m *Model) Snapshot(ctx context.Context, seed uint64, reps, workers int) (*scenario.StartSpec, error) {
	counts, err := sim.Replicate(ctx, reps, workers, func(ctx context.Context, rep int) (map[snapKey]int, error) {
		r := m.newRun(seed, rep)
		if err := r.eng.Run(ctx, r.start); err != nil {
			return nil, err
		}
		return r.snapshot(), nil
	}, nil)
	if err != nil {
		return nil, err
	}
	total := map[snapKey]int{}
	for _, c := range counts {
		for k, n := range c {
			total[k] += n
		}
	}
	keys := make([]snapKey, 0, len(total))
	for k := range total {
		keys = append(keys, k)
	}
	sort.Slice(keys, func(i, j int) bool { return keys[i].less(keys[j]) })
	// The mean over replications, as whole people: a systematic sample of
	// one in reps of the people of every replication, in the order of the
	// groups, which keeps each place's, each level's and each band's share
	// as well as the whole.
	n := make([]int, len(keys))
	cum, off := 0, reps/2
	for i, k := range keys {
		// the sample positions off, off+reps, … that fall in [cum, cum+total)
		count := func(x int) int { // positions below x
			if x <= off {
				return 0
			}
			return (x-off-1)/reps + 1
		}
		n[i] = count(cum+total[k]) - count(cum)
		cum += total[k]
	}
	st := &scenario.StartSpec{}
	for i, k := range keys {
		if n[i] == 0 {
			continue
		}
		g := scenario.StartGroup{Place: m.places[k.place].name, Waiting: k.waiting, Count: n[i], Years: snapYears[k.years]}
		for j, p := range m.snapAdmissions() {
			if n := int(k.adm[j]); n > 0 {
				if g.Admissions == nil {
					g.Admissions = map[string]int{}
				}
				g.Admissions[m.places[p].name] = n
			}
		}
		if k.last[0] > 0 {
			g.LastExit, g.LastExitReason = m.places[k.last[0]-1].name, m.reasons[k.last[1]-1]
		}
		for _, q := range []byte(k.holding) {
			g.Holding = append(g.Holding, m.places[q].name)
		}
		if m.ages != nil {
			g.Age = snapAge(k.age)
		}
		if len(m.Scope.Attributes) > 0 {
			g.CaseMix = map[string]string{}
			for a, attr := range m.Scope.Attributes {
				g.CaseMix[attr.Name] = attr.Levels[k.attrs[a]]
			}
		}
		st.People = append(st.People, g)
	}
	return st, nil
}

// snapKey groups the people of a snapshot.
type snapKey struct {
	place   int
	waiting bool
	years   int    // index into snapYears
	age     int    // five-year band: 5·age is its lower end
	attrs   string // a byte a level, by attribute
	holding string // a byte a parallel place held, its index
	// last is the last exit from treatment: 1 + place, 1 + reason; 0, 0 none.
	last [2]int
	adm  string // a byte a counted place (snapAdmissions): admissions, at most snapMaxAdmissions
}

func (a snapKey) less(b snapKey) bool {
	switch {
	case a.place != b.place:
		return a.place < b.place
	case a.waiting != b.waiting:
		return !a.waiting
	case a.attrs != b.attrs:
		return a.attrs < b.attrs
	case a.adm != b.adm:
		return a.adm < b.adm
	case a.last != b.last:
		return a.last[0] < b.last[0] || a.last[0] == b.last[0] && a.last[1] < b.last[1]
	case a.holding != b.holding:
		return a.holding < b.holding
	case a.years != b.years:
		return a.years < b.years
	}
	return a.age < b.age
}

// The bands of time in a place that a snapshot writes, in years: finer
// than NDTMS's (under 1, 1-2, 2-4, 4-6, over 6), so that a start from a
// snapshot goes on as the run it was taken from.
var (
	snapYearEdges = []float64{0, 1.0 / 12, 0.25, 0.5, 1, 2, 3, 4, 6, 8, 10, 15, 20, 30}
	snapYears     = func() []string {
		var out []string
		for i, lo := range snapYearEdges {
			if i+1 < len(snapYearEdges) {
				out = append(out, fmtYears(lo)+"-"+fmtYears(snapYearEdges[i+1]))
			} else {
				out = append(out, fmtYears(lo)+"+")
			}
		}
		return out
	}()
)

func fmtYears(x float64) string { return strconv.FormatFloat(x, 'g', 4, 64) }

func snapAge(band int) string {
	return strconv.Itoa(5*band) + "-" + strconv.Itoa(5*band+5)
}

// snapshot counts the people in places and on lists now.
func (r *run) snapshot() map[snapKey]int {
	now := r.eng.Now()
	out := map[snapKey]int{}
	for id := range r.n {
		c := r.client(id)
		if c.Place < 0 || r.m.places[c.Place].kind == scenario.KindParallel {
			continue
		}
		y := (now - c.Since) / daysPerYear
		k := snapKey{place: int(c.Place), waiting: c.Waiting(), years: sort.SearchFloat64s(snapYearEdges, y+1e-12) - 1}
		if r.m.ages != nil {
			k.age = int((now - r.m.lay.bornOf(c)) / daysPerYear / 5)
		}
		attrs := make([]byte, len(r.m.Scope.Attributes))
		for a := range attrs {
			attrs[a] = byte(r.m.lay.attrOf(c, a))
		}
		k.attrs = string(attrs)
		var holds []byte
		for k2, q := range r.m.parallel {
			if r.m.lay.holds(c, k2) {
				holds = append(holds, byte(q))
			}
		}
		k.holding = string(holds)
		var adm []byte
		for _, p := range r.m.snapAdmissions() {
			adm = append(adm, byte(min(r.m.lay.admissions(c, p), snapMaxAdmissions)))
		}
		k.adm = string(adm)
		if c.LastExitPlace >= 0 {
			k.last = [2]int{int(c.LastExitPlace) + 1, int(c.LastExitReason) + 1}
		}
		out[k]++
	}
	return out
}

// snapMaxAdmissions caps the admissions a snapshot records of a place: the
// conditions that read them ask whether there were any, or a few.
const snapMaxAdmissions = 3

// snapAdmissions are the places whose admission counts a snapshot records:
// those that conditions read.
func (m *Model) snapAdmissions() []int {
	var out []int
	for p := range m.places {
		if m.Scope.counted != nil && m.Scope.counted[m.places[p].name] {
			out = append(out, p)
		}
	}
	return out
}
