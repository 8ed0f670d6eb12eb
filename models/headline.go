package models

import "github.com/journeysim/journeysim/models/result"

// Headline returns the indices of the headline metrics the model has.
func (m *Model) Headline() []int {
	var idx []int
	for _, n := range result.HeadlineMetrics {
		if i := m.MetricIndex(n); i >= 0 {
			idx = append(idx, i)
		}
	}
	return idx
}
