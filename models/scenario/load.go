package scenario

import (
	"bytes"
	"crypto/sha256"
	"encoding/hex"
	"errors"
	"fmt"
	"io/fs"
	"os"
	"path"
	"path/filepath"
	"slices"
	"sort"
	"strings"

	"github.com/journeysim/journeysim/models/internal/suggest"

	"github.com/BurntSushi/toml"

	"github.com/journeysim/journeysim/scenarios"
)

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
	// Check, when set, adds the checks that need a compiled model
	// (models.Check): the problems it finds are reported with the others,
	// and its warnings become the scenario's. built says whether every
	// other check passed, so the model can be built.
	Check func(sc *Scenario, built bool) (problems, warnings Problems)
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
	if s := suggest.Closest(strings.TrimSuffix(ref, ".toml"), names); s != "" {
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
		if p.Key != "" && p.Kind != UnknownKey {
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
		if i < len(chain)-1 {
			rescaleGroups(merged, probabilityOverrides(raw, chain[i].name), origin)
		}
	}
	hintLevels(fileProbs, merged)
	for _, o := range sets {
		if err := applySet(merged, o.Set, o.From, origin); err != nil {
			probs = append(probs, Problem{File: o.From, Msg: err.Error()})
		}
	}
	if len(probs) == 0 {
		rescaleGroups(merged, sets, origin)
		probs = resolveLikes(merged, origin)
		for i := range probs {
			probs[i].File, probs[i].Line = newOrigins(origin).locate(chain, probs[i].Key)
		}
	}
	if len(probs) > 0 {
		return nil, probs
	}

	var buf bytes.Buffer
	if err := toml.NewEncoder(&buf).Encode(merged); err != nil {
		return nil, fmt.Errorf("scenario: re-encoding %s: %w", ref, err)
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
	if sc.Posterior != "" {
		if err := l.readDraws(sc, chain); err != nil {
			f := sc.OriginOf("posterior")
			p := Problem{File: f, Key: "posterior", Msg: err.Error()}
			for _, src := range chain {
				if src.name == f {
					p.Line = src.keyLine("posterior")
				}
			}
			return nil, Problems{p}
		}
	}
	// A problem at a key left out for its wrong value is that one again.
	var vps Problems
	for _, p := range sc.Validate() {
		if !related(p.Key, gone) {
			vps = append(vps, p)
		}
	}
	if l.Check != nil {
		ps, ws := l.Check(sc, len(fileProbs)+len(vps) == 0)
		for _, p := range ps {
			if !related(p.Key, gone) {
				vps = append(vps, p)
			}
		}
		sc.Warnings = ws
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
