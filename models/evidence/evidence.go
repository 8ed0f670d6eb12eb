package evidence

import (
	_ "embed"
	"errors"
	"fmt"
	"regexp"
	"slices"
	"strconv"
	"strings"
	"sync"

	"github.com/journeysim/journeysim/models/internal/suggest"
)

//go:embed sources.tsv
var sourcesTSV string

// addedTSV holds the rows this project found beyond parameters.md, with
// ids X1, X2, …, in the same columns: evidence for the parameter table's
// keeper to take into parameters.md.
//
//go:embed added.tsv
var addedTSV string

//go:embed targets.tsv
var targetsTSV string

// addedTargetsTSV holds the targets this project set beyond targets.md,
// numbered after its last, from figures of added.tsv and parameters.md.
//
//go:embed added_targets.tsv
var addedTargetsTSV string

// Source is one row of the parameter table.
type Source struct {
	ID, Parameter, Value, Unit, Setting, Citation, URL, Quality string
	// Verified is false for the rows marked NOT VERIFIED, which cannot be
	// cited.
	Verified bool
}

// Target is one numbered calibration target of targets.md.
type Target struct {
	Number  int
	Title   string
	Text    string   // the paragraph after the title, Markdown removed
	Sources []string // row ids named in the paragraph, ranges expanded
	// Added says the project set this target (added_targets.tsv), not
	// targets.md.
	Added bool
}

var sourceHeader = []string{"id", "parameter", "value", "unit", "setting", "citation", "url", "quality", "verified"}

var targetHeader = []string{"number", "title", "text", "sources"}

type table struct {
	all  []Source
	byID map[string]int
	ids  []string
}

var loadSources = sync.OnceValues(func() (*table, error) {
	rows, err := readTSV("sources.tsv", sourcesTSV, sourceHeader)
	if err != nil {
		return nil, err
	}
	added, err := readTSV("added.tsv", addedTSV, sourceHeader)
	if err != nil {
		return nil, err
	}
	for i, r := range added {
		if !strings.HasPrefix(r[0], "X") {
			return nil, fmt.Errorf("added.tsv line %d: id %q: the rows found beyond parameters.md are X1, X2, …", i+2, r[0])
		}
	}
	rows = append(rows, added...)
	t := &table{byID: make(map[string]int, len(rows))}
	for i, r := range rows {
		var verified bool
		switch r[8] {
		case "yes":
			verified = true
		case "no":
		default:
			return nil, fmt.Errorf("sources.tsv line %d: verified is %q, want yes or no", i+2, r[8])
		}
		if !idPattern.MatchString(r[0]) {
			return nil, fmt.Errorf("sources.tsv line %d: bad id %q", i+2, r[0])
		}
		if _, dup := t.byID[r[0]]; dup {
			return nil, fmt.Errorf("sources.tsv line %d: duplicate id %q", i+2, r[0])
		}
		t.byID[r[0]] = len(t.all)
		t.ids = append(t.ids, r[0])
		t.all = append(t.all, Source{
			ID: r[0], Parameter: r[1], Value: r[2], Unit: r[3], Setting: r[4],
			Citation: r[5], URL: r[6], Quality: r[7], Verified: verified,
		})
	}
	if len(t.all) == 0 {
		return nil, errors.New("sources.tsv has no rows")
	}
	return t, nil
})

var loadTargets = sync.OnceValues(func() ([]Target, error) {
	out, err := readTargets("targets.tsv", targetsTSV, false)
	if err != nil {
		return nil, err
	}
	added, err := readTargets("added_targets.tsv", addedTargetsTSV, true)
	if err != nil {
		return nil, err
	}
	for _, t := range added {
		if t.Number <= out[len(out)-1].Number {
			return nil, fmt.Errorf("added_targets.tsv: target %d: number the targets added after targets.md's last, %d", t.Number, out[len(out)-1].Number)
		}
	}
	return append(out, added...), nil
})

func readTargets(name, text string, added bool) ([]Target, error) {
	rows, err := readTSV(name, text, targetHeader)
	if err != nil {
		return nil, err
	}
	var out []Target
	for i, r := range rows {
		n, err := strconv.Atoi(r[0])
		if err != nil {
			return nil, fmt.Errorf("%s line %d: bad number %q", name, i+2, r[0])
		}
		var ids []string
		if r[3] != "" {
			for id := range strings.SplitSeq(r[3], ",") {
				ids = append(ids, strings.TrimSpace(id))
			}
		}
		out = append(out, Target{Number: n, Title: r[1], Text: r[2], Sources: ids, Added: added})
	}
	return out, nil
}

