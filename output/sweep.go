package output

import (
	"bytes"
	"compress/gzip"
	"context"
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"reflect"
	"slices"
	"strconv"
	"strings"

	"github.com/journeysim/journeysim/models/result"
	"github.com/journeysim/journeysim/models/sweep"
)

// SweepManifest describes a sweep: what any shard of it must agree on. It
// is written as sweep.json in every directory a shard writes to.
type SweepManifest struct {
	Scenario string   `json:"scenario"`
	Sets     []string `json:"sets"`
	// Fingerprint identifies the scenario's contents, its bases and
	// overrides merged: editing a file between shards, or between a sweep
	// and its resumption, changes it.
	Fingerprint  string `json:"fingerprint"`
	Seed         uint64 `json:"seed"`
	Replications int    `json:"replications"`
	Version      string `json:"version"`
	// Money is the currency and price year of the sweep's costs, if any.
	Money string `json:"money,omitempty"`
	// Metrics and Units are the metrics every point reports, in order: the
	// columns of results.csv after point and replication.
	Metrics []string `json:"metrics"`
	Units   []string `json:"units"`
	sweep.Plan
}

// Sweep layout: sweep.json, one file per finished point in parts/, and
// after a merge results.csv (a row a point and replication, a column a
// metric), metrics.csv (each metric's unit) and points.csv (each point's
// parameters, seed and the run command that reproduces it).
const (
	sweepManifest = "sweep.json"
	sweepParts    = "parts"
	sweepResults  = "results.csv"
	sweepMetrics  = "metrics.csv"
	sweepPoints   = "points.csv"
)

// sweepPatterns are the paths a sweep directory's marker accounts for.
var sweepPatterns = []string{sweepManifest, sweepParts + "/point-*.csv", sweepResults, sweepMetrics, sweepPoints}

// SetMetrics records the metrics of layout l as the columns every point's
// results have.
func (man *SweepManifest) SetMetrics(l *result.Layout) {
	man.Metrics, man.Units = nil, nil
	for _, mi := range l.Metrics {
		man.Metrics = append(man.Metrics, mi.Name)
		man.Units = append(man.Units, mi.Unit)
	}
}

func partName(id int) string { return fmt.Sprintf("point-%08d.csv", id) }

// encode is the manifest as sweep.json holds it.
func (man *SweepManifest) encode() ([]byte, error) {
	data, err := json.MarshalIndent(man, "", "  ")
	if err != nil {
		return nil, err
	}
	return append(data, '\n'), nil
}

// id is a short hash of the manifest that every part of the sweep carries.
func (man *SweepManifest) id() string {
	data, _ := man.encode()
	sum := sha256.Sum256(data)
	return hex.EncodeToString(sum[:8])
}

// check refuses a manifest that cannot be a sweep's: one edited by hand,
// say, or cut short.
func (man *SweepManifest) check() error {
	if man.Replications < 1 {
		return fmt.Errorf("%d replications", man.Replications)
	}
	for i, p := range man.Points {
		if p.ID != i {
			return fmt.Errorf("point %d is listed as number %d: the points must be numbered 0, 1, 2, … in order", i, p.ID)
		}
		if len(p.Values) != len(man.Params) {
			return fmt.Errorf("point %d has %d values for %d parameters", p.ID, len(p.Values), len(man.Params))
		}
	}
	return nil
}

// A part file is one finished point's rows of results.csv, gzipped (the
// parts stay beside results.csv, so as not to double a sweep's size), after
// a header line naming the point, the sweep (its manifest's id) and the
// checksum of the compressed rows, so a truncated, damaged or stale part is
// never taken for a finished one.
const partHeader = "# journeysim sweep part: point %d of sweep %s of %d bytes with sha256 %s\n"

func encodePart(man *SweepManifest, id int, rows []byte) []byte {
	var z bytes.Buffer
	zw := gzip.NewWriter(&z) // no name or time: the same rows, the same bytes
	zw.Write(rows)
	zw.Close()
	sum := sha256.Sum256(z.Bytes())
	return append([]byte(fmt.Sprintf(partHeader, id, man.id(), z.Len(), hex.EncodeToString(sum[:]))), z.Bytes()...)
}

