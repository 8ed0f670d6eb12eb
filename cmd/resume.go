package cmd

import (
	"bytes"
	"context"
	"crypto/sha256"
	"encoding/gob"
	"encoding/hex"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"time"

	"github.com/journeysim/journeysim/models"
	"github.com/journeysim/journeysim/output"
	"github.com/journeysim/journeysim/sim"
)

// partialDir is where a run into dir keeps its finished replications until
// it has written its results: beside dir, hidden, so an interrupted run
// leaves no directory that looks like results.
func partialDir(dir string) string {
	return filepath.Join(filepath.Dir(filepath.Clean(dir)), "."+filepath.Base(filepath.Clean(dir))+".partial")
}

// repCache keeps one scenario's finished replications in a partial
// directory, keyed by the scenario's fingerprint and the version, so a run
// started again with the same scenario, seed and flags takes them up; any
// change starts afresh.
type repCache struct{ dir string }

func newRepCache(partial string, sc *models.Scenario) repCache {
	if partial == "" {
		return repCache{}
	}
	key := sha256.Sum256([]byte(sc.Fingerprint() + " " + Version()))
	return repCache{dir: filepath.Join(partial, hex.EncodeToString(key[:8]))}
}

func (c repCache) path(rep int) string { return filepath.Join(c.dir, fmt.Sprintf("rep-%05d.gob", rep)) }

func (c repCache) load(rep int) (*models.Result, bool) {
	if c.dir == "" {
		return nil, false
	}
	b, err := os.ReadFile(c.path(rep))
	if err != nil {
		return nil, false
	}
	var r models.Result
	if gob.NewDecoder(bytes.NewReader(b)).Decode(&r) != nil {
		return nil, false // a damaged file: run the replication again
	}
	return &r, true
}

func (c repCache) save(rep int, r *models.Result) error {
	if c.dir == "" {
		return nil
	}
	return output.WriteFileStream(c.path(rep), func(w io.Writer) error { return gob.NewEncoder(w).Encode(r) })
}

// count returns how many replications the cache holds.
func (c repCache) count() int {
	m, _ := filepath.Glob(filepath.Join(c.dir, "rep-*.gob"))
	return len(m)
}

// replicateKept is replicate for a command that can be resumed: each
// replication finished is kept under partial, and one kept by an earlier,
// interrupted run of the same command is read back instead of run again.
// Replications are independent streams, so the results are the same bytes.
func (s *scenarioFlags) replicateKept(ctx context.Context, stderr io.Writer, ref string, sc *models.Scenario, m *models.Model, partial string) (*scenarioRunResult, error) {
	if err := s.checkMemory(ref, m, sc.Replications(), s.Workers); err != nil {
		return nil, err
	}
	cache := newRepCache(partial, sc)
	update, finish := newProgress(stderr, sc.Replications(), ref, s.Quiet)
	t0 := time.Now()
	rs, err := sim.Replicate(ctx, sc.Replications(), s.Workers, func(ctx context.Context, rep int) (*models.Result, error) {
		if r, ok := cache.load(rep); ok {
			return r, nil
		}
		r, err := m.Run(ctx, sc.Seed(), rep)
		if err != nil {
			return nil, err
		}
		return r, cache.save(rep, r)
	}, update)
	finish()
	if err != nil {
		if ctx.Err() != nil && cache.dir != "" {
			return nil, &Interrupted{Kept: fmt.Sprintf("%d of %d replications of %s are kept in %s; run the same command again to go on",
				cache.count(), sc.Replications(), ref, partial)}
		}
		return nil, err
	}
	return &scenarioRunResult{Ref: ref, Scenario: sc, Model: m, Results: rs, Wall: time.Since(t0)}, nil
}
