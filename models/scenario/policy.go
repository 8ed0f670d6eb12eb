package scenario

import (
	"fmt"
	"slices"
	"strconv"
	"strings"

	"github.com/journeysim/journeysim/models/internal/suggest"
)

// PolicyValue is one policy lever, which conditions read as policy.NAME: a
// string, a boolean or a number, written plain or as a table that says
// which values a text policy allows:
//
//	residential_access = { value = "last_resort", allowed = ["last_resort", "matched", "open"] }
//
// A scenario built on another sets a policy plainly and inherits what it
// allows; a text policy must say what it allows somewhere in its chain, so
// a misspelt value is an error, never a policy that matches nothing.
type PolicyValue struct {
	V       any // string, bool or float64
	Allowed []string
	Note    string
}

// UnmarshalTOML decodes a plain value or a {value, allowed, note} table.
func (p *PolicyValue) UnmarshalTOML(data any) error {
	t, ok := data.(map[string]any)
	if !ok {
		return p.setValue(data)
	}
	for _, k := range sortedKeys(t) {
		switch k {
		case "value", "allowed", "note", "source", "uncertainty":
		default:
			msg := fmt.Sprintf("unknown key %q in a policy table (allowed: value, allowed, note)", k)
			if s := suggest.Closest(k, []string{"value", "allowed", "note"}); s != "" {
				msg += fmt.Sprintf("; did you mean %q?", s)
			}
			return fmt.Errorf("%s", msg)
		}
	}
	v, ok := t["value"]
	if !ok {
		return fmt.Errorf(`a policy table needs a value, as in { value = "open", allowed = ["open", "closed"] }`)
	}
	if err := p.setValue(v); err != nil {
		return err
	}
	if a, ok := t["allowed"]; ok {
		list, ok := a.([]any)
		if !ok {
			return fmt.Errorf(`allowed must be a list of strings, as in ["open", "closed"]`)
		}
		for _, x := range list {
			s, ok := x.(string)
			if !ok {
				return fmt.Errorf(`allowed must be a list of strings, as in ["open", "closed"], not %s`, describe(x))
			}
			p.Allowed = append(p.Allowed, s)
		}
	}
	if n, ok := t["note"].(string); ok {
		p.Note = n
	}
	return nil
}

func (p *PolicyValue) setValue(v any) error {
	switch x := v.(type) {
	case string, bool, float64:
		p.V = x
	case int64:
		p.V = float64(x)
	default:
		return fmt.Errorf("a policy is a string, a boolean or a number, not %s", tomlType(v))
	}
	return nil
}

// String is the value as a --set override writes it.
func (p PolicyValue) String() string {
	switch x := p.V.(type) {
	case float64:
		return strconv.FormatFloat(x, 'g', -1, 64)
	case nil:
		return ""
	}
	return fmt.Sprint(p.V)
}

// validatePolicies checks each policy's value against what it allows, and
// that some condition reads it: a policy no condition reads changes
// nothing, most often because its name is misspelt.
func (s *Scenario) validatePolicies(c *checker, read map[string]bool) {
	names := sortedKeys(s.Policy)
	for _, k := range names {
		p := s.Policy[k]
		key := "policy." + k
		if !read[k] {
			others := slices.DeleteFunc(slices.Clone(names), func(n string) bool { return n == k })
			if sg := suggest.Closest(k, others); sg != "" {
				c.add(key, "unknown policy; did you mean %q?", sg)
			} else {
				c.add(key, "no condition reads this policy, so it changes nothing (conditions read: %s)", strings.Join(readNames(read), ", "))
			}
			continue
		}
		switch v := p.V.(type) {
		case string:
			if len(p.Allowed) == 0 {
				c.add(key, `a text policy says which values it allows: %s = { value = %q, allowed = [%q, …] }`, k, v, v)
			} else if !slices.Contains(p.Allowed, v) {
				msg := fmt.Sprintf("%q is not a value this policy allows (%s)", v, strings.Join(p.Allowed, ", "))
				if sg := suggest.Closest(v, p.Allowed); sg != "" {
					msg += fmt.Sprintf("; did you mean %q?", sg)
				}
				c.add(key, "%s", msg)
			}
		default:
			if len(p.Allowed) > 0 {
				c.add(key+".allowed", "only a text policy lists the values it allows; this one is %s", tomlType(p.V))
			}
		}
	}
}

func readNames(read map[string]bool) []string {
	out := sortedKeys(read)
	if len(out) == 0 {
		return []string{"none"}
	}
	return out
}
