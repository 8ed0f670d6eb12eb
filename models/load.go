package models

import (
	"bytes"
	"crypto/sha256"
	"encoding"
	"encoding/hex"
	"errors"
	"fmt"
	"io/fs"
	"math"
	"os"
	"path"
	"path/filepath"
	"reflect"
	"regexp"
	"slices"
	"sort"
	"strconv"
	"strings"
	"unicode"
	"unicode/utf8"

	"github.com/BurntSushi/toml"

	"github.com/journeysim/journeysim/scenarios"
)

// Problem is one thing wrong with a scenario. File, Line and Key are set
// where known.
type Problem struct {
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

// Problems is every problem found in a scenario, reported at once.
type Problems []Problem

func (ps Problems) Error() string {
	lines := make([]string, len(ps))
	for i, p := range ps {
		lines[i] = p.String()
	}
	return strings.Join(lines, "\n")
}

// A Loader finds scenario files: on disk, or embedded in the binary by name.
type Loader struct {
	// Embedded holds the shipped scenarios; nil means scenarios.FS.
	Embedded fs.FS
	// ReadFile reads a file from disk; nil means os.ReadFile.
	ReadFile func(name string) ([]byte, error)
	// Rebase, when set, replaces the base of the file Load is given: its
	// keys then apply on top of the scenario Rebase names, found like a
	// command-line argument. A counterfactual such as no-treatment is so
	// applied to whatever area it values.
	Rebase string
}

// Load loads the scenario ref (a file path, or the name of an embedded
// scenario such as "baseline"), with its bases, then applies overrides of
// the form path=value, and validates the result.
func Load(ref string, sets []string) (*Scenario, error) {
	return (&Loader{}).Load(ref, sets)
}

type source struct {
	name     string // as shown in messages
	embedded bool
	text     []byte
	index    *keyLines // where keys are set, made when first asked
}

func (l *Loader) embedded() fs.FS {
	if l.Embedded != nil {
		return l.Embedded
	}
	return scenarios.FS
}

func (l *Loader) readFile(name string) ([]byte, error) {
	if l.ReadFile != nil {
		return l.ReadFile(name)
	}
	return readScenarioFile(name)
}

// find resolves ref, as given on the command line or as the base of from.
func (l *Loader) find(ref string, from *source) (*source, error) {
	if from == nil || !from.embedded {
		p := ref
		if from != nil && !filepath.IsAbs(ref) {
			p = filepath.Join(filepath.Dir(from.name), ref)
		}
		// Only a .toml file is read from disk, so that no other file's
		// lines are ever shown in a message; a directory of that name (out/
		// baseline after a run, say) is not one either, and a name that is
		// not a file falls through to the shipped scenarios.
		if l.ReadFile != nil || strings.HasSuffix(p, ".toml") {
			if b, err := l.readFile(p); err == nil {
				return &source{name: p, text: b}, nil
			} else if !errors.Is(err, fs.ErrNotExist) {
				return nil, err
			}
		} else if fi, err := os.Stat(p); err == nil && !fi.IsDir() {
			if _, err := fs.Stat(l.embedded(), strings.TrimSuffix(ref, ".toml")+".toml"); err != nil {
				return nil, fmt.Errorf("%s is not a scenario file: a scenario file's name ends in .toml", p)
			}
		}
	}
	name := strings.TrimSuffix(ref, ".toml") + ".toml"
	candidates := []string{name}
	if from != nil && from.embedded {
		candidates = append([]string{path.Join(path.Dir(from.name), name)}, candidates...)
	}
	for _, c := range candidates {
		if b, err := fs.ReadFile(l.embedded(), c); err == nil {
			return &source{name: c, embedded: true, text: b}, nil
		}
	}
	names, _ := ScenarioNames(l.embedded())
	msg := fmt.Sprintf("no scenario file %q and no shipped scenario of that name", ref)
	if s := Suggest(strings.TrimSuffix(ref, ".toml"), names); s != "" {
		msg += fmt.Sprintf("; did you mean %q?", s)
	} else if len(names) > 0 {
		msg += " (shipped: " + strings.Join(names, ", ") + ")"
	}
	return nil, errors.New(msg)
}

// ScenarioNames lists the embedded scenarios by name, sorted.
func ScenarioNames(fsys fs.FS) ([]string, error) {
	if fsys == nil {
		fsys = scenarios.FS
	}
	var names []string
	err := fs.WalkDir(fsys, ".", func(p string, d fs.DirEntry, err error) error {
		if err != nil {
			return err
		}
		if !d.IsDir() && strings.HasSuffix(p, ".toml") {
			names = append(names, strings.TrimSuffix(p, ".toml"))
		}
		return nil
	})
	sort.Strings(names)
	return names, err
}

// Load loads ref with its bases and the overrides sets, as --set gives them.
func (l *Loader) Load(ref string, sets []string) (*Scenario, error) {
	return l.LoadOverrides(ref, Overrides("--set", sets...))
}

// LoadOverrides loads ref with its bases and the overrides sets; a problem
// an override makes is reported as coming from its From.
func (l *Loader) LoadOverrides(ref string, sets []Override) (*Scenario, error) {
	var chain []*source
	var probs Problems
	seen := map[string]bool{}
	var from, findFrom *source // findFrom is nil for a name given like an argument
	syntax := false
	for next := ref; next != ""; {
		src, err := l.find(next, findFrom)
		if err != nil {
			p := Problem{Msg: err.Error()}
			if from != nil {
				p.File, p.Key, p.Line = from.name, "base", from.keyLine("base")
			}
			return nil, Problems{p}
		}
		if seen[src.name] {
			msg := fmt.Sprintf("%q is this file: a scenario cannot be its own base", next)
			if src.name != from.name {
				msg = fmt.Sprintf("%q leads back to %s: the bases form a cycle (%s → %s), and a scenario cannot include itself", next, src.name, chainNames(chain), src.name)
			}
			return nil, Problems{{File: from.name, Key: "base", Line: from.keyLine("base"), Msg: msg}}
		}
		seen[src.name] = true
		raw, ps := checkFile(src)
		probs = append(probs, ps...)
		syntax = syntax || raw == nil
		chain = append(chain, src)
		from = src
		next = ""
		if raw != nil {
			if b, ok := raw["base"].(string); ok {
				next = b
			}
		}
		findFrom = from
		if len(chain) == 1 && l.Rebase != "" {
			next, findFrom = l.Rebase, nil
		}
	}
	// Only a syntax error stops here. An unknown key is ignored and a wrong
	// value is left out of the merge, so the checks that span keys run too
	// and every problem is reported at once.
	if syntax {
		sortProblems(probs, chain)
		return nil, capProblems(probs)
	}
	bad := map[string][]string{} // by file, the keys whose values are wrong
	for _, p := range probs {
		if p.Key != "" && !strings.HasPrefix(p.Msg, "unknown key") {
			bad[p.File] = append(bad[p.File], p.Key)
		}
	}
	fileProbs := probs
	probs = nil

	// Merge from the furthest base to the file itself.
	merged := map[string]any{}
	origin := map[string]string{}
	var gone []string // keys left out for their wrong values
	for i := len(chain) - 1; i >= 0; i-- {
		var raw map[string]any
		if _, err := toml.NewDecoder(bytes.NewReader(chain[i].text)).Decode(&raw); err != nil {
			return nil, Problems{{File: chain[i].name, Msg: err.Error()}}
		}
		delete(raw, "base")
		for _, k := range bad[chain[i].name] {
			if dropRaw(raw, k) {
				gone = append(gone, k)
			}
		}
		mergeInto(merged, raw, "", chain[i].name, origin)
	}
	hintLevels(fileProbs, merged)
	for _, o := range sets {
		if err := applySet(merged, o.Set, o.From, origin); err != nil {
			probs = append(probs, Problem{File: o.From, Msg: err.Error()})
		}
	}
	if len(probs) == 0 {
		rescaleGroups(merged, sets, origin)
	}
	if len(probs) > 0 {
		return nil, probs
	}

	var buf bytes.Buffer
	if err := toml.NewEncoder(&buf).Encode(merged); err != nil {
		return nil, fmt.Errorf("models: re-encoding %s: %w", ref, err)
	}
	if len(sets) > 0 && len(fileProbs) == 0 {
		// Each file decoded cleanly on its own, so any wrong or unknown key
		// now comes from an override. Lines in the merged text mean nothing
		// to the user.
		if _, ps := checkFile(&source{name: sets[0].From, text: buf.Bytes()}); len(ps) > 0 {
			for i := range ps {
				ps[i].File, ps[i].Line, ps[i].Col, ps[i].Excerpt = overrideOf(sets, ps[i].Key), 0, 0, ""
			}
			return nil, ps
		}
	}
	sc := &Scenario{}
	sum := sha256.Sum256(buf.Bytes())
	sc.fingerprint = hex.EncodeToString(sum[:])
	if _, err := toml.NewDecoder(&buf).Decode(sc); err != nil {
		var pe toml.ParseError
		if errors.As(err, &pe) {
			return nil, Problems{{File: overrideOf(sets, pe.LastKey), Key: pe.LastKey, Msg: tomlMessage(pe.Message)}}
		}
		return nil, Problems{{File: overrideOf(sets, ""), Msg: tomlMessage(err.Error())}}
	}
	sc.Base = ""
	if len(chain) > 1 {
		sc.Base = chain[1].name
	}
	sc.Origin = origin
	sc.File = chain[0].name
	for _, src := range chain {
		if !src.embedded {
			sc.Files = append(sc.Files, src.name)
		}
	}
	// A problem at a key left out for its wrong value is that one again.
	var vps Problems
	for _, p := range sc.Validate() {
		if !related(p.Key, gone) {
			vps = append(vps, p)
		}
	}
	if ps := append(fileProbs, vps...); len(ps) > 0 {
		where := newOrigins(origin)
		for i := range ps {
			if ps[i].File == "" && ps[i].Key != "" {
				ps[i].File, ps[i].Line = where.locate(chain, ps[i].Key)
			}
			if ps[i].File == "" {
				ps[i].File = chain[0].name // a problem of the whole scenario
			}
		}
		sortProblems(ps, chain)
		return nil, capProblems(ps)
	}
	for i := range sc.Warnings {
		w := &sc.Warnings[i]
		if w.File == "" && w.Key != "" {
			w.File, w.Line = newOrigins(origin).locate(chain, w.Key)
		}
	}
	return sc, nil
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

func chainNames(chain []*source) string {
	names := make([]string, len(chain))
	for i, s := range chain {
		names[i] = s.name
	}
	return strings.Join(names, " → ")
}

// origins is where each key of a merged scenario was set, with its keys
// sorted so that the keys below one are found without a scan of all.
type origins struct {
	by   map[string]string
	keys []string
}

func newOrigins(by map[string]string) *origins {
	return &origins{by: by, keys: sortedKeys(by)}
}

// locate finds the file and line of a problem found after merging: the
// first place, going up from key to its ancestors, that an override or a
// file of the chain sets (the file itself before its bases), and that
// place's line. A key that is missing is so found at its table.
func (o *origins) locate(chain []*source, key string) (string, int) {
	for k := key; k != ""; k = parentKey(k) {
		if from, ok := o.override(k); ok {
			return from, 0
		}
		for _, src := range chain {
			if o.sets(k, src.name) {
				return src.name, lineOf(src, k)
			}
		}
	}
	return "", 0
}

// override reports whether an override set key, a table above it or a key
// below it, and names its flag.
func (o *origins) override(key string) (string, bool) {
	k := stripIndexes(key)
	for a := k; a != ""; a = parentKey(a) {
		if f := o.by[a]; isOverride(f) {
			return f, true
		}
	}
	i, _ := slices.BinarySearch(o.keys, k+".")
	for ; i < len(o.keys) && strings.HasPrefix(o.keys[i], k+"."); i++ {
		if f := o.by[o.keys[i]]; isOverride(f) {
			return f, true
		}
	}
	return "", false
}

// sets reports whether file set key, a table above it or a key below it.
func (o *origins) sets(key, file string) bool {
	k := stripIndexes(key)
	for a := k; a != ""; a = parentKey(a) {
		if o.by[a] == file {
			return true
		}
	}
	// The keys below k sort together, from k+"." up to k+"/".
	i, _ := slices.BinarySearch(o.keys, k+".")
	for ; i < len(o.keys) && strings.HasPrefix(o.keys[i], k+"."); i++ {
		if o.by[o.keys[i]] == file {
			return true
		}
	}
	return false
}

// parentKey returns the key above key: "a.b" for "a.b.c" and "a.b[1]",
// "" for "a".
func parentKey(key string) string {
	if i := strings.LastIndexAny(key, ".["); i >= 0 {
		return key[:i]
	}
	return ""
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
				d.problem(key, fmt.Sprintf("the key %s holds a control character: keys are names, as in detox", strconv.QuoteToASCII(k)))
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
			d.problem(key, fmt.Sprintf("%s holds a control character: text may hold none but tabs and newlines", strconv.QuoteToASCII(v)))
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
		return Problem{File: src.name, Msg: tomlMessage(err.Error())}
	}
	p := Problem{File: src.name, Line: pe.Position.Line, Col: pe.Position.Col, Msg: tomlMessage(pe.Message)}
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

func (d *fileDecoder) problem(key, msg string) {
	d.probs = append(d.probs, Problem{File: d.src.name, Line: lineOf(d.src, key), Key: key, Msg: msg})
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
			d.problem(p, unknownKeyMsg(k, known))
			continue
		}
		d.value(parts[k], v.Field(i), p)
	}
}

