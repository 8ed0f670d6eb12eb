package cmd

import (
	"os"
	"path/filepath"
	"regexp"
	"slices"
	"strings"
	"testing"

	"github.com/xuri/excelize/v2"
)

// TestReportReadable checks what a board member reads of a comparison's
// report: the summary first, titled by the alternative; no metric ids or
// unformatted numbers before the appendices; under 1 MB; and a Markdown
// twin whose every link is a file in the output directory.
func TestReportReadable(t *testing.T) {
	dir := filepath.Join(t.TempDir(), "cmp")
	code, _, stderr := execute(t, "compare", "baseline", "case-managers-at-detox", "--replications", "3", "--warmup", "2y", "--horizon", "1y",
		"--report", "--quiet", "--out", dir)
	if code != exitOK {
		t.Fatalf("exit %d: %s", code, stderr)
	}
	html := mustRead(t, filepath.Join(dir, "report-case-managers-at-detox.html"))
	if len(html) > 1<<20 {
		t.Errorf("report is %d bytes, over 1 MB", len(html))
	}
	if !strings.Contains(html, "<h1>Case managers at detox compared with Baseline</h1>") {
		t.Error("the report is not titled by the alternative")
	}
	i, j := strings.Index(html, "<h2>Summary</h2>"), strings.Index(html, "<h2>Appendix")
	if i < 0 || j < i || strings.Index(html, "<h2>") < i {
		t.Fatalf("the summary does not come first, before the appendices (%d, %d)", i, j)
	}
	front := html[i:j]
	if k := strings.Index(front, "<figure"); k >= 0 {
		front = front[:k] // the figures' SVG text is the plots'
	}
	for _, id := range []string{"distinct_clients_treated", "days_to_treatment", "cost.total", "net_monetary_benefit", "roi.incremental", "GBP 2011"} {
		if strings.Contains(front, id) {
			t.Errorf("the front of the report shows %q", id)
		}
	}
	if m := regexp.MustCompile(`[^\w.,#-][0-9]{5,}`).FindString(front); m != "" {
		t.Errorf("the front of the report shows an unformatted number %q", m)
	}
	// A run's report: its summary first too, and no ids before the figures.
	rdir := filepath.Join(t.TempDir(), "run")
	if code, _, stderr := execute(t, "run", "--replications", "3", "--warmup", "2y", "--horizon", "1y", "--report", "--quiet", "--out", rdir); code != exitOK {
		t.Fatalf("run: exit %d: %s", code, stderr)
	}
	rhtml := mustRead(t, filepath.Join(rdir, "report.html"))
	ri, rj := strings.Index(rhtml, "<h2>Summary</h2>"), strings.Index(rhtml, "<h2>Figures</h2>")
	if ri < 0 || rj < ri || strings.Index(rhtml, "<h2>") < ri {
		t.Fatalf("the run's summary does not come first (%d, %d)", ri, rj)
	}
	for _, id := range []string{"distinct_clients_treated", "days_to_treatment", "cost.total", "GBP 2011", "dropped_out"} {
		if strings.Contains(rhtml[ri:rj], id) {
			t.Errorf("the front of the run's report shows %q", id)
		}
	}
	md := mustRead(t, filepath.Join(dir, "report-case-managers-at-detox.md"))
	for _, m := range regexp.MustCompile(`\]\(([^)]+)\)`).FindAllStringSubmatch(md, -1) {
		if _, err := os.Stat(filepath.Join(dir, m[1])); err != nil {
			t.Errorf("the Markdown links to %s, which is not there", m[1])
		}
	}
	for _, m := range regexp.MustCompile(`The numbers drawn are in ([a-z0-9/_-]+\.csv)\.`).FindAllStringSubmatch(html, -1) {
		if _, err := os.Stat(filepath.Join(dir, m[1])); err != nil {
			t.Errorf("a caption points to %s, which is not there", m[1])
		}
	}
}

// TestWorkbooks opens the workbooks a run and a comparison write, as a
// spreadsheet would: their sheets, their columns' units, numbers as
// numbers.
func TestWorkbooks(t *testing.T) {
	dir := t.TempDir()
	run, cmp := filepath.Join(dir, "run"), filepath.Join(dir, "cmp")
	for _, args := range [][]string{
		{"run", "--out", run},
		{"compare", "baseline", "more-detox-beds", "--out", cmp},
	} {
		args = append(args, "--replications", "2", "--warmup", "1y", "--horizon", "1y", "--quiet")
		if code, _, stderr := execute(t, args...); code != exitOK {
			t.Fatalf("%v: exit %d: %s", args, code, stderr)
		}
	}
	for path, want := range map[string][]string{
		filepath.Join(run, "results.xlsx"):                    {"Summary", "Economics", "Time series"},
		filepath.Join(cmp, "comparison-more-detox-beds.xlsx"): {"Summary", "Differences", "Economics", "Time series"},
	} {
		f, err := excelize.OpenFile(path)
		if err != nil {
			t.Fatal(err)
		}
		if got := f.GetSheetList(); !slices.Equal(got, want) {
			t.Errorf("%s: sheets %v, want %v", path, got, want)
		}
		for _, sh := range want {
			rows, err := f.GetRows(sh)
			if err != nil || len(rows) < 2 || !slices.ContainsFunc(rows[0], func(h string) bool { return strings.HasPrefix(h, "unit") }) {
				t.Errorf("%s, %s: header %v (%v): want a unit column", path, sh, rows[0], err)
			}
		}
		// People in treatment, a number, in clients a year.
		rows, _ := f.GetRows("Summary")
		found := false
		for _, r := range rows {
			if len(r) > 5 && r[1] == "distinct_clients_treated" {
				found = true
				if typ, _ := f.GetCellType("Summary", "C2"); typ == excelize.CellTypeSharedString || r[0] != "People in treatment" || r[5] != "clients per year" {
					t.Errorf("%s: %v", path, r)
				}
			}
		}
		if !found {
			t.Errorf("%s: no row for distinct_clients_treated", path)
		}
		f.Close()
	}
}
