package models

import (
	"flag"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/journeysim/journeysim/models/scenario"
)

var update = flag.Bool("update", false, "rewrite golden files")

// TestBrokenScenarios loads every file in testdata/broken, each a scenario
// with something wrong, and compares the error with the file's .golden.
// Files under testdata/broken/support are bases of corpus files, not
// entries themselves. Run with -update to rewrite the goldens, then read
// the diff as a planner editing the file would.
func TestBrokenScenarios(t *testing.T) {
	files, err := filepath.Glob(filepath.Join("testdata", "broken", "*.toml"))
	if err != nil {
		t.Fatal(err)
	}
	if len(files) < 45 {
		t.Fatalf("%d broken scenarios in testdata/broken, want at least 45", len(files))
	}
	for _, file := range files {
		name := strings.TrimSuffix(filepath.Base(file), ".toml")
		t.Run(name, func(t *testing.T) {
			// A relative path with forward slashes keeps the goldens
			// independent of the machine.
			path := filepath.ToSlash(file)
			_, err := (&scenario.Loader{Check: Check}).Load(path, nil)
			if err == nil {
				t.Fatalf("%s loaded without error; every file in testdata/broken must fail", path)
			}
			got := err.Error() + "\n"
			// Loading twice gives the same text: no map order leaks into it.
			if _, err2 := (&scenario.Loader{Check: Check}).Load(path, nil); err2 == nil || err2.Error()+"\n" != got {
				t.Fatalf("second load of %s gave a different error:\n%v\nfirst:\n%s", path, err2, got)
			}
			golden := strings.TrimSuffix(file, ".toml") + ".golden"
			if *update {
				if err := os.WriteFile(golden, []byte(got), 0o644); err != nil {
					t.Fatal(err)
				}
				return
			}
			want, err := os.ReadFile(golden)
			if err != nil {
				t.Fatalf("%v (run go test ./models -run TestBrokenScenarios -update to create it)", err)
			}
			if got != string(want) {
				t.Errorf("%s: error text differs from %s\ngot:\n%s\nwant:\n%s", path, golden, got, want)
			}
		})
	}
}

// TestBrokenGoldensHaveScenarios catches a golden left behind when its
// scenario was renamed or removed.
func TestBrokenGoldensHaveScenarios(t *testing.T) {
	goldens, err := filepath.Glob(filepath.Join("testdata", "broken", "*.golden"))
	if err != nil {
		t.Fatal(err)
	}
	for _, g := range goldens {
		if _, err := os.Stat(strings.TrimSuffix(g, ".golden") + ".toml"); err != nil {
			t.Errorf("%s has no scenario file", g)
		}
	}
}
