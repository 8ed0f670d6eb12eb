package output

import (
	"encoding/csv"
	"io"
	"strconv"
)

// A CSVWriter is encoding/csv's writer with every cell made safe to open in
// a spreadsheet: a cell that would start a formula (=, +, -, @, a tab or a
// carriage return) and is not a number is written with a leading
// apostrophe, as OWASP advises, so a scenario name or a swept value such
// as =HYPERLINK(…) is shown as text, never run.
type CSVWriter struct {
	*csv.Writer
	row []string
}

// NewCSVWriter returns a CSVWriter writing to w.
func NewCSVWriter(w io.Writer) *CSVWriter { return &CSVWriter{Writer: csv.NewWriter(w)} }

func newCSVWriter(w io.Writer) *CSVWriter { return NewCSVWriter(w) }

// Write writes one row, each cell made safe.
func (w *CSVWriter) Write(row []string) error {
	w.row = w.row[:0]
	for _, c := range row {
		w.row = append(w.row, SafeCell(c))
	}
	return w.Writer.Write(w.row)
}

// SafeCell returns c as a spreadsheet shows it without running it.
func SafeCell(c string) string {
	if c == "" {
		return c
	}
	switch c[0] {
	case '=', '+', '-', '@', '\t', '\r':
		if _, err := strconv.ParseFloat(c, 64); err != nil {
			return "'" + c
		}
	}
	return c
}