// readPart returns the rows of point id's part in dir, or an error saying
// why it is not a finished part of this sweep.
func readPart(man *SweepManifest, dir string, id int) ([]byte, error) {
	p := filepath.Join(dir, sweepParts, partName(id))
	data, err := readOwned(p)
	if err != nil {
		return nil, err
	}
	head, rows, ok := bytes.Cut(data, []byte("\n"))
	var got, n int
	var sweep, sum string
	if ok {
		_, err = fmt.Sscanf(string(head)+"\n", partHeader, &got, &sweep, &n, &sum)
	}
	switch {
	case !ok || err != nil:
		return nil, fmt.Errorf("%s has no part header: not a finished part", p)
	case got != id || sweep != man.id():
		return nil, fmt.Errorf("%s belongs to another sweep (point %d of %s)", p, got, sweep)
	case n != len(rows):
		return nil, fmt.Errorf("%s is cut short: %d of %d bytes", p, len(rows), n)
	}
	if s := sha256.Sum256(rows); hex.EncodeToString(s[:]) != sum {
		return nil, fmt.Errorf("%s is damaged: its checksum does not match", p)
	}
	zr, err := gzip.NewReader(bytes.NewReader(rows))
	if err == nil {
		rows, err = io.ReadAll(zr)
	}
	if err != nil {
		return nil, fmt.Errorf("%s is damaged: %w", p, err)
	}
	return rows, nil
}

// A SweepDir is a sweep's directory open for its points' parts: journeysim's
// own, holding this sweep and locked while open.
type SweepDir struct {
	man    *SweepManifest
	dir    string
	unlock func()
}

// OpenSweep opens dir for the sweep man: a new directory gets a marker and
// man as its sweep.json; an existing one must be a sweep directory
// journeysim wrote and hold this very sweep, unless force, which first
// removes what journeysim wrote there. Either way a directory journeysim did
// not write is refused, and one that another sweep is writing to.
func OpenSweep(man *SweepManifest, dir string, force bool) (*SweepDir, error) {
	unlock, err := openSweepDir(man, dir, force)
	if err != nil {
		return nil, err
	}
	return &SweepDir{man: man, dir: dir, unlock: unlock}, nil
}

// Close releases the directory's lock.
func (d *SweepDir) Close() { d.unlock() }

// Todo lists the points of shard (of shards) with no finished part: a
// part that is damaged or from another sweep is run again.
func (d *SweepDir) Todo(shard, shards int) ([]sweep.Point, error) {
	if shards < 1 || shard < 0 || shard >= shards {
		return nil, fmt.Errorf("output: shard %d of %d", shard, shards)
	}
	var todo []sweep.Point
	for _, p := range d.man.Points {
		if p.ID%shards != shard {
			continue
		}
		if _, err := readPart(d.man, d.dir, p.ID); err == nil {
			continue // done by an earlier run
		}
		todo = append(todo, p)
	}
	return todo, nil
}

// WritePart writes point p's replications as its part file, under a
// temporary name then renamed, so a killed run leaves no half-written
// part. Parts of different points may be written at once.
func (d *SweepDir) WritePart(p sweep.Point, l *result.Layout, rs []*result.Result) error {
	if len(l.Metrics) != len(d.man.Metrics) {
		return fmt.Errorf("point %d reports %d metrics, not the sweep's %d: its parameters change the model's structure", p.ID, len(l.Metrics), len(d.man.Metrics))
	}
	for i, mi := range l.Metrics {
		if mi.Name != d.man.Metrics[i] {
			return fmt.Errorf("point %d reports %s where the sweep has %s: its parameters change the model's structure", p.ID, mi.Name, d.man.Metrics[i])
		}
	}
	return WriteFileAtomic(filepath.Join(d.dir, sweepParts, partName(p.ID)), encodePart(d.man, p.ID, partRows(p, rs)))
}

// PointsDone counts the points of man whose finished parts dir holds.
func PointsDone(man *SweepManifest, dir string) int {
	n := 0
	for _, p := range man.Points {
		if _, err := readPart(man, dir, p.ID); err == nil {
			n++
		}
	}
	return n
}

