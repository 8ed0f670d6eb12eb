package web

import (
	"errors"
	"fmt"
	"io/fs"
	"maps"
	"math"
	"path/filepath"
	"slices"
	"strconv"
	"strings"

	"github.com/journeysim/journeysim/models"
	"github.com/journeysim/journeysim/models/scenario"
)

// Header is the first line of every what-if file the page writes: saving
// replaces only a file that starts with it.
const Header = "# journeysim serve: a what-if"

// unsavedName is the what-if's file name while it is held in memory: a
// name with a space, which a saved file never has, so it cannot be taken
// for a file of the workspace.
const unsavedName = "unsaved what-if.toml"

// A request names the scenario a what-if changes, the what-if's name and
// the levers it changes: path to value, as the page's controls give them.
type request struct {
	Scenario string            `json:"scenario"`
	Name     string            `json:"name"`
	Changes  map[string]string `json:"changes"`
}

// A base is a scenario the page chose, found and loaded.
type base struct {
	ID       string // as the page names it: a shipped name, or a workspace file name
	Ref      string // as Load and the command line take it
	Key      string // as a what-if in the workspace names it in base =
	Scenario *scenario.Scenario
}

// A whatIf is a request made into a scenario file and loaded.
type whatIf struct {
	Base     *base
	Text     []byte // the file: only the keys changed, on Base
	Changes  []change
	Scenario *scenario.Scenario
}

// A change is a lever changed, as the page gives it and as it was.
type change struct{ Path, Label, Value, Was string }

// errNoChange is a what-if that changes nothing: it would be its base.
var errNoChange = errors.New("web: change a lever first: a what-if that changes nothing is its base")

// makeWhatIf writes the file of req's changes on b. A path that is not one
// of b's levers is an error; a value the language does not allow is not
// (it is written as given, and loading it reports it as check would).
func makeWhatIf(b *base, req request) ([]byte, []change, error) {
	controls := Controls(b.Scenario)
	var lines, desc, named []string
	var changed []change
	for _, c := range controls {
		v, ok := req.Changes[c.Path]
		if !ok {
			continue
		}
		v = strings.TrimSpace(v)
		if v == c.Value {
			continue
		}
		changed = append(changed, change{Path: c.Path, Label: c.Label, Value: withUnit(v, c.Unit), Was: c.Value})
		lines = append(lines, scenario.TOMLKey(c.Path)+" = "+tomlValue(c, v))
		desc = append(desc, fmt.Sprintf("%s: %s (was %s)", c.Label, withUnit(v, c.Unit), c.Value))
		named = append(named, c.Label+": "+withUnit(v, c.Unit))
	}
	for _, p := range slices.Sorted(maps.Keys(req.Changes)) {
		if !slices.ContainsFunc(controls, func(c Control) bool { return c.Path == p }) {
			return nil, nil, fmt.Errorf("web: %q is not a lever of %s", p, b.ID)
		}
	}
	if len(changed) == 0 {
		return nil, nil, errNoChange
	}
	name := strings.TrimSpace(req.Name)
	if name == "" {
		name = strings.Join(named, "; ")
	}
	var t strings.Builder
	fmt.Fprintf(&t, "%s on %s, only the keys it changes.\n", Header, b.Key)
	fmt.Fprintf(&t, "# Compare it with its base as the page did: journeysim compare %s THIS-FILE\n", b.Key)
	fmt.Fprintf(&t, "name = %s\n", scenario.TOMLString(name))
	fmt.Fprintf(&t, "description = %s\n", scenario.TOMLString("On "+b.Scenario.Name+": "+strings.Join(desc, "; ")+"."))
	fmt.Fprintf(&t, "base = %s\ncompare_with = %s\n\n", scenario.TOMLString(b.Key), scenario.TOMLString(b.Key))
	for _, l := range lines {
		t.WriteString(l + "\n")
	}
	return []byte(t.String()), changed, nil
}

func withUnit(v, unit string) string {
	if unit == "" {
		return v
	}
	return v + " " + unit
}

// tomlValue writes v for control c: a number as a value table that says
// where it came from (the base's uncertainty is inherited), a choice as a
// string, a switch as a boolean. What is not of the control's kind is
// written as a string, for the loader to refuse as check does.
func tomlValue(c Control, v string) string {
	switch c.Kind {
	case "number":
		x, err := strconv.ParseFloat(v, 64)
		if err != nil || math.IsInf(x, 0) || math.IsNaN(x) {
			return scenario.TOMLString(v)
		}
		num := strconv.FormatFloat(x, 'g', -1, 64)
		if c.Group == "Policies" {
			return num
		}
		return fmt.Sprintf("{ value = %s, source = \"assumption\", note = %s }", num, scenario.TOMLString("a what-if (was "+c.Value+")"))
	case "bool":
		if v == "true" || v == "false" {
			return v
		}
	}
	return scenario.TOMLString(v)
}

// loadWhatIf loads text as the file it will be saved as, in the workspace,
// with b's seed and replications pinned as compare pins them: the same
// model, to the byte, as `journeysim compare` makes of the saved file.
func (s *Server) loadWhatIf(b *base, text []byte) (*scenario.Scenario, error) {
	virtual := filepath.Join(s.dir, unsavedName)
	l := &scenario.Loader{Check: models.Check, ReadFile: func(p string) ([]byte, error) {
		if p == virtual {
			return text, nil
		}
		if !strings.HasSuffix(p, ".toml") {
			return nil, fs.ErrNotExist // a shipped scenario's name, as the default loader takes it
		}
		return scenario.ReadFile(p)
	}}
	return l.Load(virtual, b.Scenario.Pinned(false))
}
