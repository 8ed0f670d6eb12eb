package scenario

import (
	"fmt"
	"slices"
	"strconv"
	"strings"
	"unicode/utf8"
)

// Expr is a parsed condition, such as
//
//	admissions.detox >= 3 and client.drug == 'opiate'
//
// Its zero value (empty source) means "always true".
//
// The grammar, with lowercase keywords:
//
//	expr    := or
//	or      := and ("or" and)*
//	and     := not ("and" not)*
//	not     := "not" not | cmp
//	cmp     := operand [("==" | "!=" | "<" | "<=" | ">" | ">=") operand]
//	operand := name | number | string | "true" | "false" | "(" expr ")"
//
// Names are dotted lowercase identifiers, strings are in double or single
// quotes (no escapes) and numbers are decimal, as in 3, 2.5 or -1.
type Expr struct {
	src  string
	root *Node // nil: always true
}

// ParseExpr parses src. It checks syntax only; Compile resolves names and
// types. An empty (or blank) src gives the zero Expr.
func ParseExpr(src string) (Expr, error) {
	if len(src) > maxExprBytes {
		return Expr{}, fmt.Errorf("a condition of %d characters: at most %d", len(src), maxExprBytes)
	}
	toks, err := exprLex(src)
	if err != nil {
		return Expr{}, err
	}
	if len(toks) == 1 { // only the end
		return Expr{src: src}, nil
	}
	p := exprParser{src: src, toks: toks}
	root, err := p.parse()
	if err != nil {
		return Expr{}, err
	}
	return Expr{src: src, root: root}, nil
}

// UnmarshalText parses b as ParseExpr does, so a TOML string decodes into
// an Expr.
func (e *Expr) UnmarshalText(b []byte) error {
	x, err := ParseExpr(string(b))
	if err != nil {
		return err
	}
	*e = x
	return nil
}

// MarshalText returns the source of e.
func (e Expr) MarshalText() ([]byte, error) { return []byte(e.src), nil }

// String returns the source of e.
func (e Expr) String() string { return e.src }

// IsZero reports whether e is empty, meaning "always true".
func (e Expr) IsZero() bool { return e.root == nil }

// Root is the syntax tree of e, nil for the zero Expr.
func (e Expr) Root() *Node { return e.root }

// Errorf is an error at byte offset off of e's text, which it shows.
func (e Expr) Errorf(off int, format string, a ...any) error {
	return exprErrorf(e.src, off, format, a...)
}

// Names returns every dotted name e uses (such as "admissions.detox"),
// sorted and without duplicates. Keywords and literals are not names.
func (e Expr) Names() []string {
	var names []string
	var walk func(n *Node)
	walk = func(n *Node) {
		if n == nil {
			return
		}
		if n.Kind == NodeName {
			names = append(names, n.Name)
		}
		walk(n.X)
		walk(n.Y)
	}
	walk(e.root)
	slices.Sort(names)
	return slices.Compact(names)
}

// exprPos describes byte offset off in src for an error: "at column 7",
// or "at line 2, column 3" if src has several lines. Columns count runes
// from 1.
func exprPos(src string, off int) string {
	off = min(off, len(src))
	line, start := 1, 0
	for i := 0; i < off; i++ {
		if src[i] == '\n' {
			line, start = line+1, i+1
		}
	}
	col := utf8.RuneCountInString(src[start:off]) + 1
	if strings.Contains(src, "\n") {
		return fmt.Sprintf("at line %d, column %d", line, col)
	}
	return fmt.Sprintf("at column %d", col)
}

func exprErrorf(src string, off int, format string, a ...any) error {
	return fmt.Errorf("%s: %s", exprPos(src, off), fmt.Sprintf(format, a...))
}

type Op uint8

func (k Op) isCmp() bool { return k >= OpEq && k <= OpGe }

var exprTwoCharOps = map[string]Op{"==": OpEq, "!=": OpNe, "<=": OpLe, ">=": OpGe}

var exprKeywords = map[string]Op{"and": tokAnd, "or": tokOr, "not": tokNot, "true": tokTrue, "false": tokFalse}

type exprToken struct {
	kind     Op
	off, end int    // byte offsets in the source
	text     string // source text
	str      string // tokStr: the value, without quotes
	num      float64
}

// describe names t for "found ..." in an error.
func (t exprToken) describe() string {
	switch t.kind {
	case tokEnd:
		return "the end"
	case tokStr:
		return "string " + t.text
	}
	return strconv.Quote(t.text)
}

func exprIsLower(c byte) bool { return c >= 'a' && c <= 'z' || c == '_' }

func exprIsDigit(c byte) bool { return c >= '0' && c <= '9' }

func exprIsWordByte(c byte) bool {
	return exprIsLower(c) || exprIsDigit(c) || c >= 'A' && c <= 'Z' || c == '.'
}

