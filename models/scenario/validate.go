package scenario

import (
	"fmt"
	"math"
	"regexp"
	"sort"
	"strconv"
	"strings"

	"github.com/journeysim/journeysim/models/internal/suggest"
)

// Built-in places every scenario has: a client sent to dead dies, one sent
// to gone leaves the model (moved away, or recovered and no longer followed).
const (
	PlaceDead = "dead"
	PlaceGone = "gone"
)

// ExitReneged is the route key for clients who give up waiting.
const ExitReneged = "reneged"

// Defaults for a scenario that leaves [run] out.
const (
	defaultSeed         = 1
	defaultReplications = 20
	defaultWarmup       = 3 * daysPerYear
	defaultHorizon      = 10 * daysPerYear
)

var nameRE = regexp.MustCompile(`^[a-z][a-z0-9_]*$`)

const sumTolerance = 1e-6

type checker struct {
	probs Problems
}

func (c *checker) add(key, format string, a ...any) {
	c.probs = append(c.probs, Problem{Key: key, Msg: fmt.Sprintf(format, a...)})
}

// Validate checks the rules that span keys and need no compiled model:
// references between places, probabilities that must sum to one, the names
// conditions may use, and reachability. It returns every problem found.
// models.Check adds what needs the model: conditions compiled against the
// client record, and the model built.
func (s *Scenario) Validate() Problems {
	c := &checker{}
	s.validateRun(c)
	s.validateNames(c)
	s.validateArrivals(c)
	s.validateAges(c)
	for _, name := range sortedKeys(s.Places) {
		s.validatePlace(c, name, s.Places[name])
	}
	s.validateFollowups(c)
	s.validateEconomics(c)
	s.validateStart(c)
	for i, bc := range s.BudgetChanges {
		for _, n := range bc.Places {
			if _, ok := s.Places[n]; !ok {
				c.add(fmt.Sprintf("budget_changes[%d].places", i), "unknown place %q%s", n, s.didYouMeanPlace(n))
			}
		}
	}
	if len(c.probs) == 0 {
		s.validateGraph(c)
	}
	return c.probs
}

func (s *Scenario) validateRun(c *checker) {
	r := s.Run
	if r.Replications != nil && *r.Replications < 1 {
		c.add("run.replications", "must be at least 1, not %d", *r.Replications)
	}
	if r.Seed != nil && *r.Seed < 0 {
		c.add("run.seed", "must not be negative")
	}
	if r.DriftTolerance != nil && !(*r.DriftTolerance > 0 && *r.DriftTolerance < 1) {
		c.add("run.drift_tolerance", "a share of a stock's mean above 0 and below 1, as 0.03, not %g", *r.DriftTolerance)
	}
	if r.Horizon != nil && r.Horizon.Days() <= 0 {
		c.add("run.horizon", "must be longer than 0d")
	}
}

// Seed returns the scenario's master seed.
func (s *Scenario) Seed() uint64 {
	if s.Run.Seed != nil {
		return uint64(*s.Run.Seed)
	}
	return defaultSeed
}

// Replications returns the number of replications the scenario asks for.
func (s *Scenario) Replications() int {
	if s.Run.Replications != nil {
		return *s.Run.Replications
	}
	return defaultReplications
}

// Warmup returns the warm-up in days: with "auto", the one chosen, or 0
// before it is.
func (s *Scenario) Warmup() float64 {
	if s.Run.Warmup != nil {
		return s.Run.Warmup.D.Days()
	}
	return defaultWarmup
}

// WarmupAuto reports whether run.warmup is "auto".
func (s *Scenario) WarmupAuto() bool { return s.Run.Warmup != nil && s.Run.Warmup.Auto }

// DriftTolerance returns run.drift_tolerance, or 0 for the default.
func (s *Scenario) DriftTolerance() float64 {
	if s.Run.DriftTolerance != nil {
		return *s.Run.DriftTolerance
	}
	return 0
}

// Horizon returns the measured run length after warm-up, in days.
func (s *Scenario) Horizon() float64 {
	if s.Run.Horizon != nil {
		return s.Run.Horizon.Days()
	}
	return defaultHorizon
}

