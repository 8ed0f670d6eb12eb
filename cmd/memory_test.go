package cmd

import (
	"os"
	"path/filepath"
	"strings"
	"testing"
)

func TestParseBytes(t *testing.T) {
	for s, want := range map[string]int64{"0": 0, "512": 512, "1kB": 1000, "2KiB": 2048, "1.5 GiB": 3 << 29, "8GB": 8e9, "1TiB": 1 << 40, "3m": 3e6} {
		if got, err := parseBytes(s); err != nil || got != want {
			t.Errorf("parseBytes(%q) = %d, %v; want %d", s, got, err, want)
		}
	}
	for _, s := range []string{"", "x", "3x", "-1GB", "GB", "1e30TB", "1.2.3MB"} {
		if _, err := parseBytes(s); err == nil {
			t.Errorf("parseBytes(%q): no error", s)
		}
	}
}

// TestMemoryRefused: a population too large for the bound is refused before
// it runs, with the estimate and the ways out, and nothing is written.
func TestMemoryRefused(t *testing.T) {
	dir := filepath.Join(t.TempDir(), "big")
	code, _, stderr := execute(t, "run", "--set", "scale=1000", "--max-memory", "1GiB", "--quiet", "--out", dir)
	if code != exitError {
		t.Fatalf("exit %d, want %d: %s", code, exitError, stderr)
	}
	for _, want := range []string{"baseline could need up to", "million clients", "more than 1 GiB, the bound set by --max-memory", "fewer --workers", "--set scale=0.1"} {
		if !strings.Contains(stderr, want) {
			t.Errorf("stderr lacks %q:\n%s", want, stderr)
		}
	}
	if _, err := os.Stat(dir); err == nil {
		t.Errorf("%s was written", dir)
	}
	if code, _, stderr := execute(t, "run", "--max-memory", "lots", "--quiet", "--out", dir); code != exitUsage || !strings.Contains(stderr, "--max-memory") {
		t.Errorf("--max-memory lots: exit %d: %s", code, stderr)
	}
}
