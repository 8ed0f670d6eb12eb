package models

import "github.com/journeysim/journeysim/models/result"

// Headline returns the indices of the headline metrics the model has,
// then the mean wait of every place with a waiting list.
func (m *Model) Headline() []int {
	var idx []int
	for _, n := range result.HeadlineMetrics {
		if i := m.MetricIndex(n); i >= 0 {
			idx = append(idx, i)
		}
	}
	for _, p := range m.places {
		if i := m.MetricIndex("wait_mean_days." + p.name); i >= 0 {
			idx = append(idx, i)
		}
	}
	return idx
}
