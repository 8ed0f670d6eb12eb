package models

import (
	"fmt"
	"maps"
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
	root *exprNode // nil: always true
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

// Names returns every dotted name e uses (such as "admissions.detox"),
// sorted and without duplicates. Keywords and literals are not names.
func (e Expr) Names() []string {
	var names []string
	var walk func(n *exprNode)
	walk = func(n *exprNode) {
		if n == nil {
			return
		}
		if n.kind == nodeName {
			names = append(names, n.name)
		}
		walk(n.x)
		walk(n.y)
	}
	walk(e.root)
	slices.Sort(names)
	return slices.Compact(names)
}

// Scope says what names a condition may use.
type Scope struct {
	Attributes []Attribute         // case-mix attributes, in Client.Attr order (client.X)
	Places     []string            // place names, by index (admissions.X, last_exit.place)
	Parallel   map[string]int      // parallel place name -> place index (holding.X)
	Reasons    []string            // exit reason names, by index (last_exit.reason)
	Policy     map[string]any      // policy name -> string, bool or float64 (policy.X)
	allowed    map[string][]string // a text policy's allowed values

	counted map[string]bool // places whose admissions conditions read; nil: all
	// lastStayUnread says no condition reads last_exit.stay_days, so the
	// client layout leaves it out (a scope built by hand keeps it).
	lastStayUnread bool
	treatment      map[string]bool // treatment places, which count distinct clients a year; nil: all
	lay            *clientLayout   // where each is kept in Client.bits
}

// Attribute is a case-mix attribute and its levels, in the order of the
// level indices in Client.Attr.
type Attribute struct {
	Name   string
	Levels []string
}

// Cond is a compiled condition. It does not allocate.
type Cond func(c *Client) bool

// Compile resolves the names in e against s and checks types, returning a
// condition for the simulation's hot path: names are resolved to indices
// and constant parts folded away. A zero Expr compiles to a Cond that is
// always true. A nil s is an empty scope.
func (e Expr) Compile(s *Scope) (Cond, error) {
	if e.root == nil {
		return condTrue, nil
	}
	v, err := e.compile(s)
	if err != nil {
		return nil, err
	}
	if v.kind == valConst {
		if v.b {
			return condTrue, nil
		}
		return condFalse, nil
	}
	return v.cond, nil
}

// Const reports whether the value of e does not depend on the client and,
// if so, that value. It is so when e uses only policy names and literals,
// and also when folding constants decides it: policy.x == "b" and
// admissions.detox >= 2 is constant false when policy.x is "a". A zero
// Expr is constant true. Errors are those of Compile.
func (e Expr) Const(s *Scope) (value bool, ok bool, err error) {
	if e.root == nil {
		return true, true, nil
	}
	v, err := e.compile(s)
	if err != nil {
		return false, false, err
	}
	if v.kind != valConst {
		return false, false, nil
	}
	return v.b, true, nil
}

// Suggest returns the name in known closest to name, for "did you mean",
// or "" if none is close. Close means at most two edits (insertions,
// deletions, substitutions or swaps of adjacent letters), and at most one
// edit per two letters of name, so short names are not matched to
// anything. Ties go to the earlier name in known.
func Suggest(name string, known []string) string {
	best, bestD := "", 3
	n := utf8.RuneCountInString(name)
	for _, k := range known {
		d := editDistance(name, k)
		if d < bestD && 2*d <= n {
			best, bestD = k, d
		}
	}
	return best
}

// SuggestLoose is Suggest, or failing it the name in known that shares
// the longest start with name, if that start is at least half of name and
// four letters: case_managers for case_management.
func SuggestLoose(name string, known []string) string {
	if s := Suggest(name, known); s != "" {
		return s
	}
	best, bestN := "", max(4, (len(name)+1)/2)-1
	for _, k := range known {
		n := 0
		for n < len(name) && n < len(k) && name[n] == k[n] {
			n++
		}
		if n > bestN {
			best, bestN = k, n
		}
	}
	return best
}

// editDistance is the optimal string alignment distance between a and b:
// Levenshtein's, with a swap of adjacent runes counting as one edit.
func editDistance(a, b string) int {
	ra, rb := []rune(a), []rune(b)
	// Three rows of the dynamic programme: i-2, i-1 and i.
	pp := make([]int, len(rb)+1)
	prev := make([]int, len(rb)+1)
	cur := make([]int, len(rb)+1)
	for j := range prev {
		prev[j] = j
	}
	for i := 1; i <= len(ra); i++ {
		cur[0] = i
		for j := 1; j <= len(rb); j++ {
			cost := 1
			if ra[i-1] == rb[j-1] {
				cost = 0
			}
			d := min(prev[j]+1, cur[j-1]+1, prev[j-1]+cost)
			if i > 1 && j > 1 && ra[i-1] == rb[j-2] && ra[i-2] == rb[j-1] {
				d = min(d, pp[j-2]+1)
			}
			cur[j] = d
		}
		pp, prev, cur = prev, cur, pp
	}
	return prev[len(rb)]
}

func condTrue(*Client) bool  { return true }
func condFalse(*Client) bool { return false }

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

// Lexing.

type tokKind uint8

const (
	tokEnd tokKind = iota
	tokName
	tokNum
	tokStr
	tokLParen
	tokRParen
	tokEq
	tokNe
	tokLt
	tokLe
	tokGt
	tokGe
	tokAnd
	tokOr
	tokNot
	tokTrue
	tokFalse
)

func (k tokKind) isCmp() bool { return k >= tokEq && k <= tokGe }

var exprTwoCharOps = map[string]tokKind{"==": tokEq, "!=": tokNe, "<=": tokLe, ">=": tokGe}

var exprKeywords = map[string]tokKind{"and": tokAnd, "or": tokOr, "not": tokNot, "true": tokTrue, "false": tokFalse}

type exprToken struct {
	kind     tokKind
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
			k := tokLt
			if c == '>' {
				k = tokGt
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

// Parsing.

type exprNodeKind uint8

const (
	nodeName exprNodeKind = iota
	nodeNum
	nodeStr
	nodeBool
	nodeNot
	nodeAnd
	nodeOr
	nodeCmp
)

type exprNode struct {
	kind     exprNodeKind
	op       tokKind // nodeCmp
	opOff    int     // nodeCmp: offset of the operator
	x, y     *exprNode
	name     string // nodeName
	str      string // nodeStr
	num      float64
	b        bool
	off, end int // byte offsets of the source text
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

func (p *exprParser) parse() (*exprNode, error) {
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

func (p *exprParser) or() (*exprNode, error) {
	return p.binary(tokOr, nodeOr, (*exprParser).and)
}

func (p *exprParser) and() (*exprNode, error) {
	return p.binary(tokAnd, nodeAnd, (*exprParser).not)
}

func (p *exprParser) binary(op tokKind, kind exprNodeKind, sub func(*exprParser) (*exprNode, error)) (*exprNode, error) {
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
		x = &exprNode{kind: kind, x: x, y: y, off: x.off, end: y.end}
	}
	return x, nil
}

func (p *exprParser) not() (*exprNode, error) {
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
		return &exprNode{kind: nodeNot, x: x, off: t.off, end: x.end}, nil
	}
	return p.cmp()
}

func (p *exprParser) cmp() (*exprNode, error) {
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
	return &exprNode{kind: nodeCmp, op: op.kind, opOff: op.off, x: x, y: y, off: x.off, end: y.end}, nil
}

func (p *exprParser) operand() (*exprNode, error) {
	t := p.next()
	n := &exprNode{off: t.off, end: t.end}
	switch t.kind {
	case tokName:
		n.kind, n.name = nodeName, t.text
	case tokNum:
		n.kind, n.num = nodeNum, t.num
	case tokStr:
		n.kind, n.str = nodeStr, t.str
	case tokTrue, tokFalse:
		n.kind, n.b = nodeBool, t.kind == tokTrue
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
		x.off, x.end = t.off, r.end // the text of a parenthesised operand includes them
		return x, nil
	default:
		return nil, p.errorf(t, "expected a name, number or string, found %s", t.describe())
	}
	return n, nil
}

// Compiling.

type valType uint8

const (
	typeBool valType = iota + 1
	typeNum
	typeStr
)

func (t valType) String() string {
	switch t {
	case typeBool:
		return "a condition"
	case typeNum:
		return "a number"
	}
	return "a string"
}

type valKind uint8

const (
	valConst      valKind = iota // b, n or s
	valCond                      // cond
	valAdmissions                // number: admissions to place idx
	valAttr                      // string: level of attribute idx
	valReason                    // string: Client.LastExitReason
	valPlace                     // string: Client.LastExitPlace
	valLastStay                  // number: days of the last treatment stay
)

// exprValue is a compiled sub-expression: a constant or something read from
// the client.
type exprValue struct {
	typ  valType
	kind valKind
	b    bool
	n    float64
	s    string
	cond Cond
	idx  int
	text string // source text, for errors
	off  int
	name string // policy.X, when a constant came from a policy
}

type exprCompiler struct {
	src   string
	scope *Scope
	lay   *clientLayout
}

func (e Expr) compile(s *Scope) (exprValue, error) {
	if s == nil {
		s = &Scope{}
	}
	lay, err := s.layoutOf()
	if err != nil {
		return exprValue{}, err
	}
	c := exprCompiler{src: e.src, scope: s, lay: lay}
	v, err := c.node(e.root)
	if err != nil {
		return exprValue{}, err
	}
	if err := c.wantCond(v); err != nil {
		return exprValue{}, err
	}
	return v, nil
}

func (c *exprCompiler) errorf(off int, format string, a ...any) error {
	return exprErrorf(c.src, off, format, a...)
}

func (c *exprCompiler) wantCond(v exprValue) error {
	if v.typ != typeBool {
		return c.errorf(v.off, "%s is %s, not a condition", v.text, v.typ)
	}
	return nil
}

func (c *exprCompiler) node(n *exprNode) (exprValue, error) {
	v := exprValue{text: c.src[n.off:n.end], off: n.off}
	switch n.kind {
	case nodeName:
		return c.name(n, v)
	case nodeNum:
		v.typ, v.n = typeNum, n.num
		return v, nil
	case nodeStr:
		v.typ, v.s = typeStr, n.str
		return v, nil
	case nodeBool:
		v.typ, v.b = typeBool, n.b
		return v, nil
	case nodeNot:
		x, err := c.node(n.x)
		if err != nil {
			return exprValue{}, err
		}
		if err := c.wantCond(x); err != nil {
			return exprValue{}, err
		}
		v.typ = typeBool
		if x.kind == valConst {
			v.b = !x.b
		} else {
			v.kind, v.cond = valCond, condNot(x.cond)
		}
		return v, nil
	case nodeAnd, nodeOr:
		return c.logic(n, v)
	case nodeCmp:
		return c.cmp(n, v)
	}
	panic("models: unknown expression node")
}

func condNot(f Cond) Cond { return func(c *Client) bool { return !f(c) } }

func (c *exprCompiler) logic(n *exprNode, v exprValue) (exprValue, error) {
	x, err := c.node(n.x)
	if err != nil {
		return exprValue{}, err
	}
	y, err := c.node(n.y)
	if err != nil {
		return exprValue{}, err
	}
	if err := c.wantCond(x); err != nil {
		return exprValue{}, err
	}
	if err := c.wantCond(y); err != nil {
		return exprValue{}, err
	}
	v.typ = typeBool
	and := n.kind == nodeAnd
	// A constant that decides the result: false for and, true for or.
	for _, k := range []exprValue{x, y} {
		if k.kind == valConst && k.b != and {
			v.b = k.b
			return v, nil
		}
	}
	// Any constant left is neutral: the result is the other side.
	switch {
	case x.kind == valConst:
		y.text, y.off = v.text, v.off
		return y, nil
	case y.kind == valConst:
		x.text, x.off = v.text, v.off
		return x, nil
	}
	f, g := x.cond, y.cond
	v.kind = valCond
	if and {
		v.cond = func(c *Client) bool { return f(c) && g(c) }
	} else {
		v.cond = func(c *Client) bool { return f(c) || g(c) }
	}
	return v, nil
}

// name resolves a name in the scope.
func (c *exprCompiler) name(n *exprNode, v exprValue) (exprValue, error) {
	s := c.scope
	family, rest, _ := strings.Cut(n.name, ".")
	switch family {
	case "client":
		for i, a := range s.Attributes {
			if a.Name == rest {
				if i >= MaxAttributes {
					return exprValue{}, c.errorf(n.off, "%s: at most %d attributes", n.name, MaxAttributes)
				}
				v.typ, v.kind, v.idx = typeStr, valAttr, i
				return v, nil
			}
		}
	case "admissions":
		if i := slices.Index(s.Places, rest); i >= 0 {
			v.typ, v.kind, v.idx = typeNum, valAdmissions, i
			return v, nil
		}
	case "holding":
		if i, ok := s.Parallel[rest]; ok {
			if i < 0 || i >= 64 {
				return exprValue{}, c.errorf(n.off, "%s: place index %d out of range", n.name, i)
			}
			w, mask := c.lay.hold.word, uint64(1)<<(uint(c.lay.hold.shift)+uint(i))
			v.typ, v.kind = typeBool, valCond
			v.cond = func(c *Client) bool { return c.bits[w]&mask != 0 }
			return v, nil
		}
	case "last_exit":
		switch rest {
		case "reason":
			v.typ, v.kind = typeStr, valReason
			return v, nil
		case "place":
			v.typ, v.kind = typeStr, valPlace
			return v, nil
		case "stay_days":
			if c.lay.lastStay.width == 0 {
				return exprValue{}, c.errorf(n.off, "%s is not kept for this scenario", n.name)
			}
			v.typ, v.kind = typeNum, valLastStay
			return v, nil
		}
	case "policy":
		if p, ok := s.Policy[rest]; ok {
			v.name = n.name
			switch p := p.(type) {
			case string:
				v.typ, v.s = typeStr, p
			case bool:
				v.typ, v.b = typeBool, p
			case float64:
				v.typ, v.n = typeNum, p
			case int:
				v.typ, v.n = typeNum, float64(p)
			case int64:
				v.typ, v.n = typeNum, float64(p)
			default:
				return exprValue{}, c.errorf(n.off, "%s is a %T; a policy is a string, a boolean or a number", n.name, p)
			}
			return v, nil
		}
	}
	return exprValue{}, c.unknown(n, family)
}

// known lists every name the scope defines.
func (c *exprCompiler) known() []string {
	s := c.scope
	var names []string
	for _, a := range s.Attributes {
		names = append(names, "client."+a.Name)
	}
	for _, p := range s.Places {
		names = append(names, "admissions."+p)
	}
	for _, p := range slices.Sorted(maps.Keys(s.Parallel)) {
		names = append(names, "holding."+p)
	}
	names = append(names, "last_exit.reason", "last_exit.place", "last_exit.stay_days")
	for _, p := range slices.Sorted(maps.Keys(s.Policy)) {
		names = append(names, "policy."+p)
	}
	return names
}

func (c *exprCompiler) unknown(n *exprNode, family string) error {
	if sg := Suggest(n.name, c.known()); sg != "" {
		return c.errorf(n.off, "unknown name %q; did you mean %q?", n.name, sg)
	}
	s := c.scope
	list := func(what string, xs []string) string {
		if len(xs) == 0 {
			return "the scenario has no " + what
		}
		return what + ": " + strings.Join(xs, ", ")
	}
	var hint string
	switch family {
	case "client":
		var attrs []string
		for _, a := range s.Attributes {
			attrs = append(attrs, a.Name)
		}
		hint = list("case-mix attributes", attrs)
	case "admissions":
		hint = list("places", s.Places)
	case "holding":
		hint = list("parallel places", slices.Sorted(maps.Keys(s.Parallel)))
	case "last_exit":
		hint = "last_exit.reason, last_exit.place or last_exit.stay_days"
	case "policy":
		hint = list("policies", slices.Sorted(maps.Keys(s.Policy)))
	default:
		hint = "names start with client., admissions., holding., last_exit. or policy."
	}
	return c.errorf(n.off, "unknown name %q (%s)", n.name, hint)
}

var cmpText = map[tokKind]string{tokEq: "==", tokNe: "!=", tokLt: "<", tokLe: "<=", tokGt: ">", tokGe: ">="}

// flipCmp returns the comparison with its operands swapped: a < b is b > a.
func flipCmp(op tokKind) tokKind {
	switch op {
	case tokLt:
		return tokGt
	case tokLe:
		return tokGe
	case tokGt:
		return tokLt
	case tokGe:
		return tokLe
	}
	return op
}

func (c *exprCompiler) cmp(n *exprNode, v exprValue) (exprValue, error) {
	x, err := c.node(n.x)
	if err != nil {
		return exprValue{}, err
	}
	y, err := c.node(n.y)
	if err != nil {
		return exprValue{}, err
	}
	op := n.op
	if x.typ != y.typ {
		return exprValue{}, c.errorf(n.opOff, "cannot compare %s (%s) with %s (%s)", x.text, x.typ, y.text, y.typ)
	}
	if op != tokEq && op != tokNe && x.typ != typeNum {
		return exprValue{}, c.errorf(n.opOff, "%s compares numbers, but %s is %s", cmpText[op], x.text, x.typ)
	}
	v.typ = typeBool
	for _, p := range [][2]exprValue{{x, y}, {y, x}} {
		if err := c.checkPolicyValue(p[0], p[1]); err != nil {
			return exprValue{}, err
		}
	}
	if x.kind == valConst && y.kind == valConst {
		switch x.typ {
		case typeBool:
			v.b = (x.b == y.b) == (op == tokEq)
		case typeStr:
			v.b = (x.s == y.s) == (op == tokEq)
		case typeNum:
			v.b = cmpFloat(op, x.n, y.n)
		}
		return v, nil
	}
	if x.kind == valConst { // the constant, if any, goes right
		x, y, op = y, x, flipCmp(op)
	}
	v.kind = valCond
	switch x.typ {
	case typeBool:
		v.cond = c.cmpBool(op, x, y)
	case typeNum:
		if x.kind == valLastStay || y.kind == valLastStay {
			v.cond, err = c.cmpLastStay(n, op, x, y)
		} else {
			v.cond = c.cmpAdmissions(op, x, y)
		}
	case typeStr:
		v.cond, err = c.cmpStr(n, op, x, y)
	}
	return v, err
}

// checkPolicyValue refuses a comparison of a text policy, p, with a string,
// lit, that the policy does not allow: it could never match.
func (c *exprCompiler) checkPolicyValue(p, lit exprValue) error {
	name, ok := strings.CutPrefix(p.name, "policy.")
	if !ok || p.typ != typeStr || lit.name != "" || lit.kind != valConst {
		return nil
	}
	allowed := c.scope.allowed[name]
	if len(allowed) == 0 || slices.Contains(allowed, lit.s) {
		return nil
	}
	msg := fmt.Sprintf("%q is not a value %s allows (%s)", lit.s, p.name, strings.Join(allowed, ", "))
	if sg := Suggest(lit.s, allowed); sg != "" {
		msg += fmt.Sprintf("; did you mean %q?", sg)
	}
	return c.errorf(lit.off, "%s", msg)
}

func cmpFloat(op tokKind, a, b float64) bool {
	switch op {
	case tokEq:
		return a == b
	case tokNe:
		return a != b
	case tokLt:
		return a < b
	case tokLe:
		return a <= b
	case tokGt:
		return a > b
	}
	return a >= b
}

// cmpBool compares a dynamic condition x with y, constant or not.
func (c *exprCompiler) cmpBool(op tokKind, x, y exprValue) Cond {
	f := x.cond
	if y.kind == valConst {
		if y.b == (op == tokEq) {
			return f
		}
		return condNot(f)
	}
	g := y.cond
	if op == tokEq {
		return func(c *Client) bool { return f(c) == g(c) }
	}
	return func(c *Client) bool { return f(c) != g(c) }
}

// cmpAdmissions compares admissions x with y, a constant or admissions.
// Counts are small integers, exact as float64.
func (cc *exprCompiler) cmpAdmissions(op tokKind, x, y exprValue) Cond {
	p := cc.lay.adm[x.idx]
	if y.kind == valConst {
		k := y.n
		switch op {
		case tokEq:
			return func(c *Client) bool { return float64(p.get(c)) == k }
		case tokNe:
			return func(c *Client) bool { return float64(p.get(c)) != k }
		case tokLt:
			return func(c *Client) bool { return float64(p.get(c)) < k }
		case tokLe:
			return func(c *Client) bool { return float64(p.get(c)) <= k }
		case tokGt:
			return func(c *Client) bool { return float64(p.get(c)) > k }
		}
		return func(c *Client) bool { return float64(p.get(c)) >= k }
	}
	q := cc.lay.adm[y.idx]
	switch op {
	case tokEq:
		return func(c *Client) bool { return p.get(c) == q.get(c) }
	case tokNe:
		return func(c *Client) bool { return p.get(c) != q.get(c) }
	case tokLt:
		return func(c *Client) bool { return p.get(c) < q.get(c) }
	case tokLe:
		return func(c *Client) bool { return p.get(c) <= q.get(c) }
	case tokGt:
		return func(c *Client) bool { return p.get(c) > q.get(c) }
	}
	return func(c *Client) bool { return p.get(c) >= q.get(c) }
}

// cmpLastStay compares the last stay x with a constant y.
func (cc *exprCompiler) cmpLastStay(n *exprNode, op tokKind, x, y exprValue) (Cond, error) {
	if y.kind != valConst {
		return nil, cc.errorf(n.opOff, "compare %s with a number of days, as in last_exit.stay_days >= 90", x.text)
	}
	lay, k := cc.lay, y.n
	return func(c *Client) bool { return cmpFloat(op, lay.lastStayOf(c), k) }, nil
}

// cmpStr compares a string read from the client, x, with a constant y,
// resolving y to an index.
func (c *exprCompiler) cmpStr(n *exprNode, op tokKind, x, y exprValue) (Cond, error) {
	if y.kind != valConst {
		return nil, c.errorf(n.opOff, "cannot compare %s with %s; compare each with a string", x.text, y.text)
	}
	var domain []string
	var what, plural string
	switch x.kind {
	case valAttr:
		domain, what, plural = c.scope.Attributes[x.idx].Levels, "a level of "+x.text, "levels"
	case valReason:
		domain, what, plural = c.scope.Reasons, "an exit reason", "reasons"
	case valPlace:
		domain, what, plural = c.scope.Places, "a place", "places"
	}
	i := slices.Index(domain, y.s)
	if i < 0 {
		desc := strconv.Quote(y.s)
		if y.name != "" {
			desc = fmt.Sprintf("%s (%q)", y.name, y.s)
		}
		return nil, c.errorf(y.off, "%s is not %s (%s: %s)", desc, what, plural, strings.Join(domain, ", "))
	}
	eq := op == tokEq
	switch x.kind {
	case valAttr:
		if i > 255 {
			return nil, c.errorf(y.off, "%s has more than 256 levels", x.text)
		}
		f, l := c.lay.attr[x.idx], uint64(i)
		if eq {
			return func(c *Client) bool { return f.get(c) == l }, nil
		}
		return func(c *Client) bool { return f.get(c) != l }, nil
	case valReason:
		r := int8(i)
		if eq {
			return func(c *Client) bool { return c.LastExitReason == r }, nil
		}
		return func(c *Client) bool { return c.LastExitReason != r }, nil
	}
	p := int8(i)
	if eq {
		return func(c *Client) bool { return c.LastExitPlace == p }, nil
	}
	return func(c *Client) bool { return c.LastExitPlace != p }, nil
}