// openSweepDir prepares dir for the sweep man and locks it: a new
// directory gets a marker and man as its sweep.json; an existing one must
// be a sweep directory journeysim wrote and hold this very sweep, unless
// force, which empties it first. The shards of one sweep may share a
// directory, so each holds a shared lock; force takes it alone, and so
// refuses while any other sweep runs there.
func openSweepDir(man *SweepManifest, dir string, force bool) (unlock func(), err error) {
	data, err := man.encode()
	if err != nil {
		return nil, err
	}
	m, _, err := ownDir(dir, KindSweep, true)
	if err != nil {
		return nil, err
	}
	if m == nil {
		if err := makeOwned(dir, &dirMark{Journeysim: KindSweep, Patterns: sweepPatterns}); err != nil {
			return nil, err
		}
	}
	unlock, err = lockDir(dir, force)
	if err != nil {
		return nil, err
	}
	if force {
		if err := removeOwned(dir, true); err != nil {
			unlock()
			return nil, err
		}
	}
	path := filepath.Join(dir, sweepManifest)
	old, err := os.ReadFile(path)
	switch {
	case errors.Is(err, os.ErrNotExist):
		err = WriteFileAtomic(path, data)
	case err != nil:
		err = fmt.Errorf("output: %w", err)
	case !bytes.Equal(old, data):
		err = fmt.Errorf("%s holds another sweep (its %s differs: another scenario, scenario file contents, overrides, seed, replications, design or version): use another --out, the same arguments to resume it, or --force to start afresh", dir, sweepManifest)
	}
	if err != nil {
		unlock()
		return nil, err
	}
	return unlock, nil
}

// partRows is one point's rows of results.csv: point, replication, then
// each metric's value. The parameters are points.csv's, once a point.
func partRows(p sweep.Point, rs []*result.Result) []byte {
	var b bytes.Buffer
	w := newCSVWriter(&b)
	var row []string
	for rep, r := range rs {
		row = append(row[:0], strconv.Itoa(p.ID), strconv.Itoa(rep))
		for _, v := range r.Values {
			row = append(row, csvFloat(v))
		}
		w.Write(row)
	}
	w.Flush()
	return b.Bytes()
}

// readManifest reads and checks dir's sweep.json.
func readManifest(dir string) (*SweepManifest, error) {
	p := filepath.Join(dir, sweepManifest)
	data, err := readBounded(p, 256<<20)
	if err != nil {
		return nil, fmt.Errorf("%s is not a sweep directory: %w", dir, err)
	}
	var m SweepManifest
	if err := json.Unmarshal(data, &m); err != nil {
		return nil, fmt.Errorf("%s: %w", p, err)
	}
	if err := m.check(); err != nil {
		return nil, fmt.Errorf("%s is not a sweep journeysim wrote: %w", p, err)
	}
	return &m, nil
}

// MergeSweep joins the parts of the shards in dirs into results.csv and
// points.csv in out. Every directory must hold the same sweep, every point
// must be in exactly one finished part, and out must be one of dirs, a new
// or empty directory, the parent of the shards, or a directory that holds
// this same sweep; otherwise nothing is written. It stops, leaving nothing
// half-written, when ctx is done.
func MergeSweep(ctx context.Context, dirs []string, out string) error {
	if len(dirs) == 0 {
		return errors.New("merge: no directories")
	}
	var man *SweepManifest
	for _, d := range dirs {
		m, err := readManifest(d)
		if err != nil {
			return fmt.Errorf("merge: %w", err)
		}
		if man == nil {
			man = m
		} else if !reflect.DeepEqual(*man, *m) {
			return fmt.Errorf("merge: %s holds a different sweep from %s (their %s differ)", d, dirs[0], sweepManifest)
		}
	}
	inside := slices.ContainsFunc(dirs, func(d string) bool { return SameFile(d, out) })
	if !inside {
		m, _, err := ownDir(out, KindSweep, true)
		if err != nil {
			return fmt.Errorf("merge: %w", err)
		}
		if m != nil {
			if o, err := readManifest(out); err == nil && !reflect.DeepEqual(*o, *man) {
				return fmt.Errorf("merge: %s holds another sweep: choose another --out", out)
			}
		} else if err := makeOwned(out, &dirMark{Journeysim: KindSweep, Patterns: sweepPatterns}); err != nil {
			return err
		}
	}
	unlock, err := lockDir(out, true)
	if err != nil {
		return fmt.Errorf("merge: %w", err)
	}
	defer unlock()
	for _, d := range dirs {
		if SameFile(d, out) {
			continue
		}
		u, err := lockDir(d, true) // no shard may be running there
		if err != nil {
			return fmt.Errorf("merge: %w", err)
		}
		defer u()
	}
	where := make([]string, len(man.Points))
	var missing []int
	for _, p := range man.Points {
		for _, d := range dirs {
			if _, err := os.Lstat(filepath.Join(d, sweepParts, partName(p.ID))); err != nil {
				continue
			}
			if _, err := readPart(man, d, p.ID); err != nil {
				return fmt.Errorf("merge: %v: run the sweep again with the same arguments to recompute it", err)
			}
			if where[p.ID] != "" && !SameFile(where[p.ID], d) {
				return fmt.Errorf("merge: point %d is in both %s and %s", p.ID, where[p.ID], d)
			}
			where[p.ID] = d
		}
		if where[p.ID] == "" {
			missing = append(missing, p.ID)
		}
	}
	if len(missing) > 0 {
		return fmt.Errorf("merge: %d of %d points are missing (the first: %v): run their shards again", len(missing), len(man.Points), missing[:min(len(missing), 10)])
	}
	err = WriteFileStream(filepath.Join(out, sweepResults), func(w io.Writer) error {
		cw := newCSVWriter(w)
		cw.Write(append([]string{"point", "replication"}, man.Metrics...))
		cw.Flush()
		if err := cw.Error(); err != nil {
			return err
		}
		for _, p := range man.Points {
			if err := ctx.Err(); err != nil {
				return err
			}
			rows, err := readPart(man, where[p.ID], p.ID)
			if err != nil {
				return err
			}
			if _, err := w.Write(rows); err != nil {
				return err
			}
		}
		return nil
	})
	if err != nil {
		return err
	}
	// The merged directory describes its sweep too (journeysim sensitivity
	// reads the design from it).
	if !inside {
		data, err := man.encode()
		if err != nil {
			return err
		}
		if err := WriteFileAtomic(filepath.Join(out, sweepManifest), data); err != nil {
			return err
		}
	}
	err = WriteFileStream(filepath.Join(out, sweepMetrics), func(w io.Writer) error {
		cw := newCSVWriter(w)
		cw.Write([]string{"metric", "unit"})
		for i, m := range man.Metrics {
			cw.Write([]string{m, man.Units[i]})
		}
		cw.Flush()
		return cw.Error()
	})
	if err != nil {
		return err
	}
	return WriteFileStream(filepath.Join(out, sweepPoints), func(w io.Writer) error {
		cw := newCSVWriter(w)
		cw.Write(append(append([]string{"point"}, man.Params...), "seed", "command"))
		for _, p := range man.Points {
			seed, cmd := man.PointCommand(p)
			cw.Write(append(append([]string{strconv.Itoa(p.ID)}, p.Values...), strconv.FormatUint(seed, 10), cmd))
		}
		cw.Flush()
		return cw.Error()
	})
}

