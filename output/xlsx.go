package output

import (
	"archive/zip"
	"bytes"
	"fmt"
	"io"
	"math"
	"slices"
	"strings"
	"time"

	"github.com/journeysim/journeysim/models/result"
	"github.com/xuri/excelize/v2"
)

// A workbook for commissioners, who work in spreadsheets: the CSVs' tables
// as sheets, each column headed with its unit, numbers as numbers.

// A sheet is one table of a workbook.
type sheet struct {
	name   string
	header []string
	rows   [][]any // string, float64 (NaN left empty) or int
}

// writeWorkbook writes sheets as an .xlsx. Its document properties are
// fixed, so the same tables give the same bytes.
func writeWorkbook(w io.Writer, title string, sheets []sheet) error {
	f := excelize.NewFile()
	defer f.Close()
	if err := f.SetDocProps(&excelize.DocProperties{Title: title, Creator: "journeysim",
		Created: "2000-01-01T00:00:00Z", Modified: "2000-01-01T00:00:00Z"}); err != nil {
		return err
	}
	bold, err := f.NewStyle(&excelize.Style{Font: &excelize.Font{Bold: true}})
	if err != nil {
		return err
	}
	for i, sh := range sheets {
		if i == 0 {
			if err := f.SetSheetName("Sheet1", sh.name); err != nil {
				return err
			}
		} else if _, err := f.NewSheet(sh.name); err != nil {
			return err
		}
		sw, err := f.NewStreamWriter(sh.name)
		if err != nil {
			return err
		}
		if err := sw.SetPanes(&excelize.Panes{Freeze: true, YSplit: 1, TopLeftCell: "A2", ActivePane: "bottomLeft"}); err != nil {
			return err
		}
		head := make([]any, len(sh.header))
		for j, h := range sh.header {
			head[j] = excelize.Cell{StyleID: bold, Value: h}
		}
		if err := sw.SetRow("A1", head); err != nil {
			return err
		}
		for r, row := range sh.rows {
			cells := make([]any, len(row))
			for j, v := range row {
				if x, ok := v.(float64); ok && (math.IsNaN(x) || math.IsInf(x, 0)) {
					v = nil
				}
				cells[j] = v
			}
			cell, _ := excelize.CoordinatesToCellName(1, r+2)
			if err := sw.SetRow(cell, cells); err != nil {
				return err
			}
		}
		if err := sw.Flush(); err != nil {
			return err
		}
	}
	var raw bytes.Buffer
	if _, err := f.WriteTo(&raw); err != nil {
		return err
	}
	return canonicalZip(w, raw.Bytes())
}

// canonicalZip copies the zip archive data to w with its entries in the
// order of their names: excelize writes its sheets in map order.
func canonicalZip(w io.Writer, data []byte) error {
	zr, err := zip.NewReader(bytes.NewReader(data), int64(len(data)))
	if err != nil {
		return err
	}
	files := slices.Clone(zr.File)
	slices.SortFunc(files, func(a, b *zip.File) int { return strings.Compare(a.Name, b.Name) })
	zw := zip.NewWriter(w)
	for _, zf := range files {
		h := zf.FileHeader
		h.Modified = time.Date(1980, 1, 1, 0, 0, 0, 0, time.UTC)
		dst, err := zw.CreateRaw(&h)
		if err != nil {
			return err
		}
		src, err := zf.OpenRaw()
		if err != nil {
			return err
		}
		if _, err := io.Copy(dst, src); err != nil {
			return err
		}
	}
	return zw.Close()
}

func summarySheet(ss []Summary) sheet {
	sh := sheet{name: "Summary", header: []string{"measure", "metric", "mean", "95% CI low", "95% CI high", "unit", "replications", "description"}}
	for _, s := range ss {
		sh.rows = append(sh.rows, []any{s.Label, s.Name, s.Mean, s.CILow, s.CIHigh, s.Unit, s.N, s.Description})
	}
	return sh
}

func seriesSheet(series []SeriesSummary) sheet {
	sh := sheet{name: "Time series", header: []string{"metric", "month", "mean", "95% CI low", "95% CI high", "unit"}}
	for _, s := range series {
		for i, m := range s.Month {
			sh.rows = append(sh.rows, []any{s.Name, m, s.Mean[i], s.CILow[i], s.CIHigh[i], s.Unit})
		}
	}
	return sh
}

func differencesSheet(ds []Difference, label func(string) string) sheet {
	sh := sheet{name: "Differences", header: []string{"measure", "metric", "base mean", "alternative mean", "difference", "95% CI low", "95% CI high", "relative change", "unit", "pairs"}}
	for _, d := range ds {
		sh.rows = append(sh.rows, []any{label(d.Name), d.Name, d.Base.Mean, d.Alt.Mean, d.Diff.Mean, d.Diff.CILow, d.Diff.CIHigh, d.Rel, d.Unit, d.Diff.N})
	}
	return sh
}

func economicsSheet(rows []EconomicsRow, label func(string) string) sheet {
	sh := sheet{name: "Economics", header: []string{"measure", "metric", "mean", "95% CI low", "95% CI high", "unit", "meaning"}}
	for _, e := range rows {
		sh.rows = append(sh.rows, []any{label(e.Measure), e.Measure, e.Mean, e.CILow, e.CIHigh, e.Unit, e.Note})
	}
	return sh
}

// WriteRunWorkbook writes a run's results.xlsx: its summary, time series
// and, if valued, economics.
func WriteRunWorkbook(w io.Writer, meta Meta, ss []Summary, series []SeriesSummary, econ []EconomicsRow) error {
	sheets := []sheet{summarySheet(ss)}
	if len(econ) > 0 {
		sheets = append(sheets, economicsSheet(econ, labelOf))
	}
	sheets = append(sheets, seriesSheet(series))
	return writeWorkbook(w, fmt.Sprintf("%s: journeysim results", meta.Name), sheets)
}

// labelOf is a metric's label with no model to name its places.
func labelOf(name string) string { return (*result.Layout)(nil).Label(name) }

// WriteComparisonWorkbook writes a comparison's .xlsx: the alternative's
// summary, the differences, the economics if valued, and its time series.
func WriteComparisonWorkbook(w io.Writer, alt Run, ds []Difference, econ []EconomicsRow) error {
	sheets := []sheet{summarySheet(Summarize(alt.Layout, alt.Results)), differencesSheet(ds, alt.Layout.Label)}
	if len(econ) > 0 {
		sheets = append(sheets, economicsSheet(econ, alt.Layout.Label))
	}
	sheets = append(sheets, seriesSheet(SummarizeSeries(alt.Layout, alt.Results)))
	return writeWorkbook(w, fmt.Sprintf("%s compared: journeysim", alt.Meta.Name), sheets)
}
