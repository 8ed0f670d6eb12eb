package scenario

import (
	"fmt"
	"math"
	"strconv"
	"strings"
)

// StartSpec is the state a run starts from instead of an empty system: the
// people in each place, and on each waiting list, on the first day. A run
// from a start measures from that day, with no warm-up: it projects from
// the present rather than describing a steady state.
//
//	[[start.people]]
//	place = "community"
//	count = 212
//	years = "2-4"                  # time in the place so far: for a treatment place, in treatment
//	age = "30-39"
//	case_mix = { drug = "opiate" }
//
// Every key but place and count is optional: what a group does not give is
// drawn as for a new arrival (case mix, age) or is 0 (time in the place).
type StartSpec struct {
	People []StartGroup `toml:"people"`
}

// StartGroup is Count people alike: in Place, or on its waiting list.
type StartGroup struct {
	Place   string `toml:"place"`
	Waiting bool   `toml:"waiting"`
	Count   int    `toml:"count"`
	// Years is the time in the place (or on the list) so far, a band of
	// years as "2-4" or "6+" (drawn evenly within it; an open band a+
	// between a and 1.5a).
	Years string `toml:"years"`
	// Age is a band of ages, "30-39" or "60+", drawn evenly within it.
	Age     string            `toml:"age"`
	CaseMix map[string]string `toml:"case_mix"`
	// Holding lists the places held alongside (mutual aid, case
	// management) that the group holds.
	Holding []string `toml:"holding"`
	// LastExit is the treatment place the group last left, and
	// LastExitReason how (completed, dropped_out, …): a step-down from
	// rehab, say, whose community stay is shorter.
	LastExit       string `toml:"last_exit"`
	LastExitReason string `toml:"last_exit_reason"`
	// Admissions are the group's admissions so far, by place, for the
	// places whose counts conditions read (admissions.detox >= 1).
	Admissions map[string]int `toml:"admissions"`
}

// YearBand is a range of years or ages, [Lo, Hi).
type YearBand struct{ Lo, Hi float64 }

// ParseBand reads "a-b" or "a+" (a+ is a to 1.5a) or a single number.
func ParseBand(s string) (YearBand, error) {
	s = strings.TrimSpace(s)
	bad := fmt.Errorf("%q is not a band: write lo-hi (\"2-4\"), lo+ (\"6+\") or a number, in years", s)
	if lo, ok := strings.CutSuffix(s, "+"); ok {
		a, err := strconv.ParseFloat(strings.TrimSpace(lo), 64)
		if err != nil || a < 0 || math.IsInf(a, 0) {
			return YearBand{}, bad
		}
		return YearBand{a, max(1.5*a, a+1)}, nil
	}
	if lo, hi, ok := strings.Cut(s, "-"); ok {
		a, err1 := strconv.ParseFloat(strings.TrimSpace(lo), 64)
		b, err2 := strconv.ParseFloat(strings.TrimSpace(hi), 64)
		if err1 != nil || err2 != nil || a < 0 || !(b > a) || math.IsInf(b, 0) {
			return YearBand{}, bad
		}
		return YearBand{a, b}, nil
	}
	a, err := strconv.ParseFloat(s, 64)
	if err != nil || a < 0 || math.IsInf(a, 0) {
		return YearBand{}, bad
	}
	return YearBand{a, a}, nil
}

