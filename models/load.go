package models

import (
	"bytes"
	"errors"
	"fmt"
	"io/fs"
	"os"
	"path"
	"path/filepath"
	"regexp"
	"sort"
	"strings"

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
	return os.ReadFile(name)
}

// find resolves ref, as given on the command line or as the base of from.
func (l *Loader) find(ref string, from *source) (*source, error) {
	if from == nil || !from.embedded {
		p := ref
		if from != nil && !filepath.IsAbs(ref) {
			p = filepath.Join(filepath.Dir(from.name), ref)
		}
		if b, err := l.readFile(p); err == nil {
			return &source{name: p, text: b}, nil
		} else if !errors.Is(err, fs.ErrNotExist) {
			return nil, err
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

// Load loads ref with its bases and the overrides sets.
func (l *Loader) Load(ref string, sets []string) (*Scenario, error) {
	var chain []*source
	var probs Problems
	seen := map[string]bool{}
	var from *source
	for next := ref; next != ""; {
		src, err := l.find(next, from)
		if err != nil {
			p := Problem{Msg: err.Error()}
			if from != nil {
				p.File, p.Key, p.Line = from.name, "base", findKeyLine(from.text, "base")
			}
			return nil, Problems{p}
		}
		if seen[src.name] {
			return nil, Problems{{File: from.name, Key: "base", Line: findKeyLine(from.text, "base"),
				Msg: fmt.Sprintf("%q is already in the chain of bases (%s): a scenario cannot include itself", next, chainNames(chain))}}
		}
		seen[src.name] = true
		raw, ps := checkFile(src)
		probs = append(probs, ps...)
		chain = append(chain, src)
		from = src
		next = ""
		if raw != nil {
			if b, ok := raw["base"].(string); ok {
				next = b
			}
		}
	}
	if len(probs) > 0 {
		return nil, probs
	}

	// Merge from the furthest base to the file itself.
	merged := map[string]any{}
	origin := map[string]string{}
	for i := len(chain) - 1; i >= 0; i-- {
		var raw map[string]any
		if _, err := toml.NewDecoder(bytes.NewReader(chain[i].text)).Decode(&raw); err != nil {
			return nil, Problems{{File: chain[i].name, Msg: err.Error()}}
		}
		delete(raw, "base")
		mergeInto(merged, raw, "", chain[i].name, origin)
	}
	for _, s := range sets {
		if err := applySet(merged, s, origin); err != nil {
			probs = append(probs, Problem{File: "--set", Msg: err.Error()})
		}
	}
	if len(probs) > 0 {
		return nil, probs
	}

	var buf bytes.Buffer
	if err := toml.NewEncoder(&buf).Encode(merged); err != nil {
		return nil, fmt.Errorf("models: re-encoding %s: %w", ref, err)
	}
	sc := &Scenario{}
	if _, err := toml.NewDecoder(&buf).Decode(sc); err != nil {
		// Each file decoded cleanly on its own, so this comes from an override.
		var pe toml.ParseError
		if errors.As(err, &pe) {
			return nil, Problems{{File: "--set", Key: pe.LastKey, Msg: pe.Message}}
		}
		return nil, Problems{{File: "--set", Msg: err.Error()}}
	}
	sc.Base = ""
	if len(chain) > 1 {
		sc.Base = chain[1].name
	}
	sc.Origin = origin
	sc.File = chain[0].name
	if ps := sc.Validate(); len(ps) > 0 {
		for i := range ps {
			if ps[i].File == "" && ps[i].Key != "" {
				ps[i].File = originOf(origin, ps[i].Key)
				if src := chainFile(chain, ps[i].File); src != nil && ps[i].Line == 0 {
					ps[i].Line = findKeyLine(src.text, ps[i].Key)
				}
			}
		}
		return nil, ps
	}
	return sc, nil
}

func chainNames(chain []*source) string {
	names := make([]string, len(chain))
	for i, s := range chain {
		names[i] = s.name
	}
	return strings.Join(names, " → ")
}

func chainFile(chain []*source, name string) *source {
	for _, s := range chain {
		if s.name == name {
			return s
		}
	}
	return nil
}

// originOf returns the file that set key or its nearest ancestor.
func originOf(origin map[string]string, key string) string {
	for k := key; k != ""; {
		if f, ok := origin[k]; ok {
			return f
		}
		i := strings.LastIndexAny(k, ".[")
		if i < 0 {
			break
		}
		k = k[:i]
	}
	// A parent table: any key below it.
	for _, k := range sortedKeys(origin) {
		if strings.HasPrefix(k, key+".") {
			return origin[k]
		}
	}
	return ""
}

// checkFile decodes one file on its own: syntax, types, single-value rules
// and unknown keys, each with its line where the decoder knows it.
func checkFile(src *source) (map[string]any, Problems) {
	var raw map[string]any
	if _, err := toml.NewDecoder(bytes.NewReader(src.text)).Decode(&raw); err != nil {
		return nil, Problems{parseProblem(src, err)}
	}
	var sc Scenario
	md, err := toml.NewDecoder(bytes.NewReader(src.text)).Decode(&sc)
	if err != nil {
		return raw, Problems{parseProblem(src, err)}
	}
	var probs Problems
	for _, k := range md.Undecoded() {
		key := k.String()
		probs = append(probs, Problem{File: src.name, Line: findKeyLine(src.text, key), Key: key, Msg: unknownKeyMsg(k)})
	}
	return raw, probs
}

func parseProblem(src *source, err error) Problem {
	var pe toml.ParseError
	if errors.As(err, &pe) {
		msg := pe.Message
		// The decoder's messages for our own types carry the type's prefix.
		msg = strings.TrimPrefix(msg, "toml: ")
		return Problem{File: src.name, Line: pe.Position.Line, Col: pe.Position.Col, Key: pe.LastKey, Msg: msg}
	}
	return Problem{File: src.name, Msg: err.Error()}
}

// Known keys at each level, for "did you mean".
var (
	topKeys      = []string{"name", "description", "base", "run", "arrivals", "case_mix", "policy", "report", "places"}
	runKeys      = []string{"seed", "replications", "warmup", "horizon"}
	arrivalKeys  = []string{"per_year", "scale", "trend", "to"}
	placeKeys    = []string{"kind", "label", "treatment", "capacity", "discipline", "priority", "patience", "capacity_changes", "stay", "stay_modifiers", "exits", "routes", "mortality", "join_at", "join_after", "eligible", "uptake", "duration"}
	exitKeys     = []string{"probability", "modifiers", "stay", "hazard"}
	routeKeys    = []string{"to", "probability", "when", "modifiers"}
	modifierKeys = []string{"when", "odds_ratio", "hazard_ratio"}
	hazardKeys   = []string{"unit", "source", "bands", "modifiers"}
)

func unknownKeyMsg(k toml.Key) string {
	last := k[len(k)-1]
	var known []string
	switch {
	case len(k) == 1:
		known = topKeys
	case k[0] == "run":
		known = runKeys
	case k[0] == "arrivals":
		known = arrivalKeys
	case k[0] == "places" && len(k) == 3:
		known = placeKeys
	case k[0] == "places" && len(k) == 5 && k[2] == "exits":
		known = exitKeys
	case k[0] == "places" && len(k) == 5 && k[2] == "routes":
		known = routeKeys
	case k[0] == "places" && len(k) >= 5 && (k[len(k)-2] == "modifiers" || k[len(k)-2] == "stay_modifiers"):
		known = modifierKeys
	case k[0] == "places" && len(k) == 4 && k[2] == "mortality":
		known = hazardKeys
	}
	msg := "unknown key"
	if s := Suggest(last, known); s != "" {
		msg += fmt.Sprintf("; did you mean %q?", s)
	} else if len(known) > 0 {
		msg += " (allowed here: " + strings.Join(known, ", ") + ")"
	}
	return msg
}

// findKeyLine returns the line that sets key in text, by a plain search: a
// table header naming the key's table, then the key's last part. 0 if not found.
func findKeyLine(text []byte, key string) int {
	parts := strings.Split(stripIndexes(key), ".")
	last := parts[len(parts)-1]
	lines := strings.Split(string(text), "\n")
	header := regexp.MustCompile(`^\s*\[\[?\s*([^\]]+?)\s*\]\]?`)
	assign := regexp.MustCompile(`^\s*` + regexp.QuoteMeta(last) + `\s*=`)
	inline := regexp.MustCompile(`[{,]\s*` + regexp.QuoteMeta(last) + `\s*=`)
	table := ""
	best := 0
	for i, ln := range lines {
		if m := header.FindStringSubmatch(ln); m != nil {
			table = strings.ReplaceAll(m[1], " ", "")
			if table == strings.Join(parts, ".") {
				return i + 1
			}
			continue
		}
		full := table
		if full != "" {
			full += "."
		}
		if assign.MatchString(ln) || inline.MatchString(ln) {
			if strings.HasSuffix(full+last, strings.Join(parts, ".")) || strings.Join(parts[:len(parts)-1], ".") == table {
				return i + 1
			}
			if strings.HasPrefix(strings.Join(parts, "."), table) && best == 0 {
				best = i + 1
			}
		}
	}
	return best
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
		for _, ok := range sortedKeys(origin) {
			if strings.HasPrefix(ok, p+".") {
				delete(origin, ok)
			}
		}
		dst[k] = v
		origin[p] = file
	}
}

// isValueTable reports whether m is a {value, source, …} table, which is
// replaced whole rather than merged.
func isValueTable(m map[string]any) bool {
	_, ok := m["value"]
	return ok
}

// applySet applies one path=value override.
func applySet(m map[string]any, set string, origin map[string]string) error {
	p, val, ok := strings.Cut(set, "=")
	p = strings.TrimSpace(p)
	if !ok || p == "" {
		return fmt.Errorf("%q: an override is path=value, as in places.detox.capacity=16", set)
	}
	var v any
	var doc map[string]any
	if _, err := toml.Decode("v = "+strings.TrimSpace(val), &doc); err == nil {
		v = doc["v"]
	} else {
		v = strings.TrimSpace(val) // a bare word is a string
	}
	keys := strings.Split(p, ".")
	for _, k := range keys[:len(keys)-1] {
		next, ok := m[k]
		if !ok {
			nm := map[string]any{}
			m[k] = nm
			m = nm
			continue
		}
		nm, ok := next.(map[string]any)
		if !ok {
			return fmt.Errorf("%s: %q is not a table", p, k)
		}
		m = nm
	}
	last := keys[len(keys)-1]
	// Overriding the number of a value table keeps its provenance fields
	// but marks where the number came from.
	if vt, ok := m[last].(map[string]any); ok && isValueTable(vt) {
		if _, isNum := v.(map[string]any); !isNum {
			nt := map[string]any{"value": v, "source": "assumption", "note": "set on the command line"}
			v = nt
		}
	}
	m[last] = v
	origin[p] = "--set"
	return nil
}
