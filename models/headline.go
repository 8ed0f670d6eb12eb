package models

// HeadlineMetrics are the system-wide metrics a planner reads first; a
// shipped scenario's replications are chosen so that each one's 95% CI is
// within ±5% of its mean.
var HeadlineMetrics = []string{
	"presentations",
	"distinct_clients_treated",
	"clients_admitted",
	"person_years.in_treatment",
	"completion_rate",
	"exit_share.completed",
	"exit_share.dropped_out",
	"retained_12w.community",
	"repeat_detox_share",
	"linkage_30d.detox",
	"deaths",
}

// Headline returns the indices of the headline metrics the model has.
func (m *Model) Headline() []int {
	var idx []int
	for _, n := range HeadlineMetrics {
		if i := m.MetricIndex(n); i >= 0 {
			idx = append(idx, i)
		}
	}
	return idx
}
