package scenario

import (
	"encoding"
	"fmt"
	"math"
	"reflect"
	"regexp"
	"slices"
	"strconv"
	"strings"

	"github.com/journeysim/journeysim/models/evidence"
)

// calibratedSource is the source of a value once fitted: "calibrated",
// and the rows its prior rested on, so that it is still cited
// ("derived: G6, G7" becomes "calibrated: G6, G7").
func calibratedSource(v *Value) string {
	ids, _, err := evidence.ParseRef(v.Source)
	if err != nil || len(ids) == 0 {
		return evidence.Calibrated
	}
	return evidence.Calibrated + ": " + strings.Join(ids, ", ")
}

func uncertaintyText(v *Value) string {
	if v.Uncertainty.IsZero() {
		return ""
	}
	return v.Uncertainty.String()
}

func durationText(days float64) string {
	b, _ := Duration(days).MarshalText()
	return string(b)
}

func fmtG(x float64) string { return strconv.FormatFloat(x, 'g', 4, 64) }

// TopKeys returns the keys a scenario file sets to write the values at
// paths: a path through an array becomes the array's key (the array is
// written whole), and a key below another is dropped. Sorted.
func TopKeys(paths []string) []string {
	var ks []string
	for _, p := range paths {
		if i := strings.IndexByte(p, '['); i >= 0 {
			p = p[:i]
		}
		ks = append(ks, p)
	}
	slices.Sort(ks)
	ks = slices.Compact(ks)
	return slices.DeleteFunc(slices.Clone(ks), func(k string) bool {
		for _, o := range ks {
			if o != k && strings.HasPrefix(k, o+".") {
				return true
			}
		}
		return false
	})
}

var bareKeyRE = regexp.MustCompile(`^[A-Za-z0-9_-]+$`)

// TOMLKey writes a dotted key path, quoting the parts that need it.
func TOMLKey(path string) string {
	parts := strings.Split(path, ".")
	for i, p := range parts {
		if !bareKeyRE.MatchString(p) {
			parts[i] = TOMLString(p)
		}
	}
	return strings.Join(parts, ".")
}

// TOMLString writes s as a TOML basic string.
func TOMLString(s string) string {
	var b strings.Builder
	b.WriteByte('"')
	for _, r := range s {
		switch {
		case r == '"' || r == '\\':
			b.WriteByte('\\')
			b.WriteRune(r)
		case r == '\n':
			b.WriteString(`\n`)
		case r == '\t':
			b.WriteString(`\t`)
		case r < 0x20 || r == 0x7f:
			fmt.Fprintf(&b, `\u%04X`, r)
		default:
			b.WriteRune(r)
		}
	}
	b.WriteByte('"')
	return b.String()
}

var textMarshalerT = reflect.TypeFor[encoding.TextMarshaler]()

// encodeTOML writes v, a part of a Scenario, as a TOML value: tables inline,
// and, at the top, a list of tables one element a line.
func encodeTOML(v reflect.Value, top bool) string {
	for v.Kind() == reflect.Pointer || v.Kind() == reflect.Interface {
		if v.IsNil() {
			return `""`
		}
		v = v.Elem()
	}
	t := v.Type()
	if t == valueT {
		val := v.Interface().(Value)
		if val.Source == "" && val.Uncertainty.IsZero() && val.Note == "" {
			return tomlNumber(val.V)
		}
		parts := []string{"value = " + tomlNumber(val.V)}
		if val.Source != "" {
			parts = append(parts, "source = "+TOMLString(val.Source))
		}
		if !val.Uncertainty.IsZero() {
			parts = append(parts, "uncertainty = "+TOMLString(val.Uncertainty.String()))
		}
		if val.Note != "" {
			parts = append(parts, "note = "+TOMLString(val.Note))
		}
		return "{ " + strings.Join(parts, ", ") + " }"
	}
	if t == reflect.TypeFor[PolicyValue]() {
		p := v.Interface().(PolicyValue)
		val := reflect.ValueOf(p.V)
		if !val.IsValid() {
			return `""`
		}
		if len(p.Allowed) == 0 && p.Note == "" {
			return encodeTOML(val, false)
		}
		parts := []string{"value = " + encodeTOML(val, false)}
		if len(p.Allowed) > 0 {
			parts = append(parts, "allowed = "+encodeTOML(reflect.ValueOf(p.Allowed), false))
		}
		if p.Note != "" {
			parts = append(parts, "note = "+TOMLString(p.Note))
		}
		return "{ " + strings.Join(parts, ", ") + " }"
	}
	if t.Implements(textMarshalerT) {
		b, err := v.Interface().(encoding.TextMarshaler).MarshalText()
		if err != nil {
			return `""`
		}
		return TOMLString(string(b))
	}
	switch v.Kind() {
	case reflect.Struct:
		var parts []string
		for i := range t.NumField() {
			tag, _, _ := strings.Cut(t.Field(i).Tag.Get("toml"), ",")
			if tag == "" || tag == "-" || !t.Field(i).IsExported() || omit(v.Field(i)) {
				continue
			}
			parts = append(parts, TOMLKey(tag)+" = "+encodeTOML(v.Field(i), false))
		}
		if len(parts) == 0 {
			return "{}"
		}
		return "{ " + strings.Join(parts, ", ") + " }"
	case reflect.Map:
		keys := v.MapKeys()
		names := make([]string, len(keys))
		for i, k := range keys {
			names[i] = k.String()
		}
		slices.Sort(names)
		var parts []string
		for _, n := range names {
			mv := v.MapIndex(reflect.ValueOf(n).Convert(t.Key()))
			if omit(mv) {
				continue
			}
			parts = append(parts, TOMLKey(n)+" = "+encodeTOML(mv, false))
		}
		if len(parts) == 0 {
			return "{}"
		}
		return "{ " + strings.Join(parts, ", ") + " }"
	case reflect.Slice, reflect.Array:
		var parts []string
		for i := range v.Len() {
			parts = append(parts, encodeTOML(v.Index(i), false))
		}
		if top && v.Len() > 0 {
			return "[\n  " + strings.Join(parts, ",\n  ") + ",\n]"
		}
		return "[" + strings.Join(parts, ", ") + "]"
	case reflect.String:
		return TOMLString(v.String())
	case reflect.Bool:
		return strconv.FormatBool(v.Bool())
	case reflect.Int, reflect.Int8, reflect.Int16, reflect.Int32, reflect.Int64:
		return strconv.FormatInt(v.Int(), 10)
	case reflect.Float32, reflect.Float64:
		return tomlNumber(v.Float())
	}
	return `""`
}