// value decodes prim, the value of key, into v.
func (d *fileDecoder) value(prim toml.Primitive, v reflect.Value, key string) {
	var raw any
	if err := d.md.PrimitiveDecode(prim, &raw); err != nil {
		d.problem(key, tomlMessage(err.Error()))
		return
	}
	t := v.Type()
	_, isTable := raw.(map[string]any)
	isArray := false
	switch raw.(type) {
	case []any, []map[string]any:
		isArray = true
	}
	wrong := func(want string) { d.problem(key, fmt.Sprintf("must be %s, not %s", want, describe(raw))) }
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
			d.problem(key, tomlMessage(err.Error()))
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
			d.problem(key, tomlMessage(err.Error()))
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
		d.problem(key, tomlMessage(msg))
	}
}

func unknownKeyMsg(k string, known []string) string {
	msg := "unknown key"
	if s := Suggest(k, known); s != "" {
		return msg + fmt.Sprintf("; did you mean %q?", s)
	}
	return msg + " (allowed here: " + strings.Join(known, ", ") + ")"
}

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

var indexRE = regexp.MustCompile(`\[\d+\]`)

func stripIndexes(key string) string { return indexRE.ReplaceAllString(key, "") }

// mergeInto merges src into dst: tables merge key by key, anything else
// (numbers, strings, arrays) is replaced whole.
func mergeInto(dst, src map[string]any, prefix, file string, origin map[string]string) {
	for _, k := range sortedKeys(src) {
		v := src[k]
		p := k
		if prefix != "" {
			p = prefix + "." + k
		}
		if sm, ok := v.(map[string]any); ok && !isValueTable(sm) {
			dm, ok := dst[k].(map[string]any)
			if !ok {
				dm = map[string]any{}
				dst[k] = dm
			}
			mergeInto(dm, sm, p, file, origin)
			continue
		}
		if old, ok := dst[k].(map[string]any); ok {
			if isValueTable(old) {
				v = inheritDeclared(old, v)
			} else {
				forgetOrigins(old, p, origin)
			}
		}
		dst[k] = v
		origin[p] = file
	}
}

