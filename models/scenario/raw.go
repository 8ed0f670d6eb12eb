package scenario

import (
	"regexp"
	"strings"
)

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

// related reports whether key belongs to the same place or table as one
// of gone, or is one of them: a problem there may only say again that a
// value is missing, and is reported once that value is mended. A
// follow-up's keys do not depend on each other, so only a problem at the
// key itself is hidden.
func related(key string, gone []string) bool {
	for _, g := range gone {
		if entity(key) == entity(g) && !strings.HasPrefix(key, "followups.") || key == g {
			return true
		}
	}
	return false
}

// entity is the place or top-level table a key belongs to: places.detox
// for places.detox.exits.completed.stay.
func entity(key string) string {
	parts := strings.SplitN(stripIndexes(key), ".", 3)
	switch {
	case len(parts) >= 2 && (parts[0] == "places" || parts[0] == "case_mix"):
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