// exprLex splits src into tokens, ending with a tokEnd.
func exprLex(src string) ([]exprToken, error) {
	var toks []exprToken
	i := 0
	for i < len(src) {
		c := src[i]
		start := i
		two := ""
		if i+1 < len(src) {
			two = src[i : i+2]
		}
		switch {
		case c == ' ' || c == '\t' || c == '\n' || c == '\r':
			i++
			continue
		case c == '(' || c == ')':
			k := tokLParen
			if c == ')' {
				k = tokRParen
			}
			i++
			toks = append(toks, exprToken{kind: k, off: start, end: i, text: src[start:i]})
			continue
		case two == "==" || two == "!=" || two == "<=" || two == ">=":
			i += 2
			toks = append(toks, exprToken{kind: exprTwoCharOps[two], off: start, end: i, text: two})
			continue
		case c == '<' || c == '>':
			k := OpLt
			if c == '>' {
				k = OpGt
			}
			i++
			toks = append(toks, exprToken{kind: k, off: start, end: i, text: src[start:i]})
			continue
		case c == '=':
			return nil, exprErrorf(src, i, "use == to compare")
		case c == '&':
			return nil, exprErrorf(src, i, "use \"and\" instead of %q", strings.Repeat("&", exprRunLen(src[i:], '&')))
		case c == '|':
			return nil, exprErrorf(src, i, "use \"or\" instead of %q", strings.Repeat("|", exprRunLen(src[i:], '|')))
		case c == '!':
			return nil, exprErrorf(src, i, "use \"not\" instead of \"!\"")
		case c == '"' || c == '\'':
			j := strings.IndexByte(src[i+1:], c)
			if j < 0 {
				return nil, exprErrorf(src, i, "unterminated string")
			}
			i += j + 2
			toks = append(toks, exprToken{kind: tokStr, off: start, end: i, text: src[start:i], str: src[start+1 : i-1]})
			continue
		case exprIsDigit(c) || c == '-' && i+1 < len(src) && exprIsDigit(src[i+1]):
			i++
			for i < len(src) && exprIsWordByte(src[i]) {
				i++
			}
			text := src[start:i]
			if !exprNumber(text) {
				return nil, exprErrorf(src, start, "malformed number %q", text)
			}
			v, err := strconv.ParseFloat(text, 64)
			if err != nil {
				return nil, exprErrorf(src, start, "malformed number %q", text)
			}
			toks = append(toks, exprToken{kind: tokNum, off: start, end: i, text: text, num: v})
			continue
		case exprIsWordByte(c) && c != '.':
			for i < len(src) && exprIsWordByte(src[i]) {
				i++
			}
			text := src[start:i]
			if strings.ToLower(text) != text {
				return nil, exprErrorf(src, start, "names and keywords are lowercase, not %q", text)
			}
			off := start
			for part := range strings.SplitSeq(text, ".") {
				if part == "" {
					return nil, exprErrorf(src, off, "expected a name part in %q", text)
				}
				if exprIsDigit(part[0]) {
					return nil, exprErrorf(src, off, "a name part cannot start with a digit, as in %q", text)
				}
				off += len(part) + 1
			}
			k := tokName
			if kw, ok := exprKeywords[text]; ok {
				k = kw
			}
			toks = append(toks, exprToken{kind: k, off: start, end: i, text: text})
			continue
		}
		r, _ := utf8.DecodeRuneInString(src[i:])
		return nil, exprErrorf(src, i, "unexpected character %q", r)
	}
	return append(toks, exprToken{kind: tokEnd, off: len(src), end: len(src)}), nil
}

// exprRunLen returns how many times c repeats at the start of s.
func exprRunLen(s string, c byte) int {
	n := 0
	for n < len(s) && s[n] == c {
		n++
	}
	return n
}

// exprNumber reports whether s is -?[0-9]+(\.[0-9]+)?.
func exprNumber(s string) bool {
	s = strings.TrimPrefix(s, "-")
	whole, frac, dot := strings.Cut(s, ".")
	digits := func(t string) bool {
		if t == "" {
			return false
		}
		for i := 0; i < len(t); i++ {
			if !exprIsDigit(t[i]) {
				return false
			}
		}
		return true
	}
	return digits(whole) && (!dot || digits(frac))
}

type NodeKind uint8

// A Node is one node of a condition's syntax tree, which the model
// compiles against its clients (models.Compile).
type Node struct {
	Kind     NodeKind
	Op       Op  // NodeCmp
	OpOff    int // NodeCmp: offset of the operator
	X, Y     *Node
	Name     string // NodeName
	Str      string // NodeStr
	Num      float64
	Bool     bool
	Off, End int // byte offsets of the source text
}

// Limits on a condition, so that none can exhaust the stack of the
// parser or the compiler; real ones are a line and nest 3 deep.
const (
	maxExprBytes = 4096
	maxExprDepth = 32 // brackets and nots one inside another
)