// forgetOrigins removes from origin the keys of the table m, at prefix,
// that a value is replacing.
func forgetOrigins(m map[string]any, prefix string, origin map[string]string) {
	for k, v := range m {
		p := prefix + "." + k
		delete(origin, p)
		if sm, ok := v.(map[string]any); ok && !isValueTable(sm) {
			forgetOrigins(sm, p, origin)
		}
	}
}

// isValueTable reports whether m is a {value, source, …} table, which is
// replaced whole rather than merged.
func isValueTable(m map[string]any) bool {
	_, ok := m["value"]
	return ok
}

// An Override sets one value of a scenario by its path, as --set does:
// Set is path=value, and From names where it came from in messages and
// in Scenario.Origin ("--set", "--vary", "--range", "--psa").
type Override struct{ Set, From string }

// Overrides labels each of sets as coming from from.
func Overrides(from string, sets ...string) []Override {
	out := make([]Override, len(sets))
	for i, s := range sets {
		out[i] = Override{Set: s, From: from}
	}
	return out
}

// overrideOf names the flag of the override that set key, or of the last
// override when none is found.
func overrideOf(sets []Override, key string) string {
	from := "--set"
	for _, o := range sets {
		from = o.From
		p, _, _ := strings.Cut(o.Set, "=")
		if p = strings.TrimSpace(p); key == p || strings.HasPrefix(key, p+".") || strings.HasPrefix(key, p+"[") || strings.HasPrefix(p, key+".") {
			return o.From
		}
	}
	return from
}

