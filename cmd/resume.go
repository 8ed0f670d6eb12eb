package cmd

import (
	"bytes"
	"context"
	"crypto/sha256"
	"encoding/gob"
	"encoding/hex"
	"fmt"
	"io"
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
type repCache struct{ partial, dir string }

func newRepCache(partial string, sc *models.Scenario) (repCache, error) {
	if partial == "" {
		return repCache{}, nil
	}
	if err := output.CheckKept(partial); err != nil {
		return repCache{}, err
	}
	key := sha256.Sum256([]byte(sc.Fingerprint() + " " + Version()))
	return repCache{partial: partial, dir: filepath.Join(partial, hex.EncodeToString(key[:8]))}, nil
}

func (c repCache) path(rep int) string { return filepath.Join(c.dir, fmt.Sprintf("rep-%05d.gob", rep)) }

func (c repCache) load(rep int) (*models.Result, bool) {
	if c.dir == "" {
		return nil, false
	}
	b, err := output.ReadKept(c.path(rep))
	if err != nil {
		return nil, false // missing, damaged or not this user's: run the replication again
	}
	var r models.Result
	if gob.NewDecoder(bytes.NewReader(b)).Decode(&r) != nil {
		return nil, false
	}
	return &r, true
}

func (c repCache) save(rep int, r *models.Result) error {
	if c.dir == "" {
		return nil
	}
	var buf bytes.Buffer
	if err := gob.NewEncoder(&buf).Encode(r); err != nil {
		return err
	}
	return output.WriteKept(c.partial, c.path(rep), buf.Bytes())
}

// count returns how many replications the cache holds whole.
func (c repCache) count() int {
	m, _ := filepath.Glob(filepath.Join(c.dir, "rep-*.gob"))
	n := 0
	for _, p := range m {
		if _, err := output.ReadKept(p); err == nil {
			n++
		}
	}
	return n
}

// replicateKept is replicate for a command that can be resumed: each
// replication finished is kept under partial, and one kept by an earlier,
// interrupted run of the same command is read back instead of run again.
// Replications are independent streams, so the results are the same bytes.
func (s *scenarioFlags) replicateKept(ctx context.Context, stderr io.Writer, ref string, sc *models.Scenario, m *models.Model, partial string) (*scenarioRunResult, error) {
	if err := s.checkMemory(ref, m, sc.Replications(), s.Workers); err != nil {
		return nil, err
	}
	cache, err := newRepCache(partial, sc)
	if err != nil {
		return nil, err
	}
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
