package scenario

import (
	"fmt"
	"reflect"
	"strconv"
	"strings"

	"github.com/journeysim/journeysim/models/evidence"
)

// Parameter is one number or distribution of a scenario with its provenance.
type Parameter struct {
	Path        string // key path, e.g. places.detox.capacity
	Value       string // as written, e.g. 6 or exponential(mean = 10d)
	Source      string // the source reference, "" if none was given
	Citation    string // the cited rows' citations, from parameters.md
	Uncertainty string // the declared uncertainty, if any
	Note        string
	Origin      string // the file that set it, or the override's flag (--set)
	// When is the condition under which a modifier's ratio applies, "" for
	// anything else.
	When string
}

// Parameters lists every number and distribution of the scenario in key
// order, with its source, the citation behind it and where it was set.
func (s *Scenario) Parameters() []Parameter {
	var out []Parameter
	walkParams(reflect.ValueOf(*s), "", "", "", func(path string, v Value, text, defSource, when string) {
		p := Parameter{Path: path, Value: text, Source: v.Source, Note: v.Note, Origin: s.OriginOf(path), When: when}
		if p.Source == "" {
			p.Source = defSource
		}
		if !v.Uncertainty.IsZero() {
			p.Uncertainty = v.Uncertainty.String()
		}
		p.Citation = Citation(p.Source)
		switch {
		case strings.HasPrefix(path, "policy."):
			p.Citation = "policy lever"
		case strings.HasPrefix(path, "run."):
			p.Citation = "run setting"
		}
		out = append(out, p)
	})
	return out
}

// Citation returns the citations of the rows a source reference names,
// joined with "; ", or a word for assumptions and calibrated values.
func Citation(ref string) string {
	if ref == "" {
		return "no source given"
	}
	ids, kind, err := evidence.ParseRef(ref)
	if err != nil {
		return err.Error()
	}
	switch {
	case kind == evidence.Assumption:
		return "assumption"
	case kind == evidence.Local:
		return "the area's own figure"
	case kind == evidence.Calibrated && len(ids) == 0:
		return "calibrated"
	}
	var cs []string
	for _, id := range ids {
		if src, ok := evidence.Lookup(id); ok {
			cs = append(cs, id+": "+src.Citation)
		}
	}
	c := strings.Join(cs, "; ")
	switch kind {
	case evidence.Derived:
		c = "derived from " + c
	case evidence.Calibrated:
		c = "calibrated, from a prior on " + c
	}
	return c
}

// OriginOf returns the file that set key (or the table above it), or "--set".
func (s *Scenario) OriginOf(key string) string {
	for k := stripIndexes(key); k != ""; k = parentKey(k) {
		if f, ok := s.Origin[k]; ok {
			return f
		}
	}
	return ""
}

var (
	valueT     = reflect.TypeOf(Value{})
	distT      = reflect.TypeOf(Dist{})
	durationT  = reflect.TypeOf(Duration(0))
	hazardT    = reflect.TypeOf(HazardSpec{})
	agesT      = reflect.TypeOf(AgeSpec{})
	warmupT    = reflect.TypeOf(WarmupSpec{})
	lifeTableT = reflect.TypeOf(LifeTable{})
)

// walkParams visits every Value, Dist and Duration below v in key order.
// defSource is the source a hazard table gives to its plain rates; when is
// the condition of the modifier the value belongs to.
func walkParams(v reflect.Value, path, defSource, when string, visit func(path string, val Value, text, defSource, when string)) {
	join := func(k string) string {
		if path == "" {
			return k
		}
		return path + "." + k
	}
	switch v.Type() {
	case valueT:
		val := v.Interface().(Value)
		visit(path, val, strconv.FormatFloat(val.V, 'g', -1, 64), defSource, when)
		return
	case distT:
		if d := v.Interface().(Dist); !d.IsZero() {
			visit(path, Value{}, d.String(), defSource, when)
		}
		return
	case durationT:
		b, _ := v.Interface().(Duration).MarshalText()
		visit(path, Value{}, string(b), defSource, when)
		return
	case warmupT:
		b, _ := v.Interface().(WarmupSpec).MarshalText()
		visit(path, Value{}, string(b), defSource, when)
		return
	case hazardT:
		if src := v.Interface().(HazardSpec).Source; src != "" {
			defSource = src
		}
	case agesT:
		if src := v.Interface().(AgeSpec).Source; src != "" {
			defSource = src
		}
	case lifeTableT:
		if src := v.Interface().(LifeTable).Source; src != "" {
			defSource = src
		}
	}
	switch v.Kind() {
	case reflect.Pointer, reflect.Interface:
		if !v.IsNil() {
			walkParams(v.Elem(), path, defSource, when, visit)
		}
	case reflect.Struct:
		t := v.Type()
		if f, ok := t.FieldByName("When"); ok && f.Type == exprType {
			when = v.FieldByIndex(f.Index).Interface().(Expr).String()
		}
		for i := range t.NumField() {
			tag := t.Field(i).Tag.Get("toml")
			if tag == "" || tag == "-" || !t.Field(i).IsExported() {
				continue
			}
			walkParams(v.Field(i), join(tag), defSource, when, visit)
		}
	case reflect.Map:
		keys := v.MapKeys()
		names := make([]string, len(keys))
		for i, k := range keys {
			names[i] = k.String()
		}
		for _, n := range sortedKeys(toSet(names)) {
			mv := v.MapIndex(reflect.ValueOf(n).Convert(v.Type().Key()))
			if path == "policy" {
				visit(join(n), Value{}, fmt.Sprint(mv.Interface()), defSource, when)
				continue
			}
			walkParams(mv, join(n), defSource, when, visit)
		}
	case reflect.Slice:
		for i := range v.Len() {
			walkParams(v.Index(i), fmt.Sprintf("%s[%d]", path, i), defSource, when, visit)
		}
	}
}

func toSet(xs []string) map[string]bool {
	m := make(map[string]bool, len(xs))
	for _, x := range xs {
		m[x] = true
	}
	return m
}