func (s *Scenario) validateStart(c *checker) {
	st := s.Start
	if st == nil {
		return
	}
	if len(st.People) == 0 {
		c.add("start.people", "a start gives the people in each place: [[start.people]] tables with place and count")
	}
	if w := s.Run.Warmup; w == nil || w.Auto || w.D != 0 {
		c.add("run.warmup", `a run from a start has no warm-up: it measures from the state [start] gives; set run.warmup = "0d"`)
	}
	for i, g := range st.People {
		k := fmt.Sprintf("start.people[%d]", i)
		ps, ok := s.Places[g.Place]
		switch {
		case g.Place == "":
			c.add(k+".place", "required: the place the group is in (or waits for)")
		case !ok:
			c.add(k+".place", "unknown place %q%s", g.Place, s.didYouMeanPlace(g.Place))
		case ps.Kind == KindParallel:
			c.add(k+".place", "%s is held alongside another place: give the place the group is in", g.Place)
		case g.Waiting && ps.Kind != KindCapacity:
			c.add(k+".waiting", "%s has no waiting list: only a place with a capacity has one", g.Place)
		}
		if g.Count < 0 {
			c.add(k+".count", "must be 0 or more, not %d", g.Count)
		}
		if g.Years != "" {
			if _, err := ParseBand(g.Years); err != nil {
				c.add(k+".years", "%v", err)
			}
		}
		if g.Age != "" {
			if s.Ages == nil {
				c.add(k+".age", "the scenario gives clients no ages ([ages]): leave age out")
			} else if _, err := ParseBand(g.Age); err != nil {
				c.add(k+".age", "%v", err)
			}
		}
		for _, p := range sortedKeys(g.Admissions) {
			if _, ok := s.Places[p]; !ok {
				c.add(k+".admissions."+p, "unknown place %q%s", p, s.didYouMeanPlace(p))
			} else if n := g.Admissions[p]; n < 0 || n > 255 {
				c.add(k+".admissions."+p, "must be 0 to 255, not %d", n)
			}
		}
		if g.LastExit != "" {
			if _, ok := s.Places[g.LastExit]; !ok {
				c.add(k+".last_exit", "unknown place %q%s", g.LastExit, s.didYouMeanPlace(g.LastExit))
			}
		}
		if (g.LastExitReason != "") != (g.LastExit != "") {
			c.add(k+".last_exit_reason", "give last_exit and last_exit_reason together: the place last left and how")
		}
		for j, h := range g.Holding {
			if hp, ok := s.Places[h]; !ok || hp.Kind != KindParallel {
				c.add(fmt.Sprintf("%s.holding[%d]", k, j), "%q is not a place held alongside another (kind = \"parallel\")", h)
			}
		}
		for _, attr := range sortedKeys(g.CaseMix) {
			mix, ok := s.CaseMix[attr]
			if !ok {
				c.add(k+".case_mix."+attr, "unknown attribute %q: the scenario's case_mix has %s", attr, strings.Join(sortedKeys(s.CaseMix), ", "))
				continue
			}
			if _, ok := mix[g.CaseMix[attr]]; !ok {
				levels := sortedKeys(mix)
				c.add(k+".case_mix."+attr, "unknown level %q of %s: one of %s", g.CaseMix[attr], attr, strings.Join(levels, ", "))
			}
		}
	}
}

// Total is the number of people a start gives.
func (st *StartSpec) Total() int {
	n := 0
	for _, g := range st.People {
		n += g.Count
	}
	return n
}

// SnapshotHeader starts every start file that SnapshotFile writes, so that
// journeysim knows a file it may replace.
const SnapshotHeader = "# A start snapshot written by journeysim snapshot"

// SnapshotFile returns a scenario file that runs base from the start st,
// with no warm-up; comment says where the snapshot came from.
func SnapshotFile(st *StartSpec, name, base, comment string) []byte {
	var b strings.Builder
	b.WriteString(SnapshotHeader + ".\n")
	for _, l := range strings.Split(strings.TrimRight(comment, "\n"), "\n") {
		b.WriteString(strings.TrimRight("# "+l, " ") + "\n")
	}
	fmt.Fprintf(&b, "\nname = %s\nbase = %s\n\n", TOMLString(name), TOMLString(base))
	b.WriteString("[run]\nwarmup = \"0d\"\n\n[start]\npeople = [\n")
	for _, g := range st.People {
		fmt.Fprintf(&b, "  { place = %s", TOMLString(g.Place))
		if g.Waiting {
			b.WriteString(", waiting = true")
		}
		fmt.Fprintf(&b, ", count = %d", g.Count)
		if g.Years != "" {
			fmt.Fprintf(&b, ", years = %s", TOMLString(g.Years))
		}
		if g.Age != "" {
			fmt.Fprintf(&b, ", age = %s", TOMLString(g.Age))
		}
		if len(g.Holding) > 0 {
			var hs []string
			for _, h := range g.Holding {
				hs = append(hs, TOMLString(h))
			}
			fmt.Fprintf(&b, ", holding = [%s]", strings.Join(hs, ", "))
		}
		if len(g.Admissions) > 0 {
			var kv []string
			for _, k := range sortedKeys(g.Admissions) {
				kv = append(kv, fmt.Sprintf("%s = %d", k, g.Admissions[k]))
			}
			fmt.Fprintf(&b, ", admissions = { %s }", strings.Join(kv, ", "))
		}
		if g.LastExit != "" {
			fmt.Fprintf(&b, ", last_exit = %s, last_exit_reason = %s", TOMLString(g.LastExit), TOMLString(g.LastExitReason))
		}
		if len(g.CaseMix) > 0 {
			var kv []string
			for _, k := range sortedKeys(g.CaseMix) {
				kv = append(kv, k+" = "+TOMLString(g.CaseMix[k]))
			}
			fmt.Fprintf(&b, ", case_mix = { %s }", strings.Join(kv, ", "))
		}
		b.WriteString(" },\n")
	}
	b.WriteString("]\n")
	return []byte(b.String())
}
