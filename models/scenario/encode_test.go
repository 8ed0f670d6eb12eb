package scenario

import (
	"fmt"
	"io/fs"
	"os"
	"path/filepath"
	"reflect"
	"slices"
	"strings"
	"testing"

	"github.com/journeysim/journeysim/scenarios"
)

func TestTopKeys(t *testing.T) {
	got := TopKeys([]string{"places.a.routes.x[1].probability", "places.a.routes.x[0].probability", "places.a.capacity",
		"places.b", "places.b.capacity", "case_mix.drug.opiate"})
	want := []string{"case_mix.drug.opiate", "places.a.capacity", "places.a.routes.x", "places.b"}
	if !slices.Equal(got, want) {
		t.Errorf("got %v, want %v", got, want)
	}
}

// TestCloneScenario checks that changing a clone's values leaves the
// original alone.
func TestCloneScenario(t *testing.T) {
	sc, err := Load("baseline", nil)
	if err != nil {
		t.Fatal(err)
	}
	before := sc.Parameters()
	cl := sc.Clone()
	for _, p := range before {
		path, err := ParsePath(p.Path)
		if err != nil {
			t.Fatal(err)
		}
		if _, err := cl.Value(path); err != nil {
			continue // a distribution or duration
		}
		if err := cl.SetValue(path, func(v *Value) { v.V = -1 }); err != nil {
			t.Fatalf("%s: %v", p.Path, err)
		}
	}
	if !reflect.DeepEqual(before, sc.Parameters()) {
		t.Error("setting values in a clone changed the original")
	}
	if reflect.DeepEqual(before, cl.Parameters()) {
		t.Error("setting values in the clone changed nothing")
	}
}

// TestScenarioFileEncodes writes the whole baseline through the scenario
// file's encoder, on top of an empty base, and checks that it loads back
// the same: every table, list, value, distribution and condition.
func TestScenarioFileEncodes(t *testing.T) {
	sc, err := Load("baseline", nil)
	if err != nil {
		t.Fatal(err)
	}
	// Every top-level key but those a scenario file writes itself.
	var keys []string
	st := reflect.TypeFor[Scenario]()
	for i := range st.NumField() {
		switch tag := st.Field(i).Tag.Get("toml"); tag {
		case "", "-", "name", "description", "base":
		default:
			keys = append(keys, tag)
		}
	}
	slices.Sort(keys)
	dir := t.TempDir()
	if err := os.WriteFile(filepath.Join(dir, "empty.toml"), []byte("name = \"Empty\"\n"), 0o644); err != nil {
		t.Fatal(err)
	}
	// The posterior draws the baseline names, beside the copy.
	draws, err := fs.ReadFile(scenarios.FS, sc.Posterior)
	if err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(filepath.Join(dir, sc.Posterior), draws, 0o644); err != nil {
		t.Fatal(err)
	}
	path := filepath.Join(dir, "copy.toml")
	if err := os.WriteFile(path, sc.Encode("", "empty.toml", keys), 0o644); err != nil {
		t.Fatal(err)
	}
	got, err := Load(path, nil)
	if err != nil {
		t.Fatal(err)
	}
	for _, s := range []*Scenario{sc, got} {
		s.Name, s.Description, s.Base, s.File, s.Files, s.Origin, s.fingerprint = "", "", "", "", nil, nil, ""
		s.Draws.File = ""
	}
	if !reflect.DeepEqual(got, sc) {
		var d []string
		diffValues(reflect.ValueOf(got), reflect.ValueOf(sc), "", &d)
		t.Errorf("the baseline written and read back differs:\n%s", strings.Join(d, "\n"))
	}
}

// diffValues appends to out the first differences between a and b, by path.
func diffValues(a, b reflect.Value, path string, out *[]string) {
	if len(*out) >= 10 {
		return
	}
	if a.Kind() != b.Kind() {
		*out = append(*out, path+": different kinds")
		return
	}
	switch a.Kind() {
	case reflect.Pointer, reflect.Interface:
		if a.IsNil() || b.IsNil() {
			if a.IsNil() != b.IsNil() {
				*out = append(*out, fmt.Sprintf("%s: nil %v, %v", path, a.IsNil(), b.IsNil()))
			}
			return
		}
		diffValues(a.Elem(), b.Elem(), path, out)
	case reflect.Struct:
		for i := range a.NumField() {
			diffValues(a.Field(i), b.Field(i), path+"."+a.Type().Field(i).Name, out)
		}
	case reflect.Map:
		for _, k := range b.MapKeys() {
			if !a.MapIndex(k).IsValid() {
				*out = append(*out, path+": missing "+k.String())
			}
		}
		for _, k := range a.MapKeys() {
			if !b.MapIndex(k).IsValid() {
				*out = append(*out, path+": extra "+k.String())
				continue
			}
			diffValues(a.MapIndex(k), b.MapIndex(k), path+"."+k.String(), out)
		}
	case reflect.Slice:
		if a.Len() != b.Len() || a.IsNil() != b.IsNil() {
			*out = append(*out, fmt.Sprintf("%s: length %d, %d", path, a.Len(), b.Len()))
			return
		}
		for i := range a.Len() {
			diffValues(a.Index(i), b.Index(i), fmt.Sprintf("%s[%d]", path, i), out)
		}
	default:
		if fmt.Sprint(a) != fmt.Sprint(b) {
			*out = append(*out, fmt.Sprintf("%s: %v, %v", path, a, b))
		}
	}
}
