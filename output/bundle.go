package output

import (
	"io"

	"github.com/journeysim/journeysim/models/result"
)

// RunBundle makes the result files of one scenario's run: summary.json,
// summary.csv, replications.csv and timeseries.csv. AddRunFigures adds the
// run's figures to the bundle.
func RunBundle(meta Meta, m *result.Layout, rs []*result.Result) (*Bundle, error) {
	ss := Summarize(m, rs)
	series := SummarizeSeries(m, rs)
	b := &Bundle{}
	for _, f := range []struct {
		name  string
		write func(io.Writer) error
	}{
		{"summary.json", func(w io.Writer) error { return WriteSummaryJSON(w, meta, ss) }},
		{"summary.csv", func(w io.Writer) error { return WriteSummaryCSV(w, ss) }},
		{"replications.csv", func(w io.Writer) error { return WriteReplicationsCSV(w, m, rs) }},
		{"timeseries.csv", func(w io.Writer) error { return WriteTimeseriesCSV(w, series) }},
	} {
		if err := b.Add(f.name, f.write); err != nil {
			return nil, err
		}
	}
	return b, nil
}