// isOverride reports whether an origin is an override, not a file.
func isOverride(origin string) bool { return strings.HasPrefix(origin, "--") }

// applySet applies one path=value override. The path is written as explain,
// calibrate and the PSA print it: keys joined by dots, and [i] for the i-th
// element of a list (places.community.stay_modifiers[0].hazard_ratio).
func applySet(m map[string]any, set, from string, origin map[string]string) error {
	p, val, ok := strings.Cut(set, "=")
	p = strings.TrimSpace(p)
	if !ok || p == "" {
		return fmt.Errorf("%q: an override is path=value, as in places.detox.capacity=16", set)
	}
	if _, msg := checkLimits([]byte(p + " = " + val)); msg != "" {
		return fmt.Errorf("%s: %s", p, msg)
	}
	if hasControl(set) {
		return fmt.Errorf("%s: an override holds a control character", strconv.QuoteToASCII(p))
	}
	steps, err := parsePath(p)
	if err != nil {
		return fmt.Errorf("%s: not a path: write keys joined by dots, with [i] for an element of a list, as in places.detox.routes.completed[0].probability", p)
	}
	var v any
	var doc map[string]any
	if _, err := toml.Decode("v = "+strings.TrimSpace(val), &doc); err == nil {
		v = doc["v"]
	} else {
		v = strings.TrimSpace(val) // a bare word is a string
	}
	// Walk down to the table or list that holds the last step, making
	// tables on the way; a list element must exist.
	var parent any = m
	at := ""
	for si, st := range steps {
		last := si == len(steps)-1 && len(st.index) == 0
		t, ok := parent.(map[string]any)
		if !ok {
			return fmt.Errorf("%s: %s is not a table", p, at)
		}
		at = joinKey(at, st.key)
		if last {
			t[st.key] = overrideValue(t[st.key], v)
			break
		}
		next, ok := t[st.key]
		if !ok {
			if len(st.index) > 0 {
				return fmt.Errorf("%s: %s is not set, so it has no element %d", p, at, st.index[0])
			}
			next = map[string]any{}
			t[st.key] = next
		}
		for ii, ix := range st.index {
			list, n := listOf(next)
			if list == nil {
				return fmt.Errorf("%s: %s is not a list", p, at)
			}
			if ix >= n {
				return fmt.Errorf("%s: %s has %d elements, numbered from 0", p, at, n)
			}
			at += fmt.Sprintf("[%d]", ix)
			if si == len(steps)-1 && ii == len(st.index)-1 {
				list(ix, func(old any) any { return overrideValue(old, v) })
				break
			}
			next = list(ix, nil)
		}
		parent = next
	}
	// A change inside a list is the list's: lists are replaced whole when
	// inherited, and a calibrated file repeats them whole.
	if i := strings.IndexByte(p, '['); i >= 0 {
		p = p[:i]
	}
	origin[p] = from
	return nil
}

