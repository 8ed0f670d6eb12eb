package models

import (
	"fmt"
	"maps"
	"slices"
	"strconv"
	"strings"

	"github.com/journeysim/journeysim/models/internal/suggest"

	"github.com/journeysim/journeysim/models/scenario"
)

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
	ages           bool            // clients have an age (client.age), kept in the layout
	justice        bool            // some place is marked justice: the last contact is kept in the layout
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
func Compile(e scenario.Expr, s *Scope) (Cond, error) {
	if e.IsZero() {
		return condTrue, nil
	}
	v, err := compileExpr(e, s)
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
func Const(e scenario.Expr, s *Scope) (value bool, ok bool, err error) {
	if e.IsZero() {
		return true, true, nil
	}
	v, err := compileExpr(e, s)
	if err != nil {
		return false, false, err
	}
	if v.kind != valConst {
		return false, false, nil
	}
	return v.b, true, nil
}

func condTrue(*Client) bool  { return true }
func condFalse(*Client) bool { return false }

// Lexing.

// Parsing.

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
	valAge                       // number: the client's age in years
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
	e     scenario.Expr
	src   string
	scope *Scope
	lay   *clientLayout
}

func compileExpr(e scenario.Expr, s *Scope) (exprValue, error) {
	if s == nil {
		s = &Scope{}
	}
	lay, err := s.layoutOf()
	if err != nil {
		return exprValue{}, err
	}
	c := exprCompiler{e: e, src: e.String(), scope: s, lay: lay}
	v, err := c.node(e.Root())
	if err != nil {
		return exprValue{}, err
	}
	if err := c.wantCond(v); err != nil {
		return exprValue{}, err
	}
	return v, nil
}

func (c *exprCompiler) errorf(off int, format string, a ...any) error {
	return c.e.Errorf(off, format, a...)
}

func (c *exprCompiler) wantCond(v exprValue) error {
	if v.typ != typeBool {
		return c.errorf(v.off, "%s is %s, not a condition", v.text, v.typ)
	}
	return nil
}

func (c *exprCompiler) node(n *scenario.Node) (exprValue, error) {
	v := exprValue{text: c.src[n.Off:n.End], off: n.Off}
	switch n.Kind {
	case scenario.NodeName:
		return c.name(n, v)
	case scenario.NodeNum:
		v.typ, v.n = typeNum, n.Num
		return v, nil
	case scenario.NodeStr:
		v.typ, v.s = typeStr, n.Str
		return v, nil
	case scenario.NodeBool:
		v.typ, v.b = typeBool, n.Bool
		return v, nil
	case scenario.NodeNot:
		x, err := c.node(n.X)
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
	case scenario.NodeAnd, scenario.NodeOr:
		return c.logic(n, v)
	case scenario.NodeCmp:
		return c.cmp(n, v)
	}
	panic("models: unknown expression node")
}

func condNot(f Cond) Cond { return func(c *Client) bool { return !f(c) } }

// operands compiles the two sides of a binary node.
func (c *exprCompiler) operands(n *scenario.Node) (x, y exprValue, err error) {
	if x, err = c.node(n.X); err != nil {
		return x, y, err
	}
	y, err = c.node(n.Y)
	return x, y, err
}

