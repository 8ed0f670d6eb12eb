package models

import (
	"errors"
	"flag"
	"io/fs"
	"maps"
	"math"
	"math/rand/v2"
	"os"
	"os/exec"
	"path/filepath"
	"slices"
	"strconv"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/journeysim/journeysim/models/scenario"
	"github.com/journeysim/journeysim/models/sweep"
)

// The fuzz targets below replay their seed corpus in testdata/fuzz on every
// go test; go test -fuzz=FuzzLoad ./models (and so on) searches further.
// Each says what must hold for every input: no panic, and an answer that
// is either an error or a value that survives the round trip.

// fuzzScope is the baseline's scope, for conditions to compile against.
var fuzzScope = sync.OnceValue(func() *Scope {
	sc, err := Load("baseline", nil)
	if err != nil {
		panic(err)
	}
	scope, err := newScope(sc)
	if err != nil {
		panic(err)
	}
	return scope
})

// FuzzLoad loads any bytes as a scenario file, whose base may be a shipped
// scenario: the result is a scenario that builds, or an error.
func FuzzLoad(f *testing.F) {
	// Inputs too large for the corpus files: deep nesting, long keys and
	// many keys, each of which once ran out of memory or time.
	for _, s := range hugeInputs() {
		f.Add([]byte(s))
	}
	f.Fuzz(fuzzLoadOne)
}

// hugeInputs are scenario files at and far beyond the limits on nesting,
// key parts and keys.
func hugeInputs() []string {
	var keys strings.Builder
	keys.WriteString("name = \"many\"\n")
	for i := range 100_001 { // one beyond the limit on keys
		keys.WriteString("k" + strconv.Itoa(i) + " = 1\n")
	}
	return []string{
		"a = " + strings.Repeat("{a = ", 10000) + "1" + strings.Repeat("}", 10000),
		"a = " + strings.Repeat("[", 100000) + strings.Repeat("]", 100000),
		strings.Repeat("a.", 10000) + "a = 1",
		"[" + strings.Repeat("a.", 10000) + "a]",
		"[[places.detox.routes.completed]]\nwhen = \"" + strings.Repeat("(", 500000) + "\"",
		keys.String(),
	}
}

func fuzzLoadOne(t *testing.T, data []byte) {
	l := &scenario.Loader{Check: Check, ReadFile: func(name string) ([]byte, error) {
		if name == "fuzz.toml" {
			return data, nil
		}
		return nil, fs.ErrNotExist
	}}
	sc, err := l.Load("fuzz.toml", nil)
	if err != nil {
		if err.Error() == "" {
			t.Fatal("an error with no message")
		}
		return
	}
	if _, err := Build(sc); err != nil {
		t.Fatalf("loaded, but does not build: %v", err)
	}
}

// FuzzSet applies any --set override to the baseline.
func FuzzSet(f *testing.F) {
	f.Add("x=" + strings.Repeat("[", 100000))
	f.Add("x=" + strings.Repeat("{a=", 10000) + "1" + strings.Repeat("}", 10000))
	f.Add(strings.Repeat("a.", 10000) + "a=1")
	f.Fuzz(fuzzSetOne)
}

func fuzzSetOne(t *testing.T, set string) {
	sc, err := Load("baseline", []string{set})
	if err != nil {
		var ps scenario.Problems
		if !errors.As(err, &ps) || err.Error() == "" {
			t.Fatalf("not a scenario problem: %T %v", err, err)
		}
		return
	}
	if _, err := Build(sc); err != nil {
		t.Fatalf("loaded, but does not build: %v", err)
	}
}

// FuzzDuration parses durations: a duration is finite, not negative, and
// reads back as itself.
func FuzzDuration(f *testing.F) { f.Fuzz(fuzzDurationOne) }

func fuzzDurationOne(t *testing.T, s string) {
	days, err := scenario.ParseDuration(s)
	if err != nil {
		return
	}
	if math.IsNaN(days) || math.IsInf(days, 0) || days < 0 {
		t.Fatalf("ParseDuration(%q) = %v", s, days)
	}
	var d scenario.Duration
	if err := d.UnmarshalText([]byte(s)); err != nil {
		t.Fatalf("ParseDuration accepts %q but Duration does not: %v", s, err)
	}
	text, err := d.MarshalText()
	if err != nil {
		t.Fatal(err)
	}
	again, err := scenario.ParseDuration(string(text))
	if err != nil || again != days {
		t.Fatalf("%q = %vd writes as %q, which reads as %v, %v", s, days, text, again, err)
	}
}

// FuzzDist parses distributions: one that parses writes as text that
// parses to the same text, and its draws are finite.
func FuzzDist(f *testing.F) { f.Fuzz(fuzzDistOne) }