// readTSV splits an embedded tab-separated file into rows of len(header)
// fields, checking the header.
func readTSV(name, text string, header []string) ([][]string, error) {
	lines := strings.Split(strings.TrimRight(text, "\n"), "\n")
	if got := strings.Split(lines[0], "\t"); !slices.Equal(got, header) {
		return nil, fmt.Errorf("%s: header is %q, want %q", name, got, header)
	}
	var rows [][]string
	for i, line := range lines[1:] {
		f := strings.Split(line, "\t")
		if len(f) != len(header) {
			return nil, fmt.Errorf("%s line %d: %d fields, want %d", name, i+2, len(f), len(header))
		}
		rows = append(rows, f)
	}
	return rows, nil
}

func sources() *table {
	t, err := loadSources()
	if err != nil {
		panic("evidence: embedded " + err.Error())
	}
	return t
}

// Lookup returns the row with the given id. Case and surrounding space are
// ignored. Rows that are not verified are returned too; see Source.Verified.
func Lookup(id string) (Source, bool) {
	t := sources()
	i, ok := t.byID[strings.ToUpper(strings.TrimSpace(id))]
	if !ok {
		return Source{}, false
	}
	return t.all[i], true
}

// All returns every row, in the order of the table.
func All() []Source { return slices.Clone(sources().all) }

// IDs returns every row id, in the order of the table.
func IDs() []string { return slices.Clone(sources().ids) }

// Targets returns the numbered calibration targets, in the order of
// targets.md.
func Targets() []Target {
	ts, err := loadTargets()
	if err != nil {
		panic("evidence: embedded " + err.Error())
	}
	out := make([]Target, len(ts))
	for i, t := range ts {
		t.Sources = slices.Clone(t.Sources)
		out[i] = t
	}
	return out
}

// Kinds of source reference returned by ParseRef.
const (
	Cited      = "cited"
	Derived    = "derived"
	Assumption = "assumption"
	Calibrated = "calibrated"
	// Local is an area's own figure (a bed count, a budget), which no
	// published row gives: the value's note says where it came from.
	Local = "local"
)

var (
	idPattern      = regexp.MustCompile(`^[A-Z][0-9]+$`)
	closestPattern = regexp.MustCompile(`closest verified: ([A-Z][0-9]+(?:, [A-Z][0-9]+)*)`)
	paddedPattern  = regexp.MustCompile(`^([A-Z])0*([0-9]+)$`)
	swappedPattern = regexp.MustCompile(`^([0-9]+)([A-Z])$`)
	rangePattern   = regexp.MustCompile(`^([A-Z][0-9]+)\s*(?:-|–|—|\.\.|TO)\s*([A-Z][0-9]+)$`)
	separators     = regexp.MustCompile(`\s*(?:[;/&+]|\bAND\b|\s)\s*`)
)

// hint ends the messages about sources that are not rows of the table.
func hint() string {
	return `use a row id of the evidence table (journeysim explain --sources lists them), "derived: <ids>", "assumption" or "calibrated"`
}

// CheckRef reports whether ref is a valid source field: one or more
// verified row ids separated by commas ("C3", "C3, D4"), "derived: " or
// "calibrated: " and such a list, "assumption", "calibrated" or "local" (an
// area's own figure). Row ids may be lower case.
func CheckRef(ref string) error {
	_, _, err := ParseRef(ref)
	return err
}

