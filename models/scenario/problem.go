package scenario

import (
	"fmt"
	"math"
	"sort"
	"strings"
)

// ProblemKind says what sort of thing is wrong, for code that treats
// problems differently; the message says it to the user.
type ProblemKind int

const (
	Invalid    ProblemKind = iota // a value or values break a rule of the language
	Syntax                        // the file is not TOML
	UnknownKey                    // a key the language does not have
	WrongType                     // a value of the wrong type, or a word not allowed
)

// Problem is one thing wrong with a scenario. File, Line and Key are set
// where known.
type Problem struct {
	Kind ProblemKind
	File string
	Line int
	Col  int
	Key  string
	Msg  string
	// Excerpt, for syntax errors, is the offending line with a caret under
	// the column, printed below the message.
	Excerpt string
}

func (p Problem) String() string {
	var b strings.Builder
	if p.File != "" {
		b.WriteString(p.File)
		if p.Line > 0 {
			fmt.Fprintf(&b, ":%d", p.Line)
			if p.Col > 0 {
				fmt.Fprintf(&b, ":%d", p.Col)
			}
		}
		b.WriteString(": ")
	}
	if p.Key != "" {
		b.WriteString(p.Key)
		b.WriteString(": ")
	}
	b.WriteString(p.Msg)
	if p.Excerpt != "" {
		b.WriteString("\n")
		b.WriteString(p.Excerpt)
	}
	return b.String()
}

// Problemf is a problem at key as an error.
func Problemf(key, format string, a ...any) error {
	return Problems{{Key: key, Msg: fmt.Sprintf(format, a...)}}
}

// Problems is every problem found in a scenario, reported at once.
type Problems []Problem

func (ps Problems) Error() string {
	lines := make([]string, len(ps))
	for i, p := range ps {
		lines[i] = p.String()
	}
	return strings.Join(lines, "\n")
}

// capProblems keeps the first maxProblems problems and counts the rest:
// past a hundred, more lines help nobody mend a file.
func capProblems(ps Problems) Problems {
	if len(ps) <= maxProblems {
		return ps
	}
	n := len(ps) - maxProblems
	return append(ps[:maxProblems:maxProblems], Problem{Msg: fmt.Sprintf("and %d more problems: mend these and check again", n)})
}

// sortProblems orders problems by file (the chain's order, then the
// overrides, then none) and by line, keeping the order of problems on
// one line.
func sortProblems(ps Problems, chain []*source) {
	rank := func(p Problem) (int, int) {
		file := len(chain) + 1
		switch {
		case isOverride(p.File):
			file = len(chain)
		default:
			for i, s := range chain {
				if s.name == p.File {
					file = i
				}
			}
		}
		line := p.Line
		if line == 0 {
			line = math.MaxInt
		}
		return file, line
	}
	sort.SliceStable(ps, func(i, j int) bool {
		fi, li := rank(ps[i])
		fj, lj := rank(ps[j])
		if fi != fj {
			return fi < fj
		}
		return li < lj
	})
}
