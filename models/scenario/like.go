package scenario

import (
	"fmt"
	"maps"
	"slices"
	"strings"

	"github.com/journeysim/journeysim/models/internal/suggest"
)

// resolveLikes gives each place with like = "other" a copy of the other
// place as merged (bases and overrides applied), under its own keys. So
// several providers of one service are written as one place and what
// differs: a copy follows the original through calibration and the PSA.
// A copy's values drop their uncertainty, so that they are not parameters
// of their own (the original's are), and it does not take the original's
// `takes` (those are the original's referrals).
func resolveLikes(merged map[string]any, origin map[string]string) Problems {
	places, _ := merged["places"].(map[string]any)
	var probs Problems
	done := map[string]bool{}
	var resolve func(name string, path []string) bool
	resolve = func(name string, path []string) bool {
		pl, _ := places[name].(map[string]any)
		like, ok := pl["like"].(string)
		if !ok || done[name] {
			return true
		}
		key := "places." + name + ".like"
		chain := append(slices.Clip(path), name)
		if slices.Contains(chain, like) {
			probs = append(probs, Problem{Key: key, Msg: fmt.Sprintf("%q leads back to %s: places that are like each other form a cycle (%s → %s)", like, name, strings.Join(chain, " → "), like)})
			for _, c := range chain {
				done[c] = true // one problem for the cycle
			}
			return false
		}
		orig, ok := places[like].(map[string]any)
		if !ok {
			msg := fmt.Sprintf("no place %q to copy", like)
			if s := suggest.Closest(like, sortedKeys(places)); s != "" {
				msg += fmt.Sprintf("; did you mean %q?", s)
			}
			probs = append(probs, Problem{Key: key, Msg: msg})
			return false
		}
		if !resolve(like, chain) {
			return false
		}
		cp := copyPlace(orig)
		delete(cp, "takes")
		overlay(cp, pl)
		places[name] = cp
		// The place's own exit probabilities: the copied ones make room.
		rescaleGroups(merged, probabilityOverrides(map[string]any{"places": map[string]any{name: pl}}, origin["places."+name+".like"]), origin)
		// A copied key was set where the original's was.
		copied := map[string]string{}
		for k, f := range origin {
			if rest, ok := strings.CutPrefix(k, "places."+like+"."); ok {
				if _, own := origin["places."+name+"."+rest]; !own {
					copied["places."+name+"."+rest] = f
				}
			}
		}
		maps.Copy(origin, copied)
		done[name] = true
		return true
	}
	for _, name := range sortedKeys(places) {
		resolve(name, nil)
	}
	return probs
}

// copyPlace deep-copies a place's raw table, value tables without their
// uncertainty.
func copyPlace(m map[string]any) map[string]any {
	out := make(map[string]any, len(m))
	for k, v := range m {
		out[k] = copyRaw(v)
	}
	return out
}

func copyRaw(v any) any {
	switch t := v.(type) {
	case map[string]any:
		c := copyPlace(t)
		if isValueTable(c) {
			delete(c, "uncertainty")
		}
		return c
	case []map[string]any:
		c := make([]map[string]any, len(t))
		for i := range t {
			c[i] = copyPlace(t[i])
		}
		return c
	case []any:
		c := make([]any, len(t))
		for i := range t {
			c[i] = copyRaw(t[i])
		}
		return c
	}
	return v
}

// overlay merges src over dst: tables key by key, anything else (a value
// table, a number, a list) replaced whole, as a scenario merges with its
// base.
func overlay(dst, src map[string]any) {
	for k, v := range src {
		if sm, ok := v.(map[string]any); ok && !isValueTable(sm) {
			if dm, ok := dst[k].(map[string]any); ok && !isValueTable(dm) {
				overlay(dm, sm)
				continue
			}
		}
		dst[k] = v
	}
}

// probabilityOverrides lists, as overrides from file, the probabilities
// that the raw table of one file sets among groups that must sum to 1: the
// exits of a place and the shares of a case-mix attribute. A file that
// sets some of a group rescales the others, those it inherits, as --set
// does.
func probabilityOverrides(raw map[string]any, file string) []Override {
	var out []Override
	places, _ := raw["places"].(map[string]any)
	for _, p := range sortedKeys(places) {
		pl, _ := places[p].(map[string]any)
		exits, _ := pl["exits"].(map[string]any)
		for _, e := range sortedKeys(exits) {
			if ex, ok := exits[e].(map[string]any); ok && ex["probability"] != nil {
				out = append(out, Override{Set: "places." + p + ".exits." + e + ".probability=", From: file})
			}
		}
	}
	mix, _ := raw["case_mix"].(map[string]any)
	for _, a := range sortedKeys(mix) {
		levels, _ := mix[a].(map[string]any)
		for _, l := range sortedKeys(levels) {
			out = append(out, Override{Set: "case_mix." + a + "." + l + "=", From: file})
		}
	}
	return out
}
