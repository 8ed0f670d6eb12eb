package cmd

import (
	"os"
	"path/filepath"
	"strings"
	"testing"
)

// TestBenchPeersUpdate runs bench peers against a stand-in for the bare
// loop and checks that the table goes between the markers and nowhere else.
func TestBenchPeersUpdate(t *testing.T) {
	dir := t.TempDir()
	limit := filepath.Join(dir, "limit")
	if err := os.WriteFile(limit, []byte("#!/bin/sh\necho events=1000000 loop_seconds=0.02\n"), 0o755); err != nil {
		t.Fatal(err)
	}
	readme := filepath.Join(dir, "README.md")
	before, after := "# Title\n\nbefore\n", "\nafter\n"
	if err := os.WriteFile(readme, []byte(before+benchBegin+"\nold table\n"+benchEnd+after), 0o644); err != nil {
		t.Fatal(err)
	}
	code, out, errOut := execute(t, "bench", "peers", "--limit", limit, "--config", "overloaded", "--pairs", "2", "--runs", "2",
		"--process=false", "--simpy", "", "--update", readme)
	if code != 0 {
		t.Fatalf("exit %d: %s%s", code, out, errOut)
	}
	got := string(mustRead(t, readme))
	if !strings.HasPrefix(got, before+benchBegin+"\n") || !strings.HasSuffix(got, benchEnd+after) {
		t.Fatalf("the file outside the markers changed:\n%s", got)
	}
	for _, want := range []string{"by `journeysim bench peers --config overloaded --limit " + limit + " --pairs 2 --process=false --runs 2",
		"| overloaded (D = 20, C = 300, 50 years; bare loop 50.0 M events/s) | **", "(runs ", "; pairs "} {
		if !strings.Contains(got, want) {
			t.Errorf("table lacks %q:\n%s", want, got)
		}
	}
	if strings.Contains(got, "old table") {
		t.Error("the old table is still there")
	}
}
