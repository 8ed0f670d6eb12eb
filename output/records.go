package output

import (
	"encoding/json"
	"io"
	"strings"
)

// WriteRecordsCSV writes n rows under header as one CSV document.
func WriteRecordsCSV(w io.Writer, header []string, n int, row func(int) []string) error {
	cw := NewCSVWriter(w)
	cw.Write(header)
	for i := range n {
		cw.Write(row(i))
	}
	cw.Flush()
	return cw.Error()
}

// WriteRecordsJSON writes n rows as a JSON array of objects keyed by
// header, in the header's order; empty cells are left out.
func WriteRecordsJSON(w io.Writer, header []string, n int, row func(int) []string) error {
	var b strings.Builder
	b.WriteString("[")
	for i := range n {
		if i > 0 {
			b.WriteString(",")
		}
		b.WriteString("\n  {")
		first := true
		for j, v := range row(i) {
			if v == "" {
				continue
			}
			if !first {
				b.WriteString(", ")
			}
			first = false
			k, _ := json.Marshal(header[j])
			x, _ := json.Marshal(v)
			b.Write(k)
			b.WriteString(": ")
			b.Write(x)
		}
		b.WriteString("}")
	}
	b.WriteString("\n]\n")
	_, err := io.WriteString(w, b.String())
	return err
}
