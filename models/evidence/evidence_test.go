package evidence

import (
	"bytes"
	"os"
	"path/filepath"
	"regexp"
	"slices"
	"strconv"
	"strings"
	"testing"
)

// The evidence folder sits beside the repository in CI and in the workspace.
var sharedDir = filepath.Join("..", "..", "..", "shared", "evidence")

func readShared(t *testing.T, name string) string {
	t.Helper()
	b, err := os.ReadFile(filepath.Join(sharedDir, name))
	if err != nil {
		t.Skipf("%s not available: %v", name, err)
	}
	return string(b)
}

func stripMarkdown(s string) string {
	return strings.TrimSpace(strings.ReplaceAll(s, "*", ""))
}

// A cell that points at another row; the TSV holds the text pointed to.
var backRef = regexp.MustCompile(`^as [A-Z][0-9]+\b|URL \([A-Z][0-9]+\)|URL above|^see [A-Z][0-9]+$`)

func TestEveryMarkdownRowIsPresent(t *testing.T) {
	md := readShared(t, "parameters.md")
	row := regexp.MustCompile(`(?m)^\| ([A-Z][0-9]+) \|.*$`)
	var want []string
	for _, line := range row.FindAllString(md, -1) {
		cells := strings.Split(strings.Trim(line, "| "), "|")
		if len(cells) != 8 {
			t.Errorf("%.20s…: %d cells in the Markdown, want 8", line, len(cells))
			continue
		}
		for i := range cells {
			cells[i] = stripMarkdown(cells[i])
		}
		id := cells[0]
		want = append(want, id)
		s, ok := Lookup(id)
		if !ok {
			t.Errorf("%s is in parameters.md but not in sources.tsv", id)
			continue
		}
		if v := !strings.Contains(line, "NOT VERIFIED"); s.Verified != v {
			t.Errorf("%s: Verified = %v, want %v", id, s.Verified, v)
		}
		got := []string{s.ID, s.Parameter, s.Value, s.Unit, s.Setting, s.Citation, s.URL, s.Quality}
		for i, c := range cells {
			switch {
			case got[i] == "":
				t.Errorf("%s column %d is empty", id, i+1)
			case backRef.MatchString(c):
				if backRef.MatchString(got[i]) {
					t.Errorf("%s column %d: back-reference %q not resolved", id, i+1, got[i])
				}
			case got[i] != c:
				t.Errorf("%s column %d = %q, parameters.md has %q", id, i+1, got[i], c)
			}
		}
	}
	// The rows this project found beyond parameters.md (X1, …) follow it.
	got := slices.DeleteFunc(IDs(), func(id string) bool { return strings.HasPrefix(id, "X") })
	if !slices.Equal(got, want) {
		t.Errorf("IDs() has %d ids, parameters.md %d:\n got %v\nwant %v", len(got), len(want), got, want)
	}
	if len(want) == 0 {
		t.Fatal("no rows found in parameters.md")
	}
}

// TestAddedRows: the rows found beyond parameters.md are X rows, not in
// parameters.md, verified or not, each with every column filled.
func TestAddedRows(t *testing.T) {
	md, _ := os.ReadFile(filepath.Join(sharedDir, "parameters.md"))
	n := 0
	for _, s := range All() {
		if !strings.HasPrefix(s.ID, "X") {
			continue
		}
		n++
		if bytes.Contains(md, []byte("| "+s.ID+" |")) {
			t.Errorf("%s is in parameters.md too: take it out of added.tsv", s.ID)
		}
		for i, c := range []string{s.Parameter, s.Value, s.Unit, s.Setting, s.Citation, s.URL, s.Quality} {
			if c == "" {
				t.Errorf("%s column %d is empty", s.ID, i+2)
			}
		}
	}
	if n == 0 {
		t.Error("no X rows")
	}
}

