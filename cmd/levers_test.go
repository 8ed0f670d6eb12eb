package cmd

import (
	"os"
	"path/filepath"
	"regexp"
	"slices"
	"strings"
	"testing"

	"github.com/journeysim/journeysim/models"
	"github.com/journeysim/journeysim/models/scenario"
)

// shippedLevers lists the shipped scenarios that say what they are
// compared with, in order.
func shippedLevers(t *testing.T) []string {
	t.Helper()
	names, err := scenario.ScenarioNames(nil)
	if err != nil {
		t.Fatal(err)
	}
	var out []string
	for _, n := range names {
		sc, err := models.Load(n, nil)
		if err != nil {
			t.Fatal(err)
		}
		if sc.CompareWith != "" {
			out = append(out, n)
		}
	}
	return out
}

var leverRow = regexp.MustCompile("(?m)^\\| `([a-z0-9-]+)` \\| `([a-z0-9-]+)` \\|")

// TestLevers runs the lever table short and writes it into a file between
// its markers: a row for every shipped lever, against what it names, and
// the rest of the file untouched.
func TestLevers(t *testing.T) {
	if testing.Short() {
		t.Skip("runs every lever")
	}
	path := filepath.Join(t.TempDir(), "README.md")
	before, after := "# Title\n\ntext before\n"+leversBegin+"\n", leversEnd+"\n\ntext after\n"
	if err := os.WriteFile(path, []byte(before+"old table\n"+after), 0o644); err != nil {
		t.Fatal(err)
	}
	code, out, stderr := execute(t, "levers", "--replications", "2", "--warmup", "2y", "--horizon", "1y", "--quiet", "--update", path)
	if code != exitOK {
		t.Fatalf("levers: exit %d: %s%s", code, out, stderr)
	}
	b, _ := os.ReadFile(path)
	text := string(b)
	if !strings.HasPrefix(text, before) || !strings.HasSuffix(text, after) || strings.Contains(text, "old table") {
		t.Errorf("the file around the table changed, or the old table stayed:\n%s", text)
	}
	var got []string
	for _, m := range leverRow.FindAllStringSubmatch(text, -1) {
		got = append(got, m[1])
	}
	if want := shippedLevers(t); !slices.Equal(got, want) {
		t.Errorf("rows %v, want the shipped levers %v", got, want)
	}
	if !strings.Contains(text, "| `community-providers-recommissioned` | `community-providers` |") {
		t.Errorf("a lever is not compared with what it names:\n%s", text)
	}
	// No markers: an error naming the file, and the file left alone.
	plain := filepath.Join(t.TempDir(), "notes.md")
	os.WriteFile(plain, []byte("no markers\n"), 0o644)
	if code, _, stderr := execute(t, "levers", "--replications", "1", "--warmup", "1y", "--horizon", "1y", "--quiet", "--update", plain); code == exitOK || !strings.Contains(stderr, "notes.md") {
		t.Errorf("levers --update on a file with no markers: exit %d, %s", code, stderr)
	}
	if b, _ := os.ReadFile(plain); string(b) != "no markers\n" {
		t.Errorf("the file without markers changed: %q", b)
	}
}

// TestREADMELevers checks that the README's lever table has a row for every
// shipped lever, against what it names: a lever added without running
// journeysim levers --update README.md fails here.
func TestREADMELevers(t *testing.T) {
	b, err := os.ReadFile(filepath.Join("..", "README.md"))
	if err != nil {
		t.Fatal(err)
	}
	text := string(b)
	i, j := strings.Index(text, leversBegin), strings.Index(text, leversEnd)
	if i < 0 || j < i {
		t.Fatalf("README.md has no lever table between %q and %q", leversBegin, leversEnd)
	}
	var got []string
	for _, m := range leverRow.FindAllStringSubmatch(text[i:j], -1) {
		sc, err := models.Load(m[1], nil)
		if err != nil {
			t.Errorf("README lever %s: %v", m[1], err)
			continue
		}
		if sc.CompareWith != m[2] {
			t.Errorf("README compares %s with %s; the scenario says %q", m[1], m[2], sc.CompareWith)
		}
		got = append(got, m[1])
	}
	if want := shippedLevers(t); !slices.Equal(got, want) {
		t.Errorf("README lever rows %v, want the shipped levers %v: run journeysim levers --update README.md", got, want)
	}
}
