package scenario

import (
	"bytes"
	"encoding"
	"errors"
	"fmt"
	"reflect"
	"regexp"
	"strconv"
	"strings"
	"unicode"
	"unicode/utf8"

	"github.com/journeysim/journeysim/models/internal/suggest"

	"github.com/BurntSushi/toml"
)

// checkFile decodes one file on its own: syntax, types, single-value rules
// and unknown keys, each with its line. It decodes key by key, so that one
// wrong key does not hide the problems of the others.
func checkFile(src *source) (map[string]any, Problems) {
	if line, msg := checkLimits(src.text); msg != "" {
		return nil, Problems{{File: src.name, Line: line, Msg: msg + ": not a scenario file journeysim can read"}}
	}
	var raw map[string]any
	if _, err := toml.NewDecoder(bytes.NewReader(src.text)).Decode(&raw); err != nil {
		return nil, Problems{syntaxProblem(src, err)}
	}
	var top map[string]toml.Primitive
	md, err := toml.NewDecoder(bytes.NewReader(src.text)).Decode(&top)
	if err != nil {
		return raw, Problems{syntaxProblem(src, err)}
	}
	d := &fileDecoder{md: md, src: src}
	var sc Scenario
	d.fields(top, reflect.ValueOf(&sc).Elem(), "")
	d.controls(raw, "")
	return raw, d.probs
}

// controls notes every key and string of v that holds a control character
// (a tab or a newline aside): text that reaches a terminal, a report or a
// spreadsheet must not carry escape sequences.
func (d *fileDecoder) controls(v any, key string) {
	switch v := v.(type) {
	case map[string]any:
		for _, k := range sortedKeys(v) {
			p := k
			if key != "" {
				p = key + "." + k
			}
			if hasControl(k) {
				d.problem(Invalid, key, fmt.Sprintf("the key %s holds a control character: keys are names, as in detox", strconv.QuoteToASCII(k)))
				continue
			}
			d.controls(v[k], p)
		}
	case []map[string]any:
		for i, x := range v {
			d.controls(x, fmt.Sprintf("%s[%d]", key, i))
		}
	case []any:
		for i, x := range v {
			d.controls(x, fmt.Sprintf("%s[%d]", key, i))
		}
	case string:
		if hasControl(v) {
			d.problem(Invalid, key, fmt.Sprintf("%s holds a control character: text may hold none but tabs and newlines", strconv.QuoteToASCII(v)))
		}
	}
}

func hasControl(s string) bool {
	return strings.IndexFunc(s, func(r rune) bool { return r != '\n' && r != '\t' && unicode.IsControl(r) }) >= 0
}

// syntaxProblem turns a TOML syntax error into a problem with its line,
// column and an excerpt of the line.
func syntaxProblem(src *source, err error) Problem {
	var pe toml.ParseError
	if !errors.As(err, &pe) {
		return Problem{Kind: Syntax, File: src.name, Msg: tomlMessage(err.Error())}
	}
	p := Problem{Kind: Syntax, File: src.name, Line: pe.Position.Line, Col: pe.Position.Col, Msg: tomlMessage(pe.Message)}
	// The decoder's line and column can disagree when the error is at the
	// end of a line; the byte offset is right, so take both from it.
	text := string(src.text)
	if off := pe.Position.Start; off > 0 && off <= len(text) {
		p.Line = strings.Count(text[:off], "\n") + 1
		p.Col = off - (strings.LastIndexByte(text[:off], '\n') + 1) + 1
	}
	lines := strings.Split(text, "\n")
	if p.Line >= 1 && p.Line <= len(lines) {
		ln := strings.TrimRight(lines[p.Line-1], "\r")
		// The last key the decoder read is the key at fault only if it is
		// on the line.
		if pe.LastKey != "" && !strings.Contains(p.Msg, pe.LastKey) {
			parts := strings.Split(pe.LastKey, ".")
			if regexp.MustCompile(`(^|[{,\s])` + regexp.QuoteMeta(parts[len(parts)-1]) + `\s*=`).MatchString(ln) {
				p.Key = pe.LastKey
			}
		}
		p.Excerpt = excerpt(lines, p.Line, p.Col)
	}
	return p
}