// ParseRef parses a source field (see CheckRef). kind is "cited", "derived",
// "assumption" or "calibrated"; ids are the row ids named, upper-cased, in
// the order written, and are nil for "assumption" and a bare "calibrated"
// ("calibrated: C1" is a value fitted from a prior that rested on C1).
func ParseRef(ref string) (ids []string, kind string, err error) {
	s := strings.TrimSpace(ref)
	if s == "" {
		return nil, "", errors.New("empty source: " + hint())
	}
	switch strings.ToLower(s) {
	case Assumption:
		return nil, Assumption, nil
	case Calibrated:
		return nil, Calibrated, nil
	case Local:
		return nil, Local, nil
	}
	if strings.ContainsAny(s, "()[]") {
		return nil, "", fmt.Errorf(`source %q: free text is not allowed in a source; write only row ids ("C3, D4"), "derived: <ids>", "assumption" or "calibrated", and put notes in the note field`, ref)
	}
	list, kind := s, Cited
	if head, rest, ok := strings.Cut(s, ":"); ok {
		switch h := strings.TrimSpace(head); {
		case strings.EqualFold(h, Derived):
			kind = Derived
		case strings.EqualFold(h, Calibrated):
			// Fitted by journeysim calibrate, from a prior resting on these rows.
			kind = Calibrated
		default:
			return nil, "", fmt.Errorf(`source %q: the only prefixes allowed are "derived:" and "calibrated:"`, ref)
		}
		list = strings.TrimSpace(rest)
		if list == "" {
			return nil, "", fmt.Errorf(`source %q names no rows: write "%s: A6" or "%s: A6, A5"`, ref, kind, kind)
		}
	} else if f := strings.Fields(s); len(f) > 1 && strings.EqualFold(f[0], Derived) {
		return nil, "", fmt.Errorf(`source %q: write "derived: %s"`, ref, strings.Join(f[1:], " "))
	}
	t := sources()
	for tok := range strings.SplitSeq(list, ",") {
		tok = strings.TrimSpace(tok)
		if tok == "" {
			return nil, "", fmt.Errorf("source %q has an empty entry in its list of rows", ref)
		}
		id := strings.ToUpper(tok)
		i, ok := t.byID[id]
		if !ok {
			if sug := refHint(id); sug != "" {
				return nil, "", fmt.Errorf("unknown source %q (did you mean %s?): %s", tok, sug, hint())
			}
			return nil, "", fmt.Errorf("unknown source %q: %s", tok, hint())
		}
		if src := t.all[i]; !src.Verified {
			if alt := closest(src); len(alt) > 0 {
				return nil, "", fmt.Errorf("source %q is NOT VERIFIED in the evidence table and cannot be cited; the closest verified rows are %s", tok, strings.Join(alt, ", "))
			}
			return nil, "", fmt.Errorf(`source %q is NOT VERIFIED in the evidence table and cannot be cited; cite a verified row, "assumption" or "calibrated"`, tok)
		}
		if slices.Contains(ids, id) {
			return nil, "", fmt.Errorf("source %q names %s twice", ref, id)
		}
		ids = append(ids, id)
	}
	return ids, kind, nil
}

// closest returns the verified rows that a NOT VERIFIED row's text names as
// its closest substitutes ("closest verified: F1, F2").
func closest(s Source) []string {
	var out []string
	for _, f := range []string{s.Parameter, s.Value, s.Unit, s.Setting, s.Citation, s.URL, s.Quality} {
		for _, m := range closestPattern.FindAllStringSubmatch(f, -1) {
			for id := range strings.SplitSeq(m[1], ", ") {
				if verified(id) && !slices.Contains(out, id) {
					out = append(out, id)
				}
			}
		}
	}
	return out
}

func verified(id string) bool {
	s, ok := Lookup(id)
	return ok && s.Verified
}

// refHint returns what an unknown, upper-cased entry was probably meant to
// be, or "": a padded or reversed id ("C03", "3C"), ids run together without
// commas ("C3; D4", "C3 D4") or a range ("D1-D3"), or a misspelt keyword.
func refHint(u string) string {
	compact := strings.NewReplacer(" ", "", "-", "", ".", "", "_", "").Replace(u)
	if m := paddedPattern.FindStringSubmatch(compact); m != nil && verified(m[1]+m[2]) {
		return m[1] + m[2]
	}
	if m := swappedPattern.FindStringSubmatch(compact); m != nil && verified(m[2]+m[1]) {
		return m[2] + m[1]
	}
	if m := rangePattern.FindStringSubmatch(u); m != nil {
		ids := sources().ids
		a, b := slices.Index(ids, m[1]), slices.Index(ids, m[2])
		if a >= 0 && b > a && m[1][0] == m[2][0] {
			var list []string
			for _, id := range ids[a : b+1] {
				if verified(id) {
					list = append(list, id)
				}
			}
			return strconv.Quote(strings.Join(list, ", "))
		}
	}
	if parts := separators.Split(u, -1); len(parts) > 1 {
		var list []string
		for _, p := range parts {
			if p == "" {
				continue
			}
			if !verified(p) {
				list = nil
				break
			}
			list = append(list, p)
		}
		if len(list) > 1 {
			return strconv.Quote(strings.Join(list, ", "))
		}
	}
	l := strings.ToLower(u)
	for _, w := range []string{Assumption, Calibrated} {
		if strings.HasPrefix(l, w[:5]) || suggest.Distance(l, w) <= 2 {
			return strconv.Quote(w)
		}
	}
	return ""
}