type exprParser struct {
	src      string
	toks     []exprToken
	i        int
	bareLast bool // the last cmp parsed was an operand with no comparison
	depth    int  // brackets and nots open
}

// enter counts one more level of nesting at t, refusing too many.
func (p *exprParser) enter(t exprToken) error {
	if p.depth++; p.depth > maxExprDepth {
		return p.errorf(t, "brackets and \"not\" nested more than %d deep", maxExprDepth)
	}
	return nil
}

func (p *exprParser) peek() exprToken { return p.toks[p.i] }

func (p *exprParser) next() exprToken {
	t := p.toks[p.i]
	if t.kind != tokEnd {
		p.i++
	}
	return t
}

func (p *exprParser) errorf(t exprToken, format string, a ...any) error {
	return exprErrorf(p.src, t.off, format, a...)
}

func (p *exprParser) parse() (*Node, error) {
	n, err := p.or()
	if err != nil {
		return nil, err
	}
	switch t := p.peek(); {
	case t.kind == tokEnd:
		return n, nil
	case t.kind == tokRParen:
		return nil, p.errorf(t, "%q without a matching \"(\"", ")")
	case p.bareLast:
		return nil, p.errorf(t, "expected a comparison, \"and\" or \"or\", found %s", t.describe())
	default:
		return nil, p.errorf(t, "expected \"and\" or \"or\", found %s", t.describe())
	}
}

func (p *exprParser) or() (*Node, error) {
	return p.binary(tokOr, NodeOr, (*exprParser).and)
}

func (p *exprParser) and() (*Node, error) {
	return p.binary(tokAnd, NodeAnd, (*exprParser).not)
}

func (p *exprParser) binary(op Op, kind NodeKind, sub func(*exprParser) (*Node, error)) (*Node, error) {
	x, err := sub(p)
	if err != nil {
		return nil, err
	}
	for p.peek().kind == op {
		p.next()
		y, err := sub(p)
		if err != nil {
			return nil, err
		}
		x = &Node{Kind: kind, X: x, Y: y, Off: x.Off, End: y.End}
	}
	return x, nil
}

func (p *exprParser) not() (*Node, error) {
	if t := p.peek(); t.kind == tokNot {
		p.next()
		if err := p.enter(t); err != nil {
			return nil, err
		}
		defer func() { p.depth-- }()
		x, err := p.not()
		if err != nil {
			return nil, err
		}
		return &Node{Kind: NodeNot, X: x, Off: t.off, End: x.End}, nil
	}
	return p.cmp()
}

func (p *exprParser) cmp() (*Node, error) {
	x, err := p.operand()
	if err != nil {
		return nil, err
	}
	op := p.peek()
	if !op.kind.isCmp() {
		p.bareLast = true
		return x, nil
	}
	p.next()
	y, err := p.operand()
	if err != nil {
		return nil, err
	}
	if t := p.peek(); t.kind.isCmp() {
		return nil, p.errorf(t, "comparisons do not chain; use \"and\"")
	}
	p.bareLast = false
	return &Node{Kind: NodeCmp, Op: op.kind, OpOff: op.off, X: x, Y: y, Off: x.Off, End: y.End}, nil
}

func (p *exprParser) operand() (*Node, error) {
	t := p.next()
	n := &Node{Off: t.off, End: t.end}
	switch t.kind {
	case tokName:
		n.Kind, n.Name = NodeName, t.text
	case tokNum:
		n.Kind, n.Num = NodeNum, t.num
	case tokStr:
		n.Kind, n.Str = NodeStr, t.str
	case tokTrue, tokFalse:
		n.Kind, n.Bool = NodeBool, t.kind == tokTrue
	case tokLParen:
		if err := p.enter(t); err != nil {
			return nil, err
		}
		defer func() { p.depth-- }()
		x, err := p.or()
		if err != nil {
			return nil, err
		}
		r := p.next()
		if r.kind != tokRParen {
			return nil, p.errorf(r, "expected \")\" to close the \"(\" %s, found %s", exprPos(p.src, t.off), r.describe())
		}
		x.Off, x.End = t.off, r.end // the text of a parenthesised operand includes them
		return x, nil
	default:
		return nil, p.errorf(t, "expected a name, number or string, found %s", t.describe())
	}
	return n, nil
}

const (
	tokEnd Op = iota
	tokName
	tokNum
	tokStr
	tokLParen
	tokRParen
	OpEq
	OpNe
	OpLt
	OpLe
	OpGt
	OpGe
	tokAnd
	tokOr
	tokNot
	tokTrue
	tokFalse
)

const (
	NodeName NodeKind = iota
	NodeNum
	NodeStr
	NodeBool
	NodeNot
	NodeAnd
	NodeOr
	NodeCmp
)