// excerpt shows line n (from 1) of lines with a caret under column col
// (counted in bytes, as the decoder counts them), after the line before
// it: an error found at the start of a line often began on the one before.
func excerpt(lines []string, n, col int) string {
	var b strings.Builder
	if n >= 2 && strings.TrimSpace(lines[n-2]) != "" {
		fmt.Fprintf(&b, "%6d | %s\n", n-1, strings.TrimRight(lines[n-2], "\r"))
	}
	line := strings.TrimRight(lines[n-1], "\r")
	fmt.Fprintf(&b, "%6d | %s\n", n, line)
	b.WriteString(strings.Repeat(" ", 7) + "| ")
	var caret strings.Builder
	for i, r := range line {
		if i >= col-1 {
			break
		}
		if r == '\t' {
			caret.WriteRune('\t')
		} else {
			caret.WriteRune(' ')
		}
	}
	b.WriteString(caret.String() + "^")
	return b.String()
}

var tomlPrefixRE = regexp.MustCompile(`^(toml: )+(line \d+ )?(\(last key "[^"]*"\): )?`)

// tomlHints add advice to the decoder's messages for the mistakes a
// planner most often makes, by the message's start.
var tomlHints = []struct{ prefix, hint string }{
	{"expected value but found", `: text goes in quotes, as in kind = "state"`},
	{"expected '.' or ']' to end table name", `: close the table header with ]`},
	{"strings cannot contain newlines", `: close the string with a quote on the same line, or use """ for text over several lines`},
}

// tomlMessage tidies a message from the TOML decoder into the style of
// ours: no "toml:" prefix or position (the problem carries those), a
// lowercase start and no final full stop.
func tomlMessage(msg string) string {
	msg = tomlPrefixRE.ReplaceAllString(msg, "")
	msg = strings.TrimSuffix(msg, ".")
	for _, h := range tomlHints {
		if strings.HasPrefix(msg, h.prefix) {
			msg += h.hint
		}
	}
	if r, size := utf8.DecodeRuneInString(msg); unicode.IsUpper(r) {
		if r2, _ := utf8.DecodeRuneInString(msg[size:]); !unicode.IsUpper(r2) {
			msg = string(unicode.ToLower(r)) + msg[size:]
		}
	}
	return msg
}

// A fileDecoder decodes a file into a Scenario key by key, by reflection
// on the Scenario type, and notes every wrong or unknown key.
type fileDecoder struct {
	md    toml.MetaData
	src   *source
	probs Problems
}

func (d *fileDecoder) problem(kind ProblemKind, key, msg string) {
	d.probs = append(d.probs, Problem{Kind: kind, File: d.src.name, Line: lineOf(d.src, key), Key: key, Msg: msg})
}

var (
	unmarshalerType     = reflect.TypeFor[toml.Unmarshaler]()
	textUnmarshalerType = reflect.TypeFor[encoding.TextUnmarshaler]()
)

// textExamples says how values of the types that decode from a string are
// written.
var textExamples = map[reflect.Type]string{
	durationType: `a duration in quotes, as in "30d"`,
	distType:     `a distribution in quotes, as in "exponential(mean = 30d)"`,
	exprType:     `a condition in quotes, as in "client.drug == 'opiate'"`,
}

// fields decodes the keys of a table into the struct v, whose toml tags
// name the keys allowed.
func (d *fileDecoder) fields(parts map[string]toml.Primitive, v reflect.Value, key string) {
	t := v.Type()
	index := map[string]int{}
	var known []string
	for i := range t.NumField() {
		tag, _, _ := strings.Cut(t.Field(i).Tag.Get("toml"), ",")
		if tag == "" || tag == "-" {
			continue
		}
		index[tag] = i
		known = append(known, tag)
	}
	for _, k := range sortedKeys(parts) {
		p := k
		if key != "" {
			p = key + "." + k
		}
		i, ok := index[k]
		if !ok {
			d.problem(UnknownKey, p, unknownKeyMsg(k, known))
			continue
		}
		d.value(parts[k], v.Field(i), p)
	}
}