func (c *exprCompiler) logic(n *scenario.Node, v exprValue) (exprValue, error) {
	x, y, err := c.operands(n)
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
	and := n.Kind == scenario.NodeAnd
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
func (c *exprCompiler) name(n *scenario.Node, v exprValue) (exprValue, error) {
	s := c.scope
	family, rest, _ := strings.Cut(n.Name, ".")
	switch family {
	case "client":
		if rest == "age" && c.lay.born.width > 0 {
			v.typ, v.kind = typeNum, valAge
			return v, nil
		}
		for i, a := range s.Attributes {
			if a.Name == rest {
				if i >= scenario.MaxAttributes {
					return exprValue{}, c.errorf(n.Off, "%s: at most %d attributes", n.Name, scenario.MaxAttributes)
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
				return exprValue{}, c.errorf(n.Off, "%s: place index %d out of range", n.Name, i)
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
				return exprValue{}, c.errorf(n.Off, "%s is not kept for this scenario", n.Name)
			}
			v.typ, v.kind = typeNum, valLastStay
			return v, nil
		}
	case "policy":
		if p, ok := s.Policy[rest]; ok {
			v.name = n.Name
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
				return exprValue{}, c.errorf(n.Off, "%s is a %T; a policy is a string, a boolean or a number", n.Name, p)
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
	if c.lay.born.width > 0 {
		names = append(names, "client.age")
	}
	names = append(names, "last_exit.reason", "last_exit.place", "last_exit.stay_days")
	for _, p := range slices.Sorted(maps.Keys(s.Policy)) {
		names = append(names, "policy."+p)
	}
	return names
}

func (c *exprCompiler) unknown(n *scenario.Node, family string) error {
	if n.Name == "client.age" {
		return c.errorf(n.Off, "client.age needs ages: an [ages] table with at_first_presentation")
	}
	if sg := suggest.Closest(n.Name, c.known()); sg != "" {
		return c.errorf(n.Off, "unknown name %q; did you mean %q?", n.Name, sg)
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
	return c.errorf(n.Off, "unknown name %q (%s)", n.Name, hint)
}

var cmpText = map[scenario.Op]string{scenario.OpEq: "==", scenario.OpNe: "!=", scenario.OpLt: "<", scenario.OpLe: "<=", scenario.OpGt: ">", scenario.OpGe: ">="}

// flipCmp returns the comparison with its operands swapped: a < b is b > a.
func flipCmp(op scenario.Op) scenario.Op {
	switch op {
	case scenario.OpLt:
		return scenario.OpGt
	case scenario.OpLe:
		return scenario.OpGe
	case scenario.OpGt:
		return scenario.OpLt
	case scenario.OpGe:
		return scenario.OpLe
	}
	return op
}

func (c *exprCompiler) cmp(n *scenario.Node, v exprValue) (exprValue, error) {
	x, y, err := c.operands(n)
	if err != nil {
		return exprValue{}, err
	}
	op := n.Op
	if x.typ != y.typ {
		return exprValue{}, c.errorf(n.OpOff, "cannot compare %s (%s) with %s (%s)", x.text, x.typ, y.text, y.typ)
	}
	if op != scenario.OpEq && op != scenario.OpNe && x.typ != typeNum {
		return exprValue{}, c.errorf(n.OpOff, "%s compares numbers, but %s is %s", cmpText[op], x.text, x.typ)
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
			v.b = (x.b == y.b) == (op == scenario.OpEq)
		case typeStr:
			v.b = (x.s == y.s) == (op == scenario.OpEq)
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
		switch {
		case x.kind == valLastStay || y.kind == valLastStay:
			v.cond, err = c.cmpLastStay(n, op, x, y)
		case x.kind == valAge || y.kind == valAge:
			v.cond, err = c.cmpAge(n, op, x, y)
		default:
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
	if sg := suggest.Closest(lit.s, allowed); sg != "" {
		msg += fmt.Sprintf("; did you mean %q?", sg)
	}
	return c.errorf(lit.off, "%s", msg)
}

func cmpFloat(op scenario.Op, a, b float64) bool {
	switch op {
	case scenario.OpEq:
		return a == b
	case scenario.OpNe:
		return a != b
	case scenario.OpLt:
		return a < b
	case scenario.OpLe:
		return a <= b
	case scenario.OpGt:
		return a > b
	}
	return a >= b
}

// cmpBool compares a dynamic condition x with y, constant or not.
func (c *exprCompiler) cmpBool(op scenario.Op, x, y exprValue) Cond {
	f := x.cond
	if y.kind == valConst {
		if y.b == (op == scenario.OpEq) {
			return f
		}
		return condNot(f)
	}
	g := y.cond
	if op == scenario.OpEq {
		return func(c *Client) bool { return f(c) == g(c) }
	}
	return func(c *Client) bool { return f(c) != g(c) }
}

// cmpAdmissions compares admissions x with y, a constant or admissions.
// Counts are small integers, exact as float64.
func (cc *exprCompiler) cmpAdmissions(op scenario.Op, x, y exprValue) Cond {
	p := cc.lay.adm[x.idx]
	if y.kind == valConst {
		k := y.n
		switch op {
		case scenario.OpEq:
			return func(c *Client) bool { return float64(p.get(c)) == k }
		case scenario.OpNe:
			return func(c *Client) bool { return float64(p.get(c)) != k }
		case scenario.OpLt:
			return func(c *Client) bool { return float64(p.get(c)) < k }
		case scenario.OpLe:
			return func(c *Client) bool { return float64(p.get(c)) <= k }
		case scenario.OpGt:
			return func(c *Client) bool { return float64(p.get(c)) > k }
		}
		return func(c *Client) bool { return float64(p.get(c)) >= k }
	}
	q := cc.lay.adm[y.idx]
	switch op {
	case scenario.OpEq:
		return func(c *Client) bool { return p.get(c) == q.get(c) }
	case scenario.OpNe:
		return func(c *Client) bool { return p.get(c) != q.get(c) }
	case scenario.OpLt:
		return func(c *Client) bool { return p.get(c) < q.get(c) }
	case scenario.OpLe:
		return func(c *Client) bool { return p.get(c) <= q.get(c) }
	case scenario.OpGt:
		return func(c *Client) bool { return p.get(c) > q.get(c) }
	}
	return func(c *Client) bool { return p.get(c) >= q.get(c) }
}

// cmpLastStay compares the last stay x with a constant y.
func (cc *exprCompiler) cmpLastStay(n *scenario.Node, op scenario.Op, x, y exprValue) (Cond, error) {
	if y.kind != valConst {
		return nil, cc.errorf(n.OpOff, "compare %s with a number of days, as in last_exit.stay_days >= 90", x.text)
	}
	lay, k := cc.lay, y.n
	return func(c *Client) bool { return cmpFloat(op, lay.lastStayOf(c), k) }, nil
}

// cmpAge compares the client's age x with a constant y, in years.
func (cc *exprCompiler) cmpAge(n *scenario.Node, op scenario.Op, x, y exprValue) (Cond, error) {
	if y.kind != valConst {
		return nil, cc.errorf(n.OpOff, "compare %s with a number of years, as in client.age >= 40", x.text)
	}
	lay, k := cc.lay, y.n
	return func(c *Client) bool { return cmpFloat(op, lay.ageOf(c), k) }, nil
}

// cmpStr compares a string read from the client, x, with a constant y,
// resolving y to an index.
func (c *exprCompiler) cmpStr(n *scenario.Node, op scenario.Op, x, y exprValue) (Cond, error) {
	if y.kind != valConst {
		return nil, c.errorf(n.OpOff, "cannot compare %s with %s; compare each with a string", x.text, y.text)
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
	eq := op == scenario.OpEq
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
