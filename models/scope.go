package models

import (
	"maps"
	"slices"

	"github.com/journeysim/journeysim/models/scenario"
)

// newScope builds the names a scenario's conditions may use, and where the
// client record keeps each. A layout that cannot be built (too many
// attributes, places or counts for the record) is an error, with the
// scope left without one: every condition then fails to compile.
func newScope(s *scenario.Scenario) (*Scope, error) {
	sc := &Scope{Parallel: map[string]int{}, Policy: map[string]any{}}
	attrs := slices.Sorted(maps.Keys(s.CaseMix))
	if len(attrs) > scenario.MaxAttributes {
		attrs = attrs[:scenario.MaxAttributes]
	}
	for _, a := range attrs {
		sc.Attributes = append(sc.Attributes, Attribute{Name: a, Levels: slices.Sorted(maps.Keys(s.CaseMix[a]))})
	}
	for _, k := range slices.Sorted(maps.Keys(s.Policy)) {
		sc.Policy[k] = s.Policy[k].V
		if a := s.Policy[k].Allowed; len(a) > 0 {
			if sc.allowed == nil {
				sc.allowed = map[string][]string{}
			}
			sc.allowed[k] = a
		}
	}
	sc.Places = slices.Sorted(maps.Keys(s.Places))
	for _, n := range sc.Places { // parallel index: order among parallel places
		if p := s.Places[n]; p != nil && p.Kind == scenario.KindParallel {
			sc.Parallel[n] = len(sc.Parallel)
		}
	}
	sc.Reasons = s.Reasons()
	rd := s.Reads()
	sc.counted = rd.Admissions
	sc.lastStayUnread = !rd.LastStay
	sc.ages = s.Ages != nil
	for _, p := range s.Places {
		sc.justice = sc.justice || p != nil && p.Justice
	}
	sc.treatment = map[string]bool{}
	for _, n := range sc.Places {
		if p := s.Places[n]; p != nil && p.IsTreatment() {
			sc.treatment[n] = true
		}
	}
	lay, err := newLayout(sc)
	if err != nil {
		return sc, err
	}
	sc.lay = lay
	return sc, nil
}
