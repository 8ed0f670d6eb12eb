package cmd

import (
	"bytes"
	"context"
	"encoding/json"
	"flag"
	"os"
	"path/filepath"
	"strings"
	"testing"
)

var update = flag.Bool("update", false, "rewrite golden files in testdata/")

// execute runs journeysim with args and returns its exit status and output.
func execute(t *testing.T, args ...string) (int, string, string) {
	t.Helper()
	var out, errOut bytes.Buffer
	code := Execute(context.Background(), args, &out, &errOut)
	return code, out.String(), errOut.String()
}

func golden(t *testing.T, name, got string) {
	t.Helper()
	path := filepath.Join("testdata", name+".golden")
	if *update {
		if err := os.WriteFile(path, []byte(got), 0o644); err != nil {
			t.Fatal(err)
		}
		return
	}
	want, err := os.ReadFile(path)
	if err != nil {
		t.Fatalf("%v (run go test ./cmd -update to create it)", err)
	}
	if got != string(want) {
		t.Errorf("%s differs from %s:\n--- got\n%s\n--- want\n%s", name, path, got, want)
	}
}

func TestExitCodes(t *testing.T) {
	tests := []struct {
		name string
		args []string
		code int
		err  string // part of stderr
	}{
		{"help", []string{"--help"}, 0, ""},
		{"version", []string{"version"}, 0, ""},
		{"unknown command", []string{"frobnicate"}, 2, `unknown command "frobnicate"`},
		{"unknown flag", []string{"run", "--replicashuns", "3"}, 2, "unknown flag: --replicashuns"},
		{"bad flag value", []string{"run", "--replications", "many"}, 2, "invalid argument"},
		{"too many args", []string{"run", "a", "b"}, 2, "accepts at most 1 arg"},
		{"zero workers", []string{"run", "--workers", "0"}, 2, "--workers must be at least 1"},
		{"unknown scenario", []string{"run", "basline"}, 1, `did you mean "baseline"?`},
		{"bad override", []string{"run", "--set", "places.detox.capacity=-3"}, 1, "places.detox.capacity"},
		{"check needs a file", []string{"check"}, 2, "requires at least 1 arg"},
		{"check broken", []string{"check", "testdata/broken.toml"}, 1, "check failed: 1 of 1 files"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			code, _, stderr := execute(t, tt.args...)
			if code != tt.code {
				t.Errorf("exit status %d, want %d; stderr:\n%s", code, tt.code, stderr)
			}
			if !strings.Contains(stderr, tt.err) {
				t.Errorf("stderr does not contain %q:\n%s", tt.err, stderr)
			}
		})
	}
}

func TestVersion(t *testing.T) {
	_, out, _ := execute(t, "version")
	if !strings.HasPrefix(out, "journeysim dev\ncommit unknown\ngo") {
		t.Errorf("version output:\n%s", out)
	}
}

func TestScenariosList(t *testing.T) {
	code, out, stderr := execute(t, "scenarios")
	if code != 0 {
		t.Fatalf("exit %d: %s", code, stderr)
	}
	golden(t, "scenarios", out)
}

func TestCheckShipped(t *testing.T) {
	code, out, stderr := execute(t, "check", "baseline", "case-managers-at-detox", "bench/peer-overloaded", "../scenarios/more-detox-beds.toml")
	if code != 0 {
		t.Fatalf("exit %d: %s", code, stderr)
	}
	if n := strings.Count(out, ": ok\n"); n != 4 {
		t.Errorf("%d files ok, want 4:\n%s", n, out)
	}
}

func TestCheckBroken(t *testing.T) {
	_, _, stderr := execute(t, "check", "testdata/broken.toml")
	golden(t, "check-broken", stderr)
}

func TestSchema(t *testing.T) {
	code, out, _ := execute(t, "schema")
	if code != 0 {
		t.Fatal("schema failed")
	}
	var s map[string]any
	if err := json.Unmarshal([]byte(out), &s); err != nil {
		t.Fatalf("schema is not JSON: %v", err)
	}
	props, _ := s["properties"].(map[string]any)
	for _, k := range []string{"name", "base", "run", "arrivals", "case_mix", "policy", "places"} {
		if _, ok := props[k]; !ok {
			t.Errorf("schema has no property %q", k)
		}
	}
}

// TestRunEndToEnd runs a small scenario from a file and checks the table.
func TestRunEndToEnd(t *testing.T) {
	args := []string{"run", "../scenarios/bench/peer-reference.toml", "--replications", "3", "--horizon", "2y", "--workers", "2"}
	code, out, stderr := execute(t, args...)
	if code != 0 {
		t.Fatalf("exit %d: %s", code, stderr)
	}
	for _, want := range []string{"3 replications, seed 42", "occupancy.detox", "wait_mean_days.detox", "95% CI"} {
		if !strings.Contains(out, want) {
			t.Errorf("output lacks %q:\n%s", want, out)
		}
	}
	// Worker count does not change results.
	_, out1, _ := execute(t, append(args[:len(args)-1], "1")...)
	if out1 != out {
		t.Errorf("--workers 1 and 2 differ:\n%s\n---\n%s", out1, out)
	}
}
