package scenario

import (
	"fmt"
	"math"
	"sort"
	"strconv"
	"strings"
	"time"
	"unicode/utf8"

	"github.com/journeysim/journeysim/models/internal/suggest"

	"github.com/journeysim/journeysim/models/evidence"
)

// Value is a number with its provenance. In a scenario it is written either
// plain (capacity = 12) or as a table:
//
//	capacity = { value = 12, source = "A11", uncertainty = "uniform(10, 14)", note = "…" }
//
// A plain number has source "" (reported as unsourced); shipped scenarios
// give every number a source or say "assumption".
type Value struct {
	V           float64
	Source      string
	Uncertainty Dist
	Note        string
}

// UnmarshalTOML decodes a plain number or a {value, source, uncertainty, note} table.
func (v *Value) UnmarshalTOML(data any) error {
	switch x := data.(type) {
	case int64:
		v.V = float64(x)
		return nil
	case float64:
		v.V = x
		return checkFinite(x)
	case map[string]any:
		var problems []string
		for _, k := range sortedKeys(x) {
			switch k {
			case "value", "source", "uncertainty", "note":
			default:
				msg := fmt.Sprintf("unknown key %q in a value table (allowed: value, source, uncertainty, note)", k)
				if s := suggest.Closest(k, []string{"value", "source", "uncertainty", "note"}); s != "" {
					msg += fmt.Sprintf("; did you mean %q?", s)
				}
				problems = append(problems, msg)
			}
		}
		if len(problems) > 0 {
			return fmt.Errorf("%s", strings.Join(problems, "; "))
		}
		raw, ok := x["value"]
		if !ok {
			return fmt.Errorf("a value table needs a value key, as in { value = 0.5, source = \"C3\" }")
		}
		switch n := raw.(type) {
		case int64:
			v.V = float64(n)
		case float64:
			v.V = n
			if err := checkFinite(n); err != nil {
				return err
			}
		default:
			return fmt.Errorf("value must be a number, not %s", describe(raw))
		}
		if s, ok := x["source"]; ok {
			str, ok := s.(string)
			if !ok {
				return fmt.Errorf("source must be a string in quotes, as in source = \"C3\", not %s", describe(s))
			}
			if err := evidence.CheckRef(str); err != nil {
				return err
			}
			v.Source = str
		}
		if u, ok := x["uncertainty"]; ok {
			str, ok := u.(string)
			if !ok {
				return fmt.Errorf("uncertainty must be a distribution string, as in \"beta(60, 40)\", or \"none\"")
			}
			if str == "none" { // drops an inherited uncertainty
				return v.note(x)
			}
			d, err := ParseDist(str)
			if err != nil {
				return fmt.Errorf("uncertainty: %w", err)
			}
			v.Uncertainty = d
		}
		return v.note(x)
	default:
		return fmt.Errorf("must be a number, or a table such as { value = 0.5, source = \"C3\" }, not %s", describe(data))
	}
}

func (v *Value) note(x map[string]any) error {
	if n, ok := x["note"]; ok {
		str, ok := n.(string)
		if !ok {
			return fmt.Errorf("note must be a string")
		}
		v.Note = str
	}
	return nil
}

// MarshalTOML is not needed: scenarios are merged as raw TOML maps.

func checkFinite(x float64) error {
	if math.IsNaN(x) || math.IsInf(x, 0) {
		return fmt.Errorf("must be a finite number, not %v", x)
	}
	return nil
}

// describe shows a raw TOML value in a message: short values as written,
// others by their type.
func describe(v any) string {
	switch x := v.(type) {
	case string:
		if utf8.RuneCountInString(x) <= 40 && !strings.ContainsAny(x, "\n\"") {
			return strconv.Quote(x)
		}
	case int64:
		return strconv.FormatInt(x, 10)
	case float64:
		s := strconv.FormatFloat(x, 'g', -1, 64)
		if !strings.ContainsAny(s, ".eEnI") {
			s += ".0"
		}
		return s
	case bool:
		return strconv.FormatBool(x)
	}
	return tomlType(v)
}

func tomlType(v any) string {
	switch v.(type) {
	case string:
		return "a string"
	case int64, float64:
		return "a number"
	case bool:
		return "a boolean"
	case map[string]any:
		return "a table"
	case []any, []map[string]any:
		return "a list"
	case time.Time:
		return "a date or time"
	default:
		return "a value of unknown type"
	}
}

func sortedKeys[V any](m map[string]V) []string {
	ks := make([]string, 0, len(m))
	for k := range m {
		ks = append(ks, k)
	}
	sort.Strings(ks)
	return ks
}