// value decodes prim, the value of key, into v.
func (d *fileDecoder) value(prim toml.Primitive, v reflect.Value, key string) {
	var raw any
	if err := d.md.PrimitiveDecode(prim, &raw); err != nil {
		d.problem(WrongType, key, tomlMessage(err.Error()))
		return
	}
	t := v.Type()
	_, isTable := raw.(map[string]any)
	isArray := false
	switch raw.(type) {
	case []any, []map[string]any:
		isArray = true
	}
	wrong := func(want string) { d.problem(WrongType, key, fmt.Sprintf("must be %s, not %s", want, describe(raw))) }
	switch pt := reflect.PointerTo(t); {
	case pt.Implements(unmarshalerType):
		// Checks its own input.
	case pt.Implements(textUnmarshalerType):
		if isTable || isArray {
			want, ok := textExamples[t]
			if !ok {
				want = "a string"
			}
			wrong(want)
			return
		}
	case t.Kind() == reflect.Pointer:
		nv := reflect.New(t.Elem())
		d.value(prim, nv.Elem(), key)
		v.Set(nv)
		return
	case t.Kind() == reflect.Struct, t.Kind() == reflect.Map:
		if !isTable {
			wrong("a table")
			return
		}
		var parts map[string]toml.Primitive
		if err := d.md.PrimitiveDecode(prim, &parts); err != nil {
			d.problem(WrongType, key, tomlMessage(err.Error()))
			return
		}
		if t.Kind() == reflect.Struct {
			d.fields(parts, v, key)
			return
		}
		m := reflect.MakeMap(t)
		for _, k := range sortedKeys(parts) {
			ev := reflect.New(t.Elem()).Elem()
			d.value(parts[k], ev, key+"."+k)
			m.SetMapIndex(reflect.ValueOf(k).Convert(t.Key()), ev)
		}
		v.Set(m)
		return
	case t.Kind() == reflect.Slice:
		if !isArray {
			switch et := t.Elem(); {
			case et.Kind() == reflect.String:
				wrong(`a list in square brackets, as in ["detox", "community"]`)
			case et.Kind() == reflect.Pointer || et.Kind() == reflect.Struct:
				wrong("a list of tables, as in [ { … }, { … } ] or [[…]] sections")
			default:
				wrong("a list in square brackets")
			}
			return
		}
		var parts []toml.Primitive
		if err := d.md.PrimitiveDecode(prim, &parts); err != nil {
			d.problem(WrongType, key, tomlMessage(err.Error()))
			return
		}
		s := reflect.MakeSlice(t, len(parts), len(parts))
		for i, p := range parts {
			d.value(p, s.Index(i), fmt.Sprintf("%s[%d]", key, i))
		}
		v.Set(s)
		return
	case t.Kind() == reflect.Bool:
		if _, ok := raw.(bool); !ok {
			wrong("true or false")
			return
		}
	case t.Kind() == reflect.String:
		if _, ok := raw.(string); !ok {
			wrong("a string in quotes")
			return
		}
	case t.Kind() >= reflect.Int && t.Kind() <= reflect.Int64:
		if _, ok := raw.(int64); !ok {
			wrong("a whole number")
			return
		}
	case t.Kind() == reflect.Float64:
		switch raw.(type) {
		case int64, float64:
		default:
			wrong("a number")
			return
		}
	}
	if err := d.md.PrimitiveDecode(prim, v.Addr().Interface()); err != nil {
		msg := err.Error()
		var pe toml.ParseError
		if errors.As(err, &pe) {
			msg = pe.Message
		}
		d.problem(WrongType, key, tomlMessage(msg))
	}
}

func unknownKeyMsg(k string, known []string) string {
	msg := "unknown key"
	if s := suggest.Closest(k, known); s != "" {
		return msg + fmt.Sprintf("; did you mean %q?", s)
	}
	return msg + " (allowed here: " + strings.Join(known, ", ") + ")"
}