// validateNames checks the names conditions may use: the case mix, the
// policies, the number of places and exit reasons, and the report's
// breakdowns.
func (s *Scenario) validateNames(c *checker) {
	attrs := sortedKeys(s.CaseMix)
	if len(attrs) > MaxAttributes {
		c.add("case_mix", "at most %d attributes, not %d", MaxAttributes, len(attrs))
		attrs = attrs[:MaxAttributes]
	}
	for _, a := range attrs {
		key := "case_mix." + a
		if !nameRE.MatchString(a) {
			c.add(key, "attribute names are lowercase letters, digits and _")
		}
		mix := s.CaseMix[a]
		levels := sortedKeys(mix)
		if len(levels) == 0 {
			c.add(key, "needs at least one level with its share, as in { opiate = 0.52, non_opiate = 0.48 }")
		}
		if len(levels) > 255 {
			c.add(key, "at most 255 levels")
		}
		var shares sumOf
		for _, l := range levels {
			v := mix[l].V
			if v < 0 || v > 1 {
				c.add(key+"."+l, "a share must be between 0 and 1, not %g", v)
			}
			shares.add(l, v)
		}
		if len(levels) > 0 && !shares.isOne() {
			c.add(key, "shares must sum to 1, not %s", shares)
		}
	}
	if n := len(s.Places); n > MaxPlaces {
		c.add("places", "at most %d places, not %d", MaxPlaces, n)
	}
	if n := len(s.Reasons()); n > MaxReasons {
		c.add("places", "at most %d exit reasons in all, not %d", MaxReasons, n)
	}
	s.validatePolicies(c, s.Reads().Policies)
	for _, b := range s.Report.By {
		if _, ok := s.CaseMix[b]; !ok {
			c.add("report.by", "unknown attribute %q (case_mix has: %s)", b, strings.Join(attrs, ", "))
		}
	}
}

// Reasons returns every exit reason used by any place, sorted, with
// "died" and "reneged" always present.
func (s *Scenario) Reasons() []string {
	set := map[string]bool{"died": true, ExitReneged: true}
	for _, p := range s.Places {
		if p == nil {
			continue
		}
		for r := range p.Exits {
			set[r] = true
		}
	}
	return sortedKeys(set)
}

func (s *Scenario) validateArrivals(c *checker) {
	a := s.Arrivals
	if a.PerYear == nil {
		c.add("arrivals.per_year", "required: new presentations a year")
	} else if a.PerYear.V < 0 {
		c.add("arrivals.per_year", "must not be negative")
	}
	if a.Scale != nil && a.Scale.V <= 0 {
		c.add("arrivals.scale", "must be positive")
	}
	if s.Scale != nil && !(s.Scale.V > 0 && s.Scale.V <= 1e6) {
		c.add("scale", "must be above 0 and at most a million: it multiplies the arrivals and every capacity")
	}
	if a.Trend != nil && a.Trend.V <= -1 {
		c.add("arrivals.trend", "a yearly relative change must be above -1")
	}
	if a.To == "" {
		c.add("arrivals.to", "required: the place new presentations enter")
	} else if p, ok := s.Places[a.To]; !ok {
		c.add("arrivals.to", "unknown place %q%s", a.To, s.didYouMeanPlace(a.To))
	} else if p.Kind == KindParallel {
		c.add("arrivals.to", "%q is a parallel place; arrivals enter a capacity, open or state place", a.To)
	}
}

func (s *Scenario) didYouMeanPlace(name string) string {
	known := append(sortedKeys(s.Places), PlaceDead, PlaceGone)
	if sg := suggest.Closest(name, known); sg != "" {
		return fmt.Sprintf("; did you mean %q?", sg)
	}
	return " (places: " + strings.Join(known, ", ") + ")"
}

