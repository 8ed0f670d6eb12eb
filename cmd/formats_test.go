package cmd

import (
	"encoding/csv"
	"encoding/json"
	"path/filepath"
	"strings"
	"testing"
)

// TestCompareOneDocument: compare with two alternatives prints one CSV, with
// the alternative in a column, or one JSON document.
func TestCompareOneDocument(t *testing.T) {
	dir := t.TempDir()
	args := append([]string{"compare", "baseline", "more-detox-beds", "waiting-time-programme"}, tinyRun...)
	code, out, stderr := execute(t, append(args, "--format", "csv", "--out", filepath.Join(dir, "c"))...)
	if code != exitOK {
		t.Fatalf("exit %d: %s", code, stderr)
	}
	rows, err := csv.NewReader(strings.NewReader(out)).ReadAll()
	if err != nil {
		t.Fatalf("not one CSV document: %v", err)
	}
	if rows[0][0] != "alternative" || rows[0][1] != "metric" {
		t.Errorf("header %v", rows[0])
	}
	alts := map[string]int{}
	for _, r := range rows[1:] {
		if r[0] == "alternative" {
			t.Fatal("the header repeats")
		}
		alts[r[0]]++
	}
	if len(alts) != 2 || alts["more-detox-beds"] == 0 || alts["more-detox-beds"] != alts["waiting-time-programme"] {
		t.Errorf("%d alternatives in the first column, %d and %d rows; want 2, equal", len(alts), alts["more-detox-beds"], alts["waiting-time-programme"])
	}
	code, out, stderr = execute(t, append(args, "--format", "json", "--out", filepath.Join(dir, "j"))...)
	if code != exitOK {
		t.Fatalf("exit %d: %s", code, stderr)
	}
	var doc struct {
		Base         string `json:"base"`
		Alternatives []struct {
			Alternative string                     `json:"alternative"`
			Differences map[string]json.RawMessage `json:"differences"`
		} `json:"alternatives"`
	}
	if err := json.Unmarshal([]byte(out), &doc); err != nil {
		t.Fatalf("not one JSON document: %v", err)
	}
	if doc.Base != "baseline" || len(doc.Alternatives) != 2 || doc.Alternatives[1].Alternative != "waiting-time-programme" ||
		doc.Alternatives[0].Differences["deaths"] == nil {
		t.Errorf("JSON: base %q, %d alternatives", doc.Base, len(doc.Alternatives))
	}
}

// TestListsAsData: explain and scenarios print JSON and CSV.
func TestListsAsData(t *testing.T) {
	for _, args := range [][]string{{"scenarios"}, {"explain"}, {"explain", "--sources"}} {
		code, out, stderr := execute(t, append(args, "--format", "json")...)
		var rows []map[string]string
		if code != exitOK || json.Unmarshal([]byte(out), &rows) != nil || len(rows) < 10 {
			t.Errorf("%v --format json: exit %d, %d rows, %s", args, code, len(rows), stderr)
		}
		code, out, _ = execute(t, append(args, "--format", "csv")...)
		recs, err := csv.NewReader(strings.NewReader(out)).ReadAll()
		if code != exitOK || err != nil || len(recs) != len(rows)+1 {
			t.Errorf("%v --format csv: exit %d, %d records for %d JSON rows: %v", args, code, len(recs), len(rows), err)
		}
	}
}

// TestCheckWarns: check passes a file that is legal but most likely not
// meant, and says why.
func TestCheckWarns(t *testing.T) {
	f := writeFile(t, t.TempDir(), "posts.toml", "name = \"Posts\"\nbase = \"case-managers-at-detox\"\n[places.case_management]\ncapacity = 2\n")
	code, out, _ := execute(t, "check", f)
	if code != exitOK || !strings.Contains(out, "ok, with a warning:") || !strings.Contains(out, "so 2 posts are capacity = 30") {
		t.Errorf("exit %d:\n%s", code, out)
	}
}

// TestSweepPathErrors: a sweep accepts the paths explain prints, and an
// error names the flag the user typed.
func TestSweepPathErrors(t *testing.T) {
	dir := t.TempDir()
	code, _, stderr := execute(t, "sweep", "--range", "places.detox.routes.dropped_out[0].probability=0.05:0.5", "--lhs", "2",
		"--replications", "1", "--warmup", "1y", "--horizon", "1y", "--quiet", "--out", filepath.Join(dir, "a"))
	if code != exitOK {
		t.Errorf("a route probability by its explain path: exit %d: %s", code, stderr)
	}
	code, _, stderr = execute(t, "sweep", "--vary", "places.detox.capacit=3,4", "--quiet", "--out", filepath.Join(dir, "b"))
	if code != exitError || !strings.Contains(stderr, "--vary: places.detox.capacit: unknown key") {
		t.Errorf("a misspelt --vary path: exit %d: %s", code, stderr)
	}
}
