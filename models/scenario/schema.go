package scenario

import (
	"encoding/json"
	"reflect"
	"strings"

	"github.com/journeysim/journeysim/models/internal/enum"
)

// JSONSchema returns a JSON Schema (draft 2020-12) of the scenario language,
// derived from the Scenario type so that it cannot drift from the decoder.
// Editors that check TOML against a JSON Schema (Even Better TOML, taplo)
// use it to flag unknown keys and wrong types while a file is typed.
func JSONSchema() ([]byte, error) {
	g := &schemaGen{defs: map[string]any{}}
	root := g.object(reflect.TypeOf(Scenario{}))
	root["$schema"] = "https://json-schema.org/draft/2020-12/schema"
	root["$id"] = "https://journeysim.org/schema/scenario.json"
	root["title"] = "journeysim scenario"
	root["$defs"] = g.defs
	return json.MarshalIndent(root, "", "  ")
}

type schemaGen struct {
	defs map[string]any
}

var (
	valueType    = reflect.TypeOf(Value{})
	distType     = reflect.TypeOf(Dist{})
	exprType     = reflect.TypeOf(Expr{})
	durationType = reflect.TypeOf(Duration(0))
)

// enums holds the closed sets of the words some keys take, by type, and
// of some string keys, by Go field.
var (
	enums = map[reflect.Type][]string{
		reflect.TypeFor[PlaceKind]():  enum.Strings(placeKinds...),
		reflect.TypeFor[Discipline](): enum.Strings(disciplines...),
		reflect.TypeFor[FollowFrom](): enum.Strings(followFroms...),
	}
	fieldEnums = map[string][]string{
		"HazardSpec.Unit": {"per_day", "per_week", "per_year", "per_100_person_years"},
		"LifeTable.Unit":  {"per_year"},
	}
)

func (g *schemaGen) schema(t reflect.Type) any {
	switch t {
	case valueType:
		g.defs["value"] = map[string]any{
			"description": "A number, or a number with its provenance.",
			"oneOf": []any{
				map[string]any{"type": "number"},
				map[string]any{
					"type":                 "object",
					"additionalProperties": false,
					"required":             []string{"value"},
					"properties": map[string]any{
						"value":       map[string]any{"type": "number"},
						"source":      map[string]any{"type": "string", "description": "a row id of parameters.md (\"C3\", \"C3, D4\"), \"derived: A6\", \"assumption\", \"calibrated\" or \"calibrated: C1\""},
						"uncertainty": map[string]any{"type": "string", "description": "a distribution, e.g. \"beta(60, 40)\""},
						"note":        map[string]any{"type": "string"},
					},
				},
			},
		}
		return map[string]any{"$ref": "#/$defs/value"}
	case distType:
		return map[string]any{"type": "string", "description": "a distribution: exponential(mean = 10d), lognormal(median = 90d, sigma = 1.2), gamma(mean = 30d, shape = 2), weibull(scale = 100d, shape = 0.7), fixed(10d), uniform(lo, hi), beta(a, b), normal(mean, sd), triangular(lo, mode, hi), empirical(0d: 0, 7d: 0.3, 28d: 1)"}
	case exprType:
		return map[string]any{"type": "string", "description": "a condition, e.g. admissions.detox >= 2 and client.drug == 'opiate'"}
	case durationType:
		return map[string]any{"type": "string", "pattern": `^\s*[0-9]+(\.[0-9]+)?\s*[dwmy]\s*$`, "description": "a duration: 10d, 2w, 3m, 1y"}
	}
	switch t.Kind() {
	case reflect.Pointer:
		return g.schema(t.Elem())
	case reflect.Struct:
		name := strings.ToLower(t.Name())
		if _, ok := g.defs[name]; !ok {
			g.defs[name] = true // placeholder against recursion
			g.defs[name] = g.object(t)
		}
		return map[string]any{"$ref": "#/$defs/" + name}
	case reflect.Map:
		if t.Elem().Kind() == reflect.Interface {
			return map[string]any{"type": "object", "additionalProperties": map[string]any{"type": []string{"string", "boolean", "number"}}}
		}
		return map[string]any{"type": "object", "additionalProperties": g.schema(t.Elem())}
	case reflect.Slice:
		return map[string]any{"type": "array", "items": g.schema(t.Elem())}
	case reflect.String:
		return map[string]any{"type": "string"}
	case reflect.Bool:
		return map[string]any{"type": "boolean"}
	case reflect.Int, reflect.Int64:
		return map[string]any{"type": "integer"}
	case reflect.Float64:
		return map[string]any{"type": "number"}
	}
	return map[string]any{}
}

func (g *schemaGen) object(t reflect.Type) map[string]any {
	props := map[string]any{}
	for i := range t.NumField() {
		f := t.Field(i)
		tag := f.Tag.Get("toml")
		if tag == "" || tag == "-" || !f.IsExported() {
			continue
		}
		s := g.schema(f.Type)
		if e, ok := enums[f.Type]; ok {
			s = map[string]any{"type": "string", "enum": e}
		}
		if e, ok := fieldEnums[t.Name()+"."+f.Name]; ok {
			s = map[string]any{"type": "string", "enum": e}
		}
		props[tag] = s
	}
	return map[string]any{"type": "object", "additionalProperties": false, "properties": props}
}