// rescaleGroups rescales, in proportion, the probabilities that must sum
// to 1 with one an override set (the other exits of a place, the other
// routes of an exit, the other shares of a case-mix attribute) and that no
// override set, so that the group sums to 1 again, as the PSA and
// calibrate do. A group whose members were all set is left as it is.
func rescaleGroups(m map[string]any, sets []Override, origin map[string]string) {
	set := map[string]string{}
	var order []string
	for _, o := range sets {
		p, _, _ := strings.Cut(o.Set, "=")
		p = strings.TrimSpace(p)
		set[p] = o.From
		order = append(order, p)
	}
	done := map[string]bool{}
	for _, p := range order {
		var key string
		var members []string
		switch {
		case exitProbRE.MatchString(p):
			g := exitProbRE.FindStringSubmatch(p)
			key = "places." + g[1] + ".exits"
			exits, _ := rawAt(m, "places", g[1], "exits").(map[string]any)
			for _, r := range sortedKeys(exits) {
				if e, ok := exits[r].(map[string]any); ok && e["probability"] != nil {
					members = append(members, key+"."+r+".probability")
				}
			}
		case routeProbRE.MatchString(p):
			g := routeProbRE.FindStringSubmatch(p)
			key = "places." + g[1] + ".routes." + g[2]
			_, n := listOf(rawAt(m, "places", g[1], "routes", g[2]))
			for j := range n {
				members = append(members, fmt.Sprintf("%s[%d].probability", key, j))
			}
		case caseMixRE.MatchString(p):
			g := caseMixRE.FindStringSubmatch(p)
			key = "case_mix." + g[1]
			levels, _ := rawAt(m, "case_mix", g[1]).(map[string]any)
			for _, l := range sortedKeys(levels) {
				members = append(members, key+"."+l)
			}
		default:
			continue
		}
		if done[key] {
			continue
		}
		done[key] = true
		fixed, free := 0.0, 0.0
		var rest []string
		for _, q := range members {
			x, ok := rawNumber(m, q)
			if !ok {
				return // not numbers: validation says so
			}
			if _, isSet := set[q]; isSet {
				fixed += x
			} else {
				free += x
				rest = append(rest, q)
			}
		}
		if len(rest) == 0 || free <= 0 || math.Abs(fixed+free-1) < 1e-12 {
			continue
		}
		f := (1 - fixed) / free
		for _, q := range rest {
			x, _ := rawNumber(m, q)
			setRawNumber(m, q, x*f, fmt.Sprintf("rescaled by %s so that %s sum to 1; was %s", set[p], key, strconv.FormatFloat(x, 'g', -1, 64)))
			if i := strings.IndexByte(q, '['); i >= 0 {
				q = q[:i]
			}
			origin[q] = set[p]
		}
	}
}