func fuzzDistOne(t *testing.T, s string) {
	d, err := scenario.ParseDist(s)
	if err != nil {
		return
	}
	text := d.String()
	d2, err := scenario.ParseDist(text)
	if err != nil || d2.String() != text {
		t.Fatalf("%q writes as %q, which reads back as %q, %v", s, text, d2.String(), err)
	}
	// A duration is not negative, unless a normal or the bounds say so.
	nonNeg := d.HasUnits() && d.Family() != "normal" && d.Quantile(0) >= 0
	sm := d.Sampler(rand.NewPCG(1, 2))
	for range 16 {
		if x := sm.Rand(); math.IsNaN(x) || math.IsInf(x, 0) || (nonNeg && x < 0) {
			t.Fatalf("%q drew %v", s, x)
		}
	}
}

// FuzzExpr parses conditions and compiles them against the baseline's
// names; one that compiles evaluates on a client without panicking.
func FuzzExpr(f *testing.F) {
	f.Add(strings.Repeat("(", 1_000_000) + "holding.x" + strings.Repeat(")", 1_000_000))
	f.Add(strings.Repeat("not ", 100_000) + "holding.x")
	f.Add(strings.Repeat("(", 30) + "holding.x" + strings.Repeat(")", 30))
	f.Fuzz(fuzzExprOne)
}

func fuzzExprOne(t *testing.T, s string) {
	e, err := scenario.ParseExpr(s)
	if err != nil {
		return
	}
	if strings.TrimSpace(e.String()) == "" && !e.IsZero() {
		t.Fatalf("%q parses to a blank condition", s)
	}
	c, err := Compile(e, fuzzScope())
	if err != nil {
		return
	}
	cl := Client{Place: -1, LastExitPlace: 2, LastExitReason: 1, bits: [2]uint64{^uint64(0), ^uint64(0)}}
	c(&cl)
}

// FuzzSweepAxis parses --vary and --range.
func FuzzSweepAxis(f *testing.F) { f.Fuzz(fuzzSweepAxisOne) }

func fuzzSweepAxisOne(t *testing.T, s string) {
	if ax, err := sweep.ParseAxis(s); err == nil && (ax.Path == "" || len(ax.Values) == 0) {
		t.Fatalf("sweep.ParseAxis(%q) = %+v", s, ax)
	}
	if r, err := sweep.ParseRange(s); err == nil && !(r.Lo <= r.Hi) {
		t.Fatalf("sweep.ParseRange(%q) = %v to %v", s, r.Lo, r.Hi)
	}
}

var slowest = flag.Bool("slowest", false, "time every fuzz corpus input (testdata/fuzz and the fuzzing cache) and print the slowest of each target")

// TestFuzzInputTimes measures, with -slowest, how long each input of the
// fuzz corpora takes: the bar is a second to reject any input. It is a
// measurement, not a check, so it only reports.
func TestFuzzInputTimes(t *testing.T) {
	if !*slowest {
		t.Skip("run with -slowest")
	}
	cache := filepath.Join(os.Getenv("GOCACHE"), "fuzz", "github.com", "journeysim", "journeysim", "models")
	if out, err := exec.Command("go", "env", "GOCACHE").Output(); err == nil {
		cache = filepath.Join(strings.TrimSpace(string(out)), "fuzz", "github.com", "journeysim", "journeysim", "models")
	}
	targets := map[string]func(*testing.T, string){
		"FuzzLoad":      func(t *testing.T, s string) { fuzzLoadOne(t, []byte(s)) },
		"FuzzSet":       fuzzSetOne,
		"FuzzDuration":  fuzzDurationOne,
		"FuzzDist":      fuzzDistOne,
		"FuzzExpr":      fuzzExprOne,
		"FuzzSweepAxis": fuzzSweepAxisOne,
	}
	for _, name := range slices.Sorted(maps.Keys(targets)) {
		var files []string
		seen := map[string]bool{}
		for _, dir := range []string{filepath.Join("testdata", "fuzz", name), filepath.Join(cache, name)} {
			m, _ := filepath.Glob(filepath.Join(dir, "*"))
			for _, f := range m {
				if !seen[filepath.Base(f)] { // the cache's inputs copied into testdata count once
					seen[filepath.Base(f)] = true
					files = append(files, f)
				}
			}
		}
		var worst time.Duration
		worstFile := ""
		for _, f := range files {
			b, err := os.ReadFile(f)
			if err != nil {
				t.Fatal(err)
			}
			text := string(b)
			open, end := strings.IndexByte(text, '('), strings.LastIndexByte(text, ')')
			if open < 0 || end < open {
				t.Fatalf("%s: not a corpus file", f)
			}
			arg, err := strconv.Unquote(text[open+1 : end])
			if err != nil {
				t.Fatalf("%s: %v", f, err)
			}
			t0 := time.Now()
			targets[name](t, arg)
			if d := time.Since(t0); d > worst {
				worst, worstFile = d, f
			}
		}
		t.Logf("%-14s %5d inputs, slowest %v (%s)", name, len(files), worst, filepath.Base(worstFile))
	}
}