func TestTargetsMatchMarkdown(t *testing.T) {
	md := readShared(t, "targets.md")
	var want []int
	for _, m := range regexp.MustCompile(`(?m)^([0-9]+)\. \*\*`).FindAllStringSubmatch(md, -1) {
		n, _ := strconv.Atoi(m[1])
		want = append(want, n)
	}
	var got []int
	for _, tg := range Targets() {
		if tg.Added {
			continue
		}
		got = append(got, tg.Number)
		if !strings.Contains(stripMarkdown(strings.Join(strings.Fields(md), " ")), tg.Text) {
			t.Errorf("target %d: text not found in targets.md: %q", tg.Number, tg.Text)
		}
	}
	if !slices.Equal(got, want) {
		t.Errorf("target numbers %v, targets.md has %v", got, want)
	}
}

func TestTargets(t *testing.T) {
	ts := Targets()
	if len(ts) == 0 {
		t.Fatal("no targets")
	}
	for _, tg := range ts {
		if tg.Title == "" || tg.Text == "" {
			t.Errorf("target %d: empty title or text", tg.Number)
		}
		for _, id := range tg.Sources {
			if s, ok := Lookup(id); !ok || !s.Verified {
				t.Errorf("target %d: source %q is not a verified row", tg.Number, id)
			}
		}
	}
	first := ts[0]
	if first.Number != 3 || !slices.Equal(first.Sources, []string{"G1", "G2", "G3"}) {
		t.Errorf("first target = %d %v, want 3 [G1 G2 G3]", first.Number, first.Sources)
	}
	ts[0].Sources[0] = "changed"
	if Targets()[0].Sources[0] != "G1" {
		t.Error("Targets returns shared slices")
	}
}

func TestLookup(t *testing.T) {
	s, ok := Lookup("J4")
	if !ok {
		t.Fatal("J4 not found")
	}
	if !strings.Contains(s.Citation, "Cornish et al 2010") || !s.Verified {
		t.Errorf("J4 = %+v, want the Cornish 2010 citation, verified", s)
	}
	if l, ok := Lookup(" j4 "); !ok || l != s {
		t.Error(`Lookup(" j4 ") differs from Lookup("J4")`)
	}
	if _, ok := Lookup("Q9"); ok {
		t.Error("Q9 found")
	}
	for _, id := range []string{"D7", "F9", "F10"} {
		if s, ok := Lookup(id); !ok || s.Verified {
			t.Errorf("%s: ok=%v verified=%v, want present and not verified", id, ok, s.Verified)
		}
	}
	all := All()
	all[0].ID = "changed"
	if All()[0].ID != "A1" || IDs()[0] != "A1" {
		t.Error("All returns a shared slice, or the table does not start at A1")
	}
}

func TestNoTabsOrMarkup(t *testing.T) {
	for _, s := range All() {
		for _, f := range []string{s.ID, s.Parameter, s.Value, s.Unit, s.Setting, s.Citation, s.URL, s.Quality} {
			if f == "" || strings.ContainsAny(f, "\t\n*") || f != strings.TrimSpace(f) {
				t.Errorf("%s: bad field %q", s.ID, f)
			}
		}
	}
	for _, tg := range Targets() {
		for _, f := range append([]string{tg.Title, tg.Text}, tg.Sources...) {
			if strings.ContainsAny(f, "\t\n") || strings.Contains(f, "**") {
				t.Errorf("target %d: bad field %q", tg.Number, f)
			}
		}
	}
}

func TestParseRefAccepts(t *testing.T) {
	for _, c := range []struct {
		ref, kind string
		ids       []string
	}{
		{"C3", Cited, []string{"C3"}},
		{"C3, D4", Cited, []string{"C3", "D4"}},
		{"C3,D4", Cited, []string{"C3", "D4"}},
		{" c3 ,  d4 ", Cited, []string{"C3", "D4"}},
		{"J1, J3", Cited, []string{"J1", "J3"}},
		{"derived: A6, A5", Derived, []string{"A6", "A5"}},
		{"calibrated: C1", Calibrated, []string{"C1"}},
		{"Calibrated: G6, G7", Calibrated, []string{"G6", "G7"}},
		{"derived:A6", Derived, []string{"A6"}},
		{"Derived: g6, G7,G8", Derived, []string{"G6", "G7", "G8"}},
		{"assumption", Assumption, nil},
		{"calibrated", Calibrated, nil},
		{" Assumption ", Assumption, nil},
	} {
		ids, kind, err := ParseRef(c.ref)
		if err != nil || kind != c.kind || !slices.Equal(ids, c.ids) {
			t.Errorf("ParseRef(%q) = %v, %q, %v; want %v, %q, nil", c.ref, ids, kind, err, c.ids, c.kind)
		}
		if err := CheckRef(c.ref); err != nil {
			t.Errorf("CheckRef(%q) = %v", c.ref, err)
		}
	}
}