// validateGraph checks that every place can be reached and that every place
// reached leads, eventually, to death or leaving the model.
func (s *Scenario) validateGraph(c *checker) {
	next := map[string][]string{}
	for _, n := range sortedKeys(s.Places) {
		p := s.Places[n]
		for _, r := range sortedKeys(p.Routes) {
			for _, rt := range p.Routes[r] {
				next[n] = append(next[n], rt.Targets()...)
			}
		}
		if p.Mortality != nil && hazardCanFire(p.Mortality) {
			next[n] = append(next[n], PlaceDead)
		}
	}
	// A client sent to a place may go to one that takes its clients.
	takers := map[string][]string{}
	for _, n := range sortedKeys(s.Places) {
		for _, t := range s.Places[n].Takes {
			takers[t.From] = append(takers[t.From], n)
		}
	}
	reach := map[string]bool{}
	var visit func(string)
	visit = func(n string) {
		if reach[n] {
			return
		}
		reach[n] = true
		for _, m := range next[n] {
			visit(m)
		}
		for _, m := range takers[n] {
			visit(m)
		}
	}
	visit(s.Arrivals.To)
	for _, n := range sortedKeys(s.Places) {
		p := s.Places[n]
		if p.Kind == KindParallel {
			for _, j := range append(append([]string{}, p.JoinAt...), p.JoinAfter...) {
				if reach[j] {
					reach[n] = true
				}
			}
		}
	}
	for _, n := range sortedKeys(s.Places) {
		if !reach[n] {
			c.add("places."+n, "no client can reach this place: no route leads to it from arrivals.to (%q)", s.Arrivals.To)
		}
	}
	// Places from which dead or gone can be reached.
	canEnd := map[string]bool{PlaceDead: true, PlaceGone: true}
	for changed := true; changed; {
		changed = false
		for n, ms := range next {
			if canEnd[n] {
				continue
			}
			for _, m := range ms {
				if canEnd[m] {
					canEnd[n] = true
					changed = true
					break
				}
			}
		}
	}
	var trapped []string
	for _, n := range sortedKeys(s.Places) {
		if reach[n] && !canEnd[n] && s.Places[n].Kind != KindParallel {
			trapped = append(trapped, n)
		}
	}
	if len(trapped) > 0 {
		sort.Strings(trapped)
		from, mortality := "it", "it has"
		if len(trapped) > 1 {
			from, mortality = "these places", "none of them has"
		}
		c.add("places."+trapped[0], "clients who reach %s can never leave: no route from %s leads to dead or gone, and %s a mortality",
			andList(trapped), from, mortality)
	}
}

// sumOf is a sum of named terms, for messages that show how a total that
// must be 1 came about.
type sumOf struct {
	total float64
	terms []string
}

func (s *sumOf) add(name string, v float64) {
	s.total += v
	s.terms = append(s.terms, name+" "+formatNum(v))
}

func (s sumOf) isOne() bool { return math.Abs(s.total-1) <= sumTolerance }

// String gives the total and its terms: "0.9 (completed 0.6 + dropped_out 0.3)".
func (s sumOf) String() string {
	if len(s.terms) < 2 {
		return formatNum(s.total)
	}
	return formatNum(s.total) + " (" + strings.Join(s.terms, " + ") + ")"
}

// formatNum formats x to 10 significant digits, so that sums read 0.9
// rather than 0.8999999999999999.
func formatNum(x float64) string {
	y, _ := strconv.ParseFloat(strconv.FormatFloat(x, 'g', 10, 64), 64)
	return strconv.FormatFloat(y, 'g', -1, 64)
}

// andList joins names as "a", "a and b" or "a, b and c".
func andList(names []string) string {
	if len(names) < 2 {
		return strings.Join(names, "")
	}
	return strings.Join(names[:len(names)-1], ", ") + " and " + names[len(names)-1]
}

// Pinned returns the overrides that give another scenario this one's seed
// and replications, and with periods its warm-up and horizon too: what
// runs on common random numbers with it.
func (s *Scenario) Pinned(periods bool) []string {
	sets := []string{fmt.Sprintf("run.seed=%d", s.Seed()), fmt.Sprintf("run.replications=%d", s.Replications())}
	if periods {
		sets = append(sets, "run.warmup="+strconv.Quote(durationText(s.Warmup())), "run.horizon="+strconv.Quote(durationText(s.Horizon())))
	}
	return sets
}