// hintLevels adds to a problem at case_mix.X, where X is a level of an
// attribute rather than an attribute, the key that was meant.
func hintLevels(ps Problems, merged map[string]any) {
	mix, _ := merged["case_mix"].(map[string]any)
	for i, p := range ps {
		level, ok := strings.CutPrefix(p.Key, "case_mix.")
		if !ok || strings.Contains(level, ".") || !strings.HasPrefix(p.Msg, "must be a table") {
			continue
		}
		for _, a := range sortedKeys(mix) {
			if levels, ok := mix[a].(map[string]any); ok && levels[level] != nil {
				ps[i].Msg += fmt.Sprintf(": %s is a level of the attribute %s, so its share is case_mix.%s.%s", level, a, a, level)
				break
			}
		}
	}
}

// dropRaw takes the wrong value at key out of a decoded file: a value
// table keeps its number (its source or uncertainty was wrong), anything
// else goes, the whole list if key is in one. It reports whether the key
// went.
func dropRaw(m map[string]any, key string) bool {
	if i := strings.IndexByte(key, '['); i >= 0 {
		key = key[:i]
	}
	keys := strings.Split(key, ".")
	for _, k := range keys[:len(keys)-1] {
		next, ok := m[k].(map[string]any)
		if !ok {
			return false
		}
		m = next
	}
	last := keys[len(keys)-1]
	if t, ok := m[last].(map[string]any); ok && isValueTable(t) {
		if _, ok := numberOf(t["value"]); ok {
			m[last] = t["value"]
			return false
		}
	}
	delete(m, last)
	return true
}

// related reports whether key belongs to the same place, follow-up or
// table as one of gone: a problem there may only say again that a value is
// missing, and is reported once that value is mended.
func related(key string, gone []string) bool {
	for _, g := range gone {
		if entity(key) == entity(g) {
			return true
		}
	}
	return false
}

// entity is the place, follow-up or top-level table a key belongs to:
// places.detox for places.detox.exits.completed.stay.
func entity(key string) string {
	parts := strings.SplitN(stripIndexes(key), ".", 3)
	switch {
	case len(parts) >= 2 && (parts[0] == "places" || parts[0] == "followups" || parts[0] == "case_mix"):
		return parts[0] + "." + parts[1]
	}
	return parts[0]
}

// rawAt walks down the tables of a merged scenario; nil if a key is missing.
func rawAt(m map[string]any, keys ...string) any {
	var v any = m
	for _, k := range keys {
		t, ok := v.(map[string]any)
		if !ok {
			return nil
		}
		v = t[k]
	}
	return v
}

// rawNumber reads the number at path, plain or the value of a value table.
func rawNumber(m map[string]any, path string) (float64, bool) {
	var x float64
	ok := false
	editRaw(m, path, func(v any) any {
		x, ok = numberOf(v)
		return v
	})
	return x, ok
}