func TestCheckRefRejects(t *testing.T) {
	const use = `use a row id of the evidence table (journeysim explain --sources lists them), "derived: <ids>", "assumption" or "calibrated"`
	for _, c := range []struct{ ref, msg string }{
		{"Q9", `unknown source "Q9": ` + use},
		{"q9", `unknown source "q9": ` + use},
		{"J13", `unknown source "J13": ` + use},
		{"C3, Q9", `unknown source "Q9": ` + use},
		{"derived: A6, Z1", `unknown source "Z1": ` + use},
		{"C03", `unknown source "C03" (did you mean C3?): ` + use},
		{"c-3", `unknown source "c-3" (did you mean C3?): ` + use},
		{"3C", `unknown source "3C" (did you mean C3?): ` + use},
		{"C3; D4", `unknown source "C3; D4" (did you mean "C3, D4"?): ` + use},
		{"D1-D3", `unknown source "D1-D3" (did you mean "D1, D2, D3"?): ` + use},
		{"D1–D7", `unknown source "D1–D7" (did you mean "D1, D2, D3, D4, D5, D6"?): ` + use},
		{"assumed", `unknown source "assumed" (did you mean "assumption"?): ` + use},
		{"calibration", `unknown source "calibration" (did you mean "calibrated"?): ` + use},
		{"", `empty source: ` + use},
		{"  ", `empty source: ` + use},
		{"D7", `source "D7" is NOT VERIFIED in the evidence table and cannot be cited; cite a verified row, "assumption" or "calibrated"`},
		{"F9", `source "F9" is NOT VERIFIED in the evidence table and cannot be cited; cite a verified row, "assumption" or "calibrated"`},
		{"f10", `source "f10" is NOT VERIFIED in the evidence table and cannot be cited; the closest verified rows are F1, F2`},
		{"derived: F10", `source "F10" is NOT VERIFIED in the evidence table and cannot be cited; the closest verified rows are F1, F2`},
		{"C3 (Ventura cohort)", `source "C3 (Ventura cohort)": free text is not allowed in a source; write only row ids ("C3, D4"), "derived: <ids>", "assumption" or "calibrated", and put notes in the note field`},
		{"assumption (expert view)", `source "assumption (expert view)": free text is not allowed in a source; write only row ids ("C3, D4"), "derived: <ids>", "assumption" or "calibrated", and put notes in the note field`},
		{"derived:", `source "derived:" names no rows: write "derived: A6" or "derived: A6, A5"`},
		{"derived A6", `source "derived A6": write "derived: A6"`},
		{"see: C3", `source "see: C3": the only prefixes allowed are "derived:" and "calibrated:"`},
		{"calibrated:", `source "calibrated:" names no rows: write "calibrated: A6" or "calibrated: A6, A5"`},
		{"C3,", `source "C3," has an empty entry in its list of rows`},
		{"C3, c3", `source "C3, c3" names C3 twice`},
	} {
		err := CheckRef(c.ref)
		if err == nil {
			t.Errorf("CheckRef(%q) = nil, want %s", c.ref, c.msg)
			continue
		}
		if err.Error() != c.msg {
			t.Errorf("CheckRef(%q) =\n  %s\nwant\n  %s", c.ref, err, c.msg)
		}
		if ids, kind, perr := ParseRef(c.ref); perr == nil || ids != nil || kind != "" {
			t.Errorf("ParseRef(%q) = %v, %q, %v; want an error only", c.ref, ids, kind, perr)
		}
	}
}
