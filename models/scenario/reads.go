package scenario

import (
	"fmt"
	"reflect"
	"slices"
	"strings"
)

// MaxAttributes is the most case-mix attributes a scenario may declare.
const MaxAttributes = 8

// MaxPlaces is the most places a scenario may declare.
const MaxPlaces = 32

var exprT = reflect.TypeOf(Expr{})

// MaxReasons is the most exit reasons: a reason's index fits an int8.
const MaxReasons = 127

// Reads is what the conditions of a scenario read.
type Reads struct {
	Admissions map[string]bool // places whose admissions they read
	Policies   map[string]bool
	LastStay   bool // last_exit.stay_days
}

// Reads returns what the conditions of s read, from the names each uses.
func (s *Scenario) Reads() Reads {
	r := Reads{Admissions: map[string]bool{}, Policies: map[string]bool{}}
	var walk func(v reflect.Value)
	walk = func(v reflect.Value) {
		if v.Type() == exprT {
			for _, n := range v.Interface().(Expr).Names() {
				family, rest, _ := strings.Cut(n, ".")
				switch {
				case family == "admissions":
					r.Admissions[rest] = true
				case family == "policy":
					r.Policies[rest] = true
				case n == "last_exit.stay_days":
					r.LastStay = true
				}
			}
			return
		}
		switch v.Kind() {
		case reflect.Pointer, reflect.Interface:
			if !v.IsNil() {
				walk(v.Elem())
			}
		case reflect.Struct:
			for i := range v.NumField() {
				if v.Type().Field(i).IsExported() {
					walk(v.Field(i))
				}
			}
		case reflect.Map:
			for _, k := range v.MapKeys() {
				walk(v.MapIndex(k))
			}
		case reflect.Slice, reflect.Array:
			for i := range v.Len() {
				walk(v.Index(i))
			}
		}
	}
	walk(reflect.ValueOf(s).Elem())
	return r
}

// A Condition is one condition of a scenario and the key that holds it.
type Condition struct {
	Path string
	Expr Expr
}

// Conditions lists every condition of the scenario, in key order, with
// the key path that sets it (places.detox.routes.completed[1].when).
func (s *Scenario) Conditions() []Condition {
	var out []Condition
	var walk func(v reflect.Value, path string)
	join := func(path, k string) string {
		if path == "" {
			return k
		}
		return path + "." + k
	}
	walk = func(v reflect.Value, path string) {
		if v.Type() == exprT {
			if e := v.Interface().(Expr); !e.IsZero() {
				out = append(out, Condition{Path: path, Expr: e})
			}
			return
		}
		switch v.Kind() {
		case reflect.Pointer, reflect.Interface:
			if !v.IsNil() {
				walk(v.Elem(), path)
			}
		case reflect.Struct:
			t := v.Type()
			for i := range t.NumField() {
				tag, _, _ := strings.Cut(t.Field(i).Tag.Get("toml"), ",")
				if tag == "" || tag == "-" || !t.Field(i).IsExported() {
					continue
				}
				walk(v.Field(i), join(path, tag))
			}
		case reflect.Map:
			keys := v.MapKeys()
			names := make([]string, len(keys))
			for i, k := range keys {
				names[i] = k.String()
			}
			slices.Sort(names)
			for _, n := range names {
				walk(v.MapIndex(reflect.ValueOf(n).Convert(v.Type().Key())), join(path, n))
			}
		case reflect.Slice:
			for i := range v.Len() {
				walk(v.Index(i), fmt.Sprintf("%s[%d]", path, i))
			}
		}
	}
	walk(reflect.ValueOf(s).Elem(), "")
	return out
}