// omit reports whether a field is absent: a nil pointer, list or table, an
// empty string, or a zero distribution or condition. Numbers are always
// written.
func omit(v reflect.Value) bool {
	switch v.Kind() {
	case reflect.Pointer, reflect.Interface, reflect.Slice, reflect.Map:
		return v.IsNil()
	case reflect.String:
		return v.String() == ""
	}
	if z, ok := v.Interface().(interface{ IsZero() bool }); ok {
		return z.IsZero()
	}
	return false
}

// tomlNumber writes a finite number exactly: an integer if it is one.
func tomlNumber(x float64) string {
	if x == math.Trunc(x) && math.Abs(x) < 1<<53 {
		return strconv.FormatInt(int64(x), 10)
	}
	return strconv.FormatFloat(x, 'g', -1, 64)
}

// Encode writes the scenario as a file that sets keys (paths, as TopKeys
// returns them) on top of base, after header (comment lines): name,
// description, base, then each key with its value as the scenario has it.
// A value inside an array of tables cannot be set by a key of its own, so
// keys name the whole array.
func (s *Scenario) Encode(header, base string, keys []string) []byte {
	var b strings.Builder
	b.WriteString(header)
	fmt.Fprintf(&b, "name = %s\n", TOMLString(s.Name))
	if s.Description != "" {
		fmt.Fprintf(&b, "description = %s\n", TOMLString(s.Description))
	}
	fmt.Fprintf(&b, "base = %s\n\n", TOMLString(base))
	root := reflect.ValueOf(s).Elem()
	for _, k := range keys {
		steps, err := parsePath(k)
		if err != nil {
			continue
		}
		v, err := lookup(root, steps)
		if err != nil || !v.IsValid() {
			continue
		}
		for v.Kind() == reflect.Pointer || v.Kind() == reflect.Interface {
			if v.IsNil() {
				break
			}
			v = v.Elem()
		}
		if omit(v) {
			continue
		}
		fmt.Fprintf(&b, "%s = %s\n", TOMLKey(k), encodeTOML(v, true))
	}
	return []byte(b.String())
}

// Overridden lists the keys that overrides (--set) set, run settings
// aside: what changes the model a calibration belongs to.
func (s *Scenario) Overridden() []string {
	var keys []string
	for _, k := range sortedKeys(s.Origin) {
		if isOverride(s.Origin[k]) && !strings.HasPrefix(k, "run.") && k != "run" {
			keys = append(keys, k)
		}
	}
	return keys
}

// Calibrated returns the source of a value once fitted: "calibrated", and
// the rows its prior rested on ("derived: G6, G7" becomes "calibrated:
// G6, G7"), so that it is still cited.
func Calibrated(v *Value) string { return calibratedSource(v) }

// FormatDays renders a number of days as a scenario writes it: 3y, 20y.
func FormatDays(days float64) string { return durationText(days) }
