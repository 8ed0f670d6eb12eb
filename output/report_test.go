package output

import (
	"bytes"
	"context"
	"regexp"
	"strings"
	"testing"

	"github.com/journeysim/journeysim/models"
)

func smallReport(t *testing.T) *Report {
	t.Helper()
	sc, err := models.Load("baseline", []string{"run.replications=3", `run.warmup="2y"`, `run.horizon="2y"`})
	if err != nil {
		t.Fatal(err)
	}
	m, err := models.Build(sc)
	if err != nil {
		t.Fatal(err)
	}
	rs, err := m.Replicate(context.Background(), sc.Seed(), 3, 2, nil)
	if err != nil {
		t.Fatal(err)
	}
	meta := Meta{Scenario: "baseline", Name: sc.Name, Seed: sc.Seed(), Version: "test", Replications: 3,
		WarmupDays: sc.Warmup(), HorizonDays: sc.Horizon()}
	r, err := NewReport(meta, m.Layout(), rs, Machine{GoVersion: "go", OS: "linux", Arch: "amd64", CPUs: 2, Workers: 2})
	if err != nil {
		t.Fatal(err)
	}
	return r
}

// TestReportHTMLSelfContained checks the HTML refers to no file or URL
// outside itself and embeds every figure as SVG.
func TestReportHTMLSelfContained(t *testing.T) {
	if testing.Short() {
		t.Skip("runs the baseline")
	}
	r := smallReport(t)
	var b bytes.Buffer
	if err := r.WriteHTML(&b); err != nil {
		t.Fatal(err)
	}
	html := b.String()
	if len(r.Figures) < 4 {
		t.Fatalf("only %d figures", len(r.Figures))
	}
	if n := strings.Count(html, "<svg"); n != len(r.Figures) {
		t.Errorf("%d inline SVGs for %d figures", n, len(r.Figures))
	}
	for _, f := range r.Figures {
		if !strings.Contains(html, `id="fig-`+f.Name+`"`) {
			t.Errorf("figure %s not embedded", f.Name)
		}
	}
	// Nothing external: no URLs, no src attributes, no links to other files.
	for _, re := range []string{`https?://`, `\bsrc=`, `<link\b`, `<script\b`, `@import`} {
		if loc := regexp.MustCompile(re).FindStringIndex(stripNamespaces(html)); loc != nil {
			t.Errorf("report refers outside itself (%s): …%s…", re, html[max(0, loc[0]-40):min(len(html), loc[1]+40)])
		}
	}
	// url(…) only for inline data (embedded fonts) or ids in the same SVG.
	for _, m := range regexp.MustCompile(`url\(['"]?([^)'"]*)`).FindAllStringSubmatch(html, -1) {
		if !strings.HasPrefix(m[1], "#") && !strings.HasPrefix(m[1], "data:") {
			t.Errorf("report loads %q", m[1])
		}
	}
	for _, h := range []string{"1. Objectives", "2. Model logic", "3. Data sources", "4. Experimentation", "5. Implementation", "6. Code access",
		"Headline results", "@page { size: A4", "C1: Day &amp; Strang 2011"} {
		if !strings.Contains(html, h) {
			t.Errorf("report lacks %q", h)
		}
	}
	// SVG ids are unique across figures.
	seen := map[string]bool{}
	for _, m := range regexp.MustCompile(`id="([^"]+)"`).FindAllStringSubmatch(html, -1) {
		if seen[m[1]] {
			t.Errorf("duplicate id %q", m[1])
			break
		}
		seen[m[1]] = true
	}
}

// stripNamespaces removes XML namespace declarations, which are URIs that
// identify, not fetch.
func stripNamespaces(s string) string {
	return regexp.MustCompile(`xmlns(:\w+)?="[^"]*"`).ReplaceAllString(s, "")
}

func TestReportMarkdown(t *testing.T) {
	if testing.Short() {
		t.Skip("runs the baseline")
	}
	r := smallReport(t)
	var b bytes.Buffer
	if err := r.WriteMarkdown(&b); err != nil {
		t.Fatal(err)
	}
	md := b.String()
	for _, f := range r.Figures {
		if !strings.Contains(md, "]("+f.Name+".png)") {
			t.Errorf("markdown does not show %s.png", f.Name)
		}
	}
	for _, h := range []string{"# Baseline", "## Headline results", "## Method (STRESS-DES)", "### 4. Experimentation", "| places.detox.capacity | 6 | assumption |"} {
		if !strings.Contains(md, h) {
			t.Errorf("markdown lacks %q", h)
		}
	}
}

// TestReportValidation checks that the validation page shows every row,
// its group headings and notes, as an HTML table and a Markdown table, and
// that a report without validation has no such page.
func TestReportValidation(t *testing.T) {
	if testing.Short() {
		t.Skip("runs the baseline")
	}
	r := smallReport(t)
	var b bytes.Buffer
	if err := r.WriteHTML(&b); err != nil {
		t.Fatal(err)
	}
	if strings.Contains(b.String(), "<h2>Validation</h2>") {
		t.Error("a report without validation has a validation page")
	}
	r.Validation = &ValidationTable{
		Intro:  []string{"Validation against published targets: 2 paired replications"},
		Header: []string{"check", "", "published", "simulated", "95% CI", "tolerance", "result"},
		Rows: [][]string{{"3. Exit mix (NDTMS 2007-08)"},
			{"3a", "Completions as a share of exits", "0.43 to 0.505", "0.4612", "0.45 to 0.47", "±0.004", "pass"},
			{"18a", "Case managers at detox: distinct clients treated", "at least 50.0%", "0.7%", "0.5% to 0.9%", "-", "FAIL by 49.3%"}},
		Notes: []string{"† calibration target: the baseline was fitted to it"},
	}
	b.Reset()
	if err := r.WriteHTML(&b); err != nil {
		t.Fatal(err)
	}
	html := b.String()
	for _, want := range []string{"<h2>Validation</h2>", `<th colspan="7">3. Exit mix (NDTMS 2007-08)</th>`,
		"<td>18a</td><td>Case managers at detox: distinct clients treated</td>", "<td>FAIL by 49.3%</td>", "† calibration target"} {
		if !strings.Contains(html, want) {
			t.Errorf("HTML lacks %q", want)
		}
	}
	b.Reset()
	if err := r.WriteMarkdown(&b); err != nil {
		t.Fatal(err)
	}
	md := b.String()
	for _, want := range []string{"## Validation", "| **3. Exit mix (NDTMS 2007-08)** |  |  |  |  |  |  |",
		"| 3a | Completions as a share of exits | 0.43 to 0.505 | 0.4612 | 0.45 to 0.47 | ±0.004 | pass |"} {
		if !strings.Contains(md, want) {
			t.Errorf("Markdown lacks %q", want)
		}
	}
}
