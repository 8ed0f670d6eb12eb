package models

import (
	"encoding/json"
	"strings"
	"testing"

	"github.com/journeysim/journeysim/models/scenario"
)

// TestShippedScenariosLoad loads every scenario embedded in the binary.
func TestShippedScenariosLoad(t *testing.T) {
	names, err := scenario.ScenarioNames(nil)
	if err != nil {
		t.Fatal(err)
	}
	if len(names) == 0 {
		t.Fatal("no shipped scenarios")
	}
	for _, name := range names {
		t.Run(name, func(t *testing.T) {
			if _, err := Load(name, nil); err != nil {
				t.Errorf("%s:\n%v", name, err)
			}
		})
	}
}

func TestLoadSetOverride(t *testing.T) {
	sc, err := Load("baseline", []string{"places.detox.capacity=16"})
	if err != nil {
		t.Fatal(err)
	}
	if got := sc.Places["detox"].Capacity.V; got != 16 {
		t.Errorf("detox capacity %g after --set places.detox.capacity=16, want 16", got)
	}
	if got := sc.Origin["places.detox.capacity"]; got != "--set" {
		t.Errorf("origin of places.detox.capacity is %q, want --set", got)
	}
	// Keys the override does not touch keep their file.
	if got := sc.Origin["places.detox.patience"]; got != "baseline-prior.toml" {
		t.Errorf("origin of places.detox.patience is %q, want baseline-prior.toml (the calibrated baseline's base)", got)
	}
}

// TestLoadSetErrors checks that an override naming a key the scenario
// language does not have, or giving a value of the wrong type, is an error
// rather than silently ignored.
func TestLoadSetErrors(t *testing.T) {
	for _, tt := range []struct {
		set, want string
	}{
		{"places.detox.capcity=16", `--set: places.detox.capcity: unknown key; did you mean "capacity"?`},
		{"run.replications=2.5", "--set: run.replications: must be a whole number, not 2.5"},
		{"capacity", `--set: "capacity": an override is path=value, as in places.detox.capacity=16`},
	} {
		t.Run(tt.set, func(t *testing.T) {
			_, err := Load("baseline", []string{tt.set})
			if err == nil || err.Error() != tt.want {
				t.Errorf("Load(baseline, --set %s) error:\n%v\nwant:\n%s", tt.set, err, tt.want)
			}
		})
	}
}

// TestLoadShippedChild checks inheritance through the embedded files: a
// child's key overrides its base's, and every other key keeps the base's
// value and origin.
func TestLoadShippedChild(t *testing.T) {
	base, err := Load("baseline", nil)
	if err != nil {
		t.Fatal(err)
	}
	child, err := Load("more-detox-beds", nil)
	if err != nil {
		t.Fatal(err)
	}
	if child.Base != "baseline.toml" {
		t.Errorf("base %q, want baseline.toml", child.Base)
	}
	if b, c := base.Places["detox"].Capacity.V, child.Places["detox"].Capacity.V; b == c || c != 9 {
		t.Errorf("detox capacity %g in the child (base %g), want 9", c, b)
	}
	if got := child.Origin["places.detox.capacity"]; got != "more-detox-beds.toml" {
		t.Errorf("origin of places.detox.capacity is %q, want more-detox-beds.toml", got)
	}
	// The baseline sets its calibrated values; the rest come from its base.
	for key, want := range map[string]string{"places.detox.patience": "baseline-prior.toml", "places.community.capacity": "baseline-prior.toml",
		"arrivals.per_year": "baseline.toml", "run.seed": "baseline-prior.toml"} {
		if got := child.Origin[key]; got != want {
			t.Errorf("origin of %s is %q, want %s", key, got, want)
		}
	}
	if b, c := base.Places["community"].Capacity.V, child.Places["community"].Capacity.V; b != c {
		t.Errorf("community capacity %g in the child, %g in the base", c, b)
	}
	if b, c := base.Arrivals.PerYear.V, child.Arrivals.PerYear.V; b != c {
		t.Errorf("arrivals per year %g in the child, %g in the base", c, b)
	}
	if b, c := base.Places["detox"].Patience.String(), child.Places["detox"].Patience.String(); b != c {
		t.Errorf("detox patience %s in the child, %s in the base", c, b)
	}
	if child.Name == base.Name {
		t.Errorf("the child kept the base's name %q", base.Name)
	}
}