// setRawNumber sets the number at path, keeping a value table's other keys
// with note as its note.
func setRawNumber(m map[string]any, path string, x float64, note string) {
	editRaw(m, path, func(v any) any {
		t, ok := v.(map[string]any)
		if !ok || !isValueTable(t) {
			return map[string]any{"value": x, "note": note}
		}
		nt := make(map[string]any, len(t))
		for k, e := range t {
			nt[k] = e
		}
		nt["value"], nt["note"] = x, note
		return nt
	})
}

// valueOf is v, or its value if v is a value table.
func valueOf(v any) any {
	if t, ok := v.(map[string]any); ok && isValueTable(t) {
		return t["value"]
	}
	return v
}

func numberOf(v any) (float64, bool) {
	switch x := v.(type) {
	case int64:
		return float64(x), true
	case float64:
		return x, true
	case map[string]any:
		if isValueTable(x) {
			return numberOf(x["value"])
		}
	}
	return 0, false
}

// editRaw replaces the value at path in m, which must exist, with
// edit(old).
func editRaw(m map[string]any, path string, edit func(any) any) {
	steps, err := parsePath(path)
	if err != nil {
		return
	}
	var cur any = m
	for si, st := range steps {
		t, ok := cur.(map[string]any)
		if !ok {
			return
		}
		if si == len(steps)-1 && len(st.index) == 0 {
			if old, ok := t[st.key]; ok {
				t[st.key] = edit(old)
			}
			return
		}
		cur = t[st.key]
		for ii, ix := range st.index {
			list, n := listOf(cur)
			if list == nil || ix >= n {
				return
			}
			if si == len(steps)-1 && ii == len(st.index)-1 {
				list(ix, edit)
				return
			}
			cur = list(ix, nil)
		}
	}
}

func joinKey(a, b string) string {
	if a == "" {
		return b
	}
	return a + "." + b
}

// listOf gives access to the elements of a decoded TOML list: get (with
// set nil) returns element i; with set, it replaces it with set(old).
func listOf(v any) (func(i int, set func(any) any) any, int) {
	switch l := v.(type) {
	case []any:
		return func(i int, set func(any) any) any {
			if set != nil {
				l[i] = set(l[i])
			}
			return l[i]
		}, len(l)
	case []map[string]any:
		return func(i int, set func(any) any) any {
			if set != nil {
				nv, ok := set(l[i]).(map[string]any)
				if ok {
					l[i] = nv
				}
			}
			return l[i]
		}, len(l)
	}
	return nil, 0
}

// overrideValue is what an override v makes of old: a value given for a
// value table keeps what the table declares of the parameter (its
// uncertainty, the values a policy allows) and says where it came from.
func overrideValue(old, v any) any {
	vt, ok := old.(map[string]any)
	if !ok || !isValueTable(vt) {
		return v
	}
	if _, isTable := v.(map[string]any); isTable {
		return inheritDeclared(vt, v)
	}
	nt := map[string]any{"value": v, "source": "assumption", "note": "set on the command line"}
	for _, k := range declaredKeys {
		if d, ok := vt[k]; ok {
			nt[k] = d
		}
	}
	return nt
}

// declaredKeys are what a value table says of its parameter rather than of
// one estimate of it: kept when a scenario overrides the value alone.
var declaredKeys = []string{"uncertainty", "allowed"}

// inheritDeclared returns v, a value overriding old, with old's declared
// keys (uncertainty, allowed) where v gives none of its own. A plain value
// becomes a value table with no source; uncertainty = "none" drops an
// inherited uncertainty.
func inheritDeclared(old map[string]any, v any) any {
	inherit := map[string]any{}
	for _, k := range declaredKeys {
		if d, ok := old[k]; ok {
			inherit[k] = d
		}
	}
	if _, text := valueOf(v).(string); !text {
		delete(inherit, "allowed") // what a text policy allows means nothing to a number
	}
	if len(inherit) == 0 {
		return v
	}
	var nt map[string]any
	switch x := v.(type) {
	case int64, float64, string, bool:
		nt = map[string]any{"value": x}
	case map[string]any:
		if !isValueTable(x) {
			return v
		}
		nt = make(map[string]any, len(x)+len(inherit))
		for k, e := range x {
			nt[k] = e
		}
	default:
		return v
	}
	for k, d := range inherit {
		if _, has := nt[k]; !has {
			nt[k] = d
		}
	}
	return nt
}
