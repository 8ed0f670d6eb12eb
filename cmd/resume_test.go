package cmd

import (
	"bytes"
	"context"
	"encoding/gob"
	"fmt"
	"io"
	"math"
	"os"
	"path/filepath"
	"reflect"
	"testing"

	"github.com/journeysim/journeysim/models"
	"github.com/journeysim/journeysim/models/result"
	"github.com/journeysim/journeysim/output"
)

// TestReplicationsKept: a run started again takes up the replications an
// earlier one kept, runs the rest, and gets the same results as a run never
// stopped; a changed scenario does not use them.
func TestReplicationsKept(t *testing.T) {
	flags := scenarioFlags{Workers: 2, Quiet: true, set: map[string]bool{}}
	sets := []string{"run.replications=6", `run.warmup="2y"`, `run.horizon="2y"`}
	sc, err := models.Load("baseline", sets)
	if err != nil {
		t.Fatal(err)
	}
	m, err := models.Build(sc)
	if err != nil {
		t.Fatal(err)
	}
	partial := filepath.Join(t.TempDir(), ".out.partial")
	ctx := context.Background()
	whole, err := flags.replicate(ctx, io.Discard, "baseline", sc, m, partial)
	if err != nil {
		t.Fatal(err)
	}
	cache, err := output.OpenKept(partial, sc.Fingerprint(), Version())
	if err != nil {
		t.Fatal(err)
	}
	if n := cache.Count(); n != 6 {
		t.Fatalf("%d replications kept, want 6", n)
	}
	// As if stopped after three: the others were never kept. Replication 1
	// is swapped for replication 4, to show it is read, not run.
	for rep := 3; rep < 6; rep++ {
		os.Remove(keptPath(cache, rep))
	}
	if err := cache.Save(1, whole.Results[4]); err != nil {
		t.Fatal(err)
	}
	// One byte changed in replication 2's file, where the gob still
	// decodes, to other numbers: only the checksum can tell it is damaged.
	p2 := keptPath(cache, 2)
	data, err := os.ReadFile(p2)
	if err != nil {
		t.Fatal(err)
	}
	head, payload, _ := bytes.Cut(data, []byte("\n"))
	damaged := false
	for off := 0; off < len(payload) && !damaged; off++ {
		payload[off] ^= 0x10
		var garbled result.Result
		if gob.NewDecoder(bytes.NewReader(payload)).Decode(&garbled) == nil && !sameValues(garbled.Values, whole.Results[2].Values) {
			damaged = true
			break
		}
		payload[off] ^= 0x10
	}
	if !damaged {
		t.Fatal("found no byte whose change still decodes: the test shows nothing")
	}
	if err := os.WriteFile(p2, append(append(head, '\n'), payload...), 0o644); err != nil {
		t.Fatal(err)
	}
	again, err := flags.replicate(ctx, io.Discard, "baseline", sc, m, partial)
	if err != nil {
		t.Fatal(err)
	}
	for rep := range 6 {
		want := whole.Results[rep]
		if rep == 1 {
			want = whole.Results[4]
		}
		if !sameValues(again.Results[rep].Values, want.Values) {
			t.Errorf("replication %d differs from the run never stopped", rep)
		}
	}
	// Another seed is another scenario: nothing is taken up.
	sc2, _ := models.Load("baseline", append(sets, "run.seed=7"))
	if c2, _ := output.OpenKept(partial, sc2.Fingerprint(), Version()); c2.Dir() == cache.Dir() || c2.Count() != 0 {
		t.Errorf("a changed scenario shares the kept replications (%s)", c2.Dir())
	}
}

func sameValues(a, b []float64) bool {
	bits := func(xs []float64) []uint64 {
		out := make([]uint64, len(xs))
		for i, x := range xs {
			out[i] = math.Float64bits(x)
		}
		return out
	}
	return reflect.DeepEqual(bits(a), bits(b))
}

// keptPath is where a Kept store keeps replication rep.
func keptPath(k *output.Kept, rep int) string {
	return filepath.Join(k.Dir(), fmt.Sprintf("rep-%05d.gob", rep))
}
