package scenario

import (
	"fmt"
	"regexp"
	"strings"
)

// lineOf returns the line that sets key in src or, if none does, the
// line of its nearest ancestor. 0 if none is found.
func lineOf(src *source, key string) int {
	for k := key; k != ""; k = parentKey(k) {
		if n := src.keyLine(k); n > 0 {
			return n
		}
	}
	return 0
}

var (
	headerRE = regexp.MustCompile(`^\s*(\[\[?)\s*([^\]]+?)\s*\]\]?\s*(#.*)?$`)
	assignRE = regexp.MustCompile(`^\s*([A-Za-z0-9_\-]+(?:\s*\.\s*[A-Za-z0-9_\-]+)*)\s*=`)
)

// keyLines indexes where a file sets its keys, read once so that finding
// the line of any number of keys takes time in proportion to the file.
type keyLines struct {
	lines   []string
	headers map[string]int    // a table header's indexed path: its line
	assigns map[string][2]int // an assignment's full path: its line and the byte its value starts at
	sub     map[string]int    // a path: the first header of a table below it
}

func indexKeyLines(text []byte) *keyLines {
	x := &keyLines{lines: strings.Split(string(text), "\n"), headers: map[string]int{},
		assigns: map[string][2]int{}, sub: map[string]int{}}
	arrays := map[string]int{} // [[x]] headers seen, by indexed path
	table := ""
	inString := false
	for i, ln := range x.lines {
		if inString {
			if strings.Count(ln, `"""`)%2 == 1 || strings.Count(ln, `'''`)%2 == 1 {
				inString = false
			}
			continue
		}
		if m := headerRE.FindStringSubmatch(ln); m != nil {
			table = indexedTable(strings.Join(strings.Fields(m[2]), ""), m[1] == "[[", arrays)
			if _, ok := x.headers[table]; !ok {
				x.headers[table] = i + 1
			}
			for j := range len(table) {
				if c := table[j]; c == '.' || c == '[' {
					if _, ok := x.sub[table[:j]]; !ok {
						x.sub[table[:j]] = i + 1
					}
				}
			}
			continue
		}
		if m := assignRE.FindStringSubmatch(ln); m != nil {
			full := strings.Join(strings.Fields(m[1]), "")
			if table != "" {
				full = table + "." + full
			}
			if _, ok := x.assigns[full]; !ok {
				x.assigns[full] = [2]int{i + 1, len(m[0])}
			}
			if strings.Count(ln, `"""`)%2 == 1 || strings.Count(ln, `'''`)%2 == 1 {
				inString = true
			}
		}
	}
	return x
}

// keyLine returns the line (from 1) of src that sets key: the header of
// its table, the line of its assignment or of an assignment above it, or,
// for an element of an array written over several lines, the line where
// that element starts; the first of these in the file. Indexes in key count
// arrays of tables ([[x.routes.completed]] twice gives completed[0] and
// completed[1]) and array elements. A key set only through its sub-tables
// is found at the first of them. 0 if not found.
//
// It reads the text line by line rather than parsing it, and does not
// know quoted keys.
func (src *source) keyLine(key string) int {
	if src.index == nil {
		src.index = indexKeyLines(src.text)
	}
	x := src.index
	best := 0
	better := func(n int) {
		if n > 0 && (best == 0 || n < best) {
			best = n
		}
	}
	better(x.headers[key])
	if a, ok := x.assigns[key]; ok {
		better(a[0])
	}
	for j := range len(key) {
		c := key[j]
		if c != '.' && c != '[' {
			continue
		}
		a, ok := x.assigns[key[:j]]
		if !ok {
			continue
		}
		if c == '.' {
			better(a[0])
			continue
		}
		var n int
		if _, err := fmt.Sscanf(key[j:], "[%d]", &n); err == nil {
			if at := elementLine(x.lines, a[0]-1, a[1], n); at > 0 {
				better(at)
				continue
			}
		}
		better(a[0])
	}
	if best == 0 {
		return x.sub[key]
	}
	return best
}

// indexedTable returns the path of a table header with the indexes of the
// arrays of tables on it, counting a new element if array is set.
func indexedTable(name string, array bool, arrays map[string]int) string {
	parts := strings.Split(name, ".")
	cur := ""
	for j, p := range parts {
		if cur != "" {
			cur += "."
		}
		cur += p
		if j == len(parts)-1 && array {
			n := arrays[cur]
			arrays[cur] = n + 1
			cur += fmt.Sprintf("[%d]", n)
		} else if n, ok := arrays[cur]; ok {
			cur += fmt.Sprintf("[%d]", n-1)
		}
	}
	return cur
}

// elementLine returns the line (from 1) on which element n of the array
// whose value starts at byte col of line i begins, or 0. It skips strings
// and comments.
func elementLine(lines []string, i, col, n int) int {
	depth, elem := 0, -1
	expect := false // at depth 1, waiting for the next element
	for l := i; l < len(lines); l++ {
		ln := lines[l]
		start := 0
		if l == i {
			start = col
		}
		for j := start; j < len(ln); j++ {
			c := ln[j]
			switch {
			case c == ' ' || c == '\t' || c == '\r':
				continue
			case c == '#':
				j = len(ln)
				continue
			}
			if depth == 1 && expect && c != ',' && c != ']' {
				elem++
				expect = false
				if elem == n {
					return l + 1
				}
			}
			switch c {
			case '"', '\'':
				end := strings.IndexByte(ln[j+1:], c)
				if end < 0 {
					return 0 // a string over several lines: give up
				}
				j += end + 1
			case '[', '{':
				depth++
				if depth == 1 {
					if c != '[' {
						return 0
					}
					expect = true
				}
			case ']', '}':
				depth--
				if depth == 0 {
					return 0
				}
			case ',':
				if depth == 1 {
					expect = true
				}
			}
		}
	}
	return 0
}