// PointCommand is point p's seed and the journeysim run command that
// reproduces its replications, value for value: the sweep's scenario and
// overrides, the point's values, and the point's own seed.
func (man *SweepManifest) PointCommand(p sweep.Point) (uint64, string) {
	seed := sweep.PointSeed(man.Seed, p.ID)
	args := []string{"journeysim", "run", shellQuote(man.Scenario), "--seed", strconv.FormatUint(seed, 10)}
	flags := map[string]string{"run.replications": "--replications", "run.warmup": "--warmup", "run.horizon": "--horizon"}
	for _, s := range append(slices.Clone(man.Sets), man.Plan.Sets(p)...) {
		k, v, _ := strings.Cut(s, "=")
		switch {
		case k == "run.seed":
			continue // the point's seed is its own
		case flags[k] != "":
			if u, err := strconv.Unquote(v); err == nil {
				v = u
			}
			args = append(args, flags[k], shellQuote(v))
		default:
			args = append(args, "--set", shellQuote(s))
		}
	}
	return seed, strings.Join(append(args, "--out", fmt.Sprintf("point-%d", p.ID)), " ")
}

// shellQuote quotes s for a POSIX shell when it needs it.
func shellQuote(s string) string {
	if s != "" && strings.Trim(s, "abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789_-.,:/=[]+@") == "" {
		return s
	}
	return "'" + strings.ReplaceAll(s, "'", `'\''`) + "'"
}

// SameFile reports whether a and b name one existing file or directory.
func SameFile(a, b string) bool {
	fa, err1 := os.Stat(a)
	fb, err2 := os.Stat(b)
	return err1 == nil && err2 == nil && os.SameFile(fa, fb)
}

// readBounded reads a regular file of at most limit bytes.
func readBounded(path string, limit int64) ([]byte, error) {
	fi, err := os.Lstat(path)
	if err != nil {
		return nil, err
	}
	if !fi.Mode().IsRegular() {
		return nil, fmt.Errorf("%s is not a regular file", path)
	}
	if fi.Size() > limit {
		return nil, fmt.Errorf("%s is %d MiB, over the %d MiB a file of this kind may be", path, fi.Size()>>20, limit>>20)
	}
	f, err := os.Open(path)
	if err != nil {
		return nil, err
	}
	defer f.Close()
	return io.ReadAll(io.LimitReader(f, limit+1))
}
