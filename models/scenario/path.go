package scenario

import (
	"errors"
	"fmt"
	"reflect"
	"regexp"
	"strconv"
	"strings"
)

// A Path names a value of a scenario as explain, calibrate and the PSA
// print it: keys joined by dots, and [i] for the i-th element of a list
// (places.detox.routes.completed[1].probability). --set, --vary and
// --range take the same paths, applied to the raw tree of a scenario as
// it is merged; Value and SetValue apply one to a decoded scenario.
type Path struct {
	text  string
	steps []pathStep
}

// ParsePath reads a path.
func ParsePath(s string) (Path, error) {
	steps, err := parsePath(s)
	if err != nil {
		return Path{}, err
	}
	return Path{text: s, steps: steps}, nil
}

func (p Path) String() string { return p.text }

// Value returns the value at p.
func (s *Scenario) Value(p Path) (*Value, error) { return valueAt(s, p.steps) }

// SetValue changes the value at p with fn.
func (s *Scenario) SetValue(p Path, fn func(*Value)) error { return setValue(s, p.steps, fn) }

// Clone returns a deep copy of s.
func (s *Scenario) Clone() *Scenario { return cloneScenario(s) }

// A pathStep is one key of a parameter path with the indexes after it:
// dropped_out[1] is {"dropped_out", [1]}.
type pathStep struct {
	key   string
	index []int
}

var (
	stepRE  = regexp.MustCompile(`^([^.\[\]]+)((?:\[\d+\])*)$`)
	digitRE = regexp.MustCompile(`\d+`)
)

func parsePath(path string) ([]pathStep, error) {
	var steps []pathStep
	for _, part := range strings.Split(path, ".") {
		m := stepRE.FindStringSubmatch(part)
		if m == nil {
			return nil, fmt.Errorf("%q is not a path such as places.detox.routes.completed[1].probability", path)
		}
		s := pathStep{key: m[1]}
		for _, ix := range digitRE.FindAllString(m[2], -1) {
			n, _ := strconv.Atoi(ix)
			s.index = append(s.index, n)
		}
		steps = append(steps, s)
	}
	return steps, nil
}

var errNotSet = errors.New("not set in the scenario")

// walk goes down from v along steps and calls fn with what it finds. With
// write set, map entries on the way are copied, changed by fn and stored
// back, so fn may change what it is given; v must then be addressable.
func walk(v reflect.Value, steps []pathStep, write bool, fn func(reflect.Value) error) error {
	var index func(v reflect.Value, ix []int, rest []pathStep) error
	index = func(v reflect.Value, ix []int, rest []pathStep) error {
		for v.Kind() == reflect.Pointer {
			if v.IsNil() {
				return errNotSet
			}
			v = v.Elem()
		}
		if len(ix) == 0 {
			return walk(v, rest, write, fn)
		}
		if v.Kind() != reflect.Slice {
			return fmt.Errorf("not a list")
		}
		if ix[0] >= v.Len() {
			return fmt.Errorf("index %d out of range: the list has %d elements", ix[0], v.Len())
		}
		return index(v.Index(ix[0]), ix[1:], rest)
	}
	for v.Kind() == reflect.Pointer {
		if v.IsNil() {
			return errNotSet
		}
		v = v.Elem()
	}
	if len(steps) == 0 {
		return fn(v)
	}
	s := steps[0]
	switch v.Kind() {
	case reflect.Struct:
		t := v.Type()
		for i := range t.NumField() {
			if tag, _, _ := strings.Cut(t.Field(i).Tag.Get("toml"), ","); tag == s.key && t.Field(i).IsExported() {
				return index(v.Field(i), s.index, steps[1:])
			}
		}
		return fmt.Errorf("no key %q", s.key)
	case reflect.Map:
		k := reflect.ValueOf(s.key).Convert(v.Type().Key())
		mv := v.MapIndex(k)
		if !mv.IsValid() {
			return errNotSet
		}
		if !write {
			return index(mv, s.index, steps[1:])
		}
		cp := reflect.New(mv.Type()).Elem()
		cp.Set(mv)
		if err := index(cp, s.index, steps[1:]); err != nil {
			return err
		}
		v.SetMapIndex(k, cp)
		return nil
	}
	return fmt.Errorf("%q is not a table", s.key)
}

// lookup returns the value at steps below v.
func lookup(v reflect.Value, steps []pathStep) (reflect.Value, error) {
	var out reflect.Value
	err := walk(v, steps, false, func(x reflect.Value) error { out = x; return nil })
	return out, err
}

// valueAt returns the Value at steps in s.
func valueAt(s *Scenario, steps []pathStep) (*Value, error) {
	x, err := lookup(reflect.ValueOf(s).Elem(), steps)
	if err != nil {
		return nil, err
	}
	if x.Type() != valueT {
		return nil, fmt.Errorf("not a number with provenance")
	}
	v := x.Interface().(Value)
	return &v, nil
}

// setValue changes the Value at steps in s, which must not be shared.
func setValue(s *Scenario, steps []pathStep, fn func(*Value)) error {
	return walk(reflect.ValueOf(s).Elem(), steps, true, func(x reflect.Value) error {
		if x.Type() != valueT || !x.CanSet() {
			return fmt.Errorf("scenario: cannot set %v", x.Type())
		}
		v := x.Interface().(Value)
		fn(&v)
		x.Set(reflect.ValueOf(v))
		return nil
	})
}

// cloneScenario returns a copy of s that shares nothing that a parameter
// path can reach: tables, lists and values are copied; distributions and
// conditions, which are read-only, are shared.
func cloneScenario(s *Scenario) *Scenario {
	return deepCopy(reflect.ValueOf(s)).Interface().(*Scenario)
}

func deepCopy(v reflect.Value) reflect.Value {
	switch v.Kind() {
	case reflect.Pointer:
		if v.IsNil() {
			return v
		}
		n := reflect.New(v.Type().Elem())
		n.Elem().Set(deepCopy(v.Elem()))
		return n
	case reflect.Struct:
		n := reflect.New(v.Type()).Elem()
		n.Set(v)
		t := v.Type()
		for i := range t.NumField() {
			if t.Field(i).IsExported() {
				n.Field(i).Set(deepCopy(v.Field(i)))
			}
		}
		return n
	case reflect.Map:
		if v.IsNil() {
			return v
		}
		n := reflect.MakeMapWithSize(v.Type(), v.Len())
		it := v.MapRange()
		for it.Next() {
			n.SetMapIndex(it.Key(), deepCopy(it.Value()))
		}
		return n
	case reflect.Slice:
		if v.IsNil() {
			return v
		}
		n := reflect.MakeSlice(v.Type(), v.Len(), v.Len())
		for i := range v.Len() {
			n.Index(i).Set(deepCopy(v.Index(i)))
		}
		return n
	}
	return v
}