func TestJSONSchema(t *testing.T) {
	b, err := scenario.JSONSchema()
	if err != nil {
		t.Fatal(err)
	}
	var schema struct {
		AdditionalProperties *bool `json:"additionalProperties"`
		Properties           map[string]struct {
			AdditionalProperties json.RawMessage `json:"additionalProperties"`
		} `json:"properties"`
		Defs map[string]json.RawMessage `json:"$defs"`
	}
	if err := json.Unmarshal(b, &schema); err != nil {
		t.Fatalf("not valid JSON: %v", err)
	}
	// The top-level keys of a scenario file, as the design documents them.
	for _, k := range []string{"name", "description", "base", "run", "arrivals", "case_mix", "policy", "report", "places"} {
		if _, ok := schema.Properties[k]; !ok {
			t.Errorf("schema has no top-level key %q", k)
		}
	}
	if schema.AdditionalProperties == nil || *schema.AdditionalProperties {
		t.Error(`top level lacks "additionalProperties": false`)
	}
	// places is a table of places by name; each place allows only its keys.
	var ref struct {
		Ref string `json:"$ref"`
	}
	if err := json.Unmarshal(schema.Properties["places"].AdditionalProperties, &ref); err != nil || ref.Ref == "" {
		t.Fatalf("places.additionalProperties is %s, want a $ref to the place schema", schema.Properties["places"].AdditionalProperties)
	}
	var place struct {
		AdditionalProperties *bool          `json:"additionalProperties"`
		Properties           map[string]any `json:"properties"`
	}
	def := schema.Defs[strings.TrimPrefix(ref.Ref, "#/$defs/")]
	if err := json.Unmarshal(def, &place); err != nil {
		t.Fatalf("place schema %s: %v", ref.Ref, err)
	}
	if place.AdditionalProperties == nil || *place.AdditionalProperties {
		t.Errorf(`place schema %s lacks "additionalProperties": false`, ref.Ref)
	}
	for _, k := range []string{"kind", "capacity", "exits", "routes"} {
		if _, ok := place.Properties[k]; !ok {
			t.Errorf("place schema has no key %q", k)
		}
	}
}

// TestRebase: a counterfactual's own keys apply on top of the scenario it
// values, whatever that file's base says.
func TestRebase(t *testing.T) {
	sc, err := (&scenario.Loader{Rebase: "more-detox-beds", Check: Check}).Load("no-treatment", []string{"scale=2"})
	if err != nil {
		t.Fatal(err)
	}
	if got := sc.Places["detox"].Capacity.V; got != 9 {
		t.Errorf("detox capacity %v, want more-detox-beds' 9", got)
	}
	if sc.Arrivals.To != "using" || sc.Scale == nil || sc.Scale.V != 2 {
		t.Errorf("arrivals to %q, scale %v: want no-treatment's using, and the override", sc.Arrivals.To, sc.Scale)
	}
	if sc.Origin["arrivals.to"] == sc.Origin["places.detox.capacity"] {
		t.Errorf("origins: %q and %q", sc.Origin["arrivals.to"], sc.Origin["places.detox.capacity"])
	}
	if _, err := (&scenario.Loader{Rebase: "no-such-area", Check: Check}).Load("no-treatment", nil); err == nil || !strings.Contains(err.Error(), "no-such-area") {
		t.Errorf("a missing rebase: error %v", err)
	}
}

// TestEnglandSize runs scenarios/england.toml, the baseline 150 times
// over, against England's drug treatment population: A4's 193,198 adults
// in treatment (2013-14) and A7's 152,952 opiate clients (2014), each
// within 10%. Two replications of 2 measured years, without the
// counterfactual: the CI of a national count is under 1%, far inside the
// tolerance.
func TestEnglandSize(t *testing.T) {
	if testing.Short() {
		t.Skip("a national run: 30 s")
	}
	sc, err := Load("england", []string{"run.horizon=\"2y\"", "run.replications=2", "economics.counterfactual=\"\""})
	if err != nil {
		t.Fatal(err)
	}
	m, rs := mtBuildRun(t, sc, sc.Seed(), 2)
	for _, c := range []struct {
		metric string
		want   float64
	}{
		{"distinct_clients_treated", 193198},
		{"distinct_clients_treated.drug.opiate", 152952},
	} {
		s := mtStat(t, m, rs, c.metric)
		t.Logf("England %s = %.0f (A4, A7: %.0f)", c.metric, s.mean, c.want)
		if d := s.mean/c.want - 1; d < -0.1 || d > 0.1 {
			t.Errorf("England %s = %.0f, want %.0f +-10%% (off by %+.1f%%)", c.metric, s.mean, c.want, 100*d)
		}
	}
}
