package scenario

import (
	"fmt"
	"math"
	"strconv"
	"strings"

	"github.com/BurntSushi/toml"
)

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
		// Set above 1 on their own, nothing can make room: the sum's own
		// error says so.
		if len(rest) == 0 || free <= 0 || fixed > 1+1e-12 || math.Abs(fixed+free-1) < 1e-12 {
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
		if !ok || strings.Contains(level, ".") || p.Kind != WrongType {
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
