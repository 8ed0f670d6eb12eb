package output

import (
	"bytes"
	"context"
	"encoding/csv"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"io/fs"
	"os"
	"path/filepath"
	"reflect"
	"slices"
	"strconv"

	"github.com/journeysim/journeysim/models"
	"github.com/journeysim/journeysim/sim"
)

// SweepManifest describes a sweep: what any shard of it must agree on. It
// is written as sweep.json in every directory a shard writes to.
type SweepManifest struct {
	Scenario     string   `json:"scenario"`
	Sets         []string `json:"sets"`
	Seed         uint64   `json:"seed"`
	Replications int      `json:"replications"`
	Version      string   `json:"version"`
	// Money is the currency and price year of the sweep's costs, if any.
	Money string `json:"money,omitempty"`
	models.SweepPlan
}

// Sweep layout: sweep.json, one file per finished point in parts/, and
// after a merge results.csv and points.csv.
const (
	sweepManifest = "sweep.json"
	sweepParts    = "parts"
	sweepResults  = "results.csv"
	sweepPoints   = "points.csv"
)

func partName(id int) string { return fmt.Sprintf("point-%08d.csv", id) }

// RunSweepShard runs the points of shard (of shards) that dir does not hold
// yet, writes each as a part file when it is complete (under a temporary
// name, then renamed, so a killed run leaves no half-written part), and
// returns how many it ran. A directory that holds another sweep is an error.
// Points run on workers at once, each point's replications in turn; results
// do not depend on workers.
func RunSweepShard(ctx context.Context, man *SweepManifest, dir string, shard, shards, workers int, progress func(done, total int)) (int, error) {
	if shards < 1 || shard < 0 || shard >= shards {
		return 0, fmt.Errorf("output: shard %d of %d", shard, shards)
	}
	if err := openSweepDir(man, dir); err != nil {
		return 0, err
	}
	var todo []models.SweepPoint
	for _, p := range man.Points {
		if p.ID%shards != shard {
			continue
		}
		if _, err := os.Stat(filepath.Join(dir, sweepParts, partName(p.ID))); err == nil {
			continue // done by an earlier run
		}
		todo = append(todo, p)
	}
	done := 0
	_, err := sim.Replicate(ctx, len(todo), workers, func(ctx context.Context, i int) (struct{}, error) {
		p := todo[i]
		m, rs, err := man.RunPoint(ctx, man.Scenario, man.Sets, p, man.Seed, man.Replications)
		if err != nil {
			return struct{}{}, err
		}
		return struct{}{}, WriteFileAtomic(filepath.Join(dir, sweepParts, partName(p.ID)), partRows(m, p, rs))
	}, func(n int) {
		done = n
		if progress != nil {
			progress(n, len(todo))
		}
	})
	return done, err
}

// PointsDone counts the points of man whose results dir holds.
func PointsDone(man *SweepManifest, dir string) (int, error) {
	n := 0
	for _, p := range man.Points {
		if _, err := os.Stat(filepath.Join(dir, sweepParts, partName(p.ID))); err == nil {
			n++
		} else if !errors.Is(err, fs.ErrNotExist) {
			return n, err
		}
	}
	return n, nil
}

// openSweepDir writes man as dir's sweep.json, or checks that the one there
// is the same sweep.
func openSweepDir(man *SweepManifest, dir string) error {
	data, err := json.MarshalIndent(man, "", "  ")
	if err != nil {
		return err
	}
	data = append(data, '\n')
	path := filepath.Join(dir, sweepManifest)
	old, err := os.ReadFile(path)
	switch {
	case errors.Is(err, os.ErrNotExist):
		return WriteFileAtomic(path, data)
	case err != nil:
		return fmt.Errorf("output: %w", err)
	case !bytes.Equal(old, data):
		return fmt.Errorf("%s holds another sweep (its %s differs): use another --out, the same arguments to resume it, or --force to start afresh", dir, sweepManifest)
	}
	return nil
}

// partRows is one point's rows of results.csv: point, the parameter
// values, replication, metric, value.
func partRows(m *models.Model, p models.SweepPoint, rs []*models.Result) []byte {
	var b bytes.Buffer
	w := csv.NewWriter(&b)
	row := make([]string, 0, len(p.Values)+4)
	for rep, r := range rs {
		for k, mi := range m.Metrics() {
			row = append(row[:0], strconv.Itoa(p.ID))
			row = append(row, p.Values...)
			row = append(row, strconv.Itoa(rep), mi.Name, csvFloat(r.Values[k]))
			w.Write(row)
		}
	}
	w.Flush()
	return b.Bytes()
}

// MergeSweep joins the parts of the shards in dirs into results.csv and
// points.csv in out. Every directory must hold the same sweep, and every
// point must be in exactly one part; otherwise nothing is written.
func MergeSweep(dirs []string, out string) error {
	if len(dirs) == 0 {
		return errors.New("merge: no directories")
	}
	var man *SweepManifest
	for _, d := range dirs {
		data, err := os.ReadFile(filepath.Join(d, sweepManifest))
		if err != nil {
			return fmt.Errorf("merge: %s is not a sweep directory: %w", d, err)
		}
		var m SweepManifest
		if err := json.Unmarshal(data, &m); err != nil {
			return fmt.Errorf("merge: %s: %w", filepath.Join(d, sweepManifest), err)
		}
		if man == nil {
			man = &m
		} else if !reflect.DeepEqual(*man, m) {
			return fmt.Errorf("merge: %s holds a different sweep from %s", d, dirs[0])
		}
	}
	where := make([]string, len(man.Points))
	var missing []int
	for _, p := range man.Points {
		for _, d := range dirs {
			if _, err := os.Stat(filepath.Join(d, sweepParts, partName(p.ID))); err != nil {
				continue
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
	err := WriteFileStream(filepath.Join(out, sweepResults), func(w io.Writer) error {
		cw := csv.NewWriter(w)
		cw.Write(append(append([]string{"point"}, man.Params...), "replication", "metric", "value"))
		cw.Flush()
		if err := cw.Error(); err != nil {
			return err
		}
		for _, p := range man.Points {
			data, err := os.ReadFile(filepath.Join(where[p.ID], sweepParts, partName(p.ID)))
			if err != nil {
				return err
			}
			if _, err := w.Write(data); err != nil {
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
	if !slices.ContainsFunc(dirs, func(d string) bool { return SameFile(d, out) }) {
		data, err := json.MarshalIndent(man, "", "  ")
		if err != nil {
			return err
		}
		if err := WriteFileAtomic(filepath.Join(out, sweepManifest), append(data, '\n')); err != nil {
			return err
		}
	}
	return WriteFileStream(filepath.Join(out, sweepPoints), func(w io.Writer) error {
		cw := csv.NewWriter(w)
		cw.Write(append([]string{"point"}, man.Params...))
		for _, p := range man.Points {
			cw.Write(append([]string{strconv.Itoa(p.ID)}, p.Values...))
		}
		cw.Flush()
		return cw.Error()
	})
}

// SameFile reports whether a and b name one existing file or directory.
func SameFile(a, b string) bool {
	fa, err1 := os.Stat(a)
	fb, err2 := os.Stat(b)
	return err1 == nil && err2 == nil && os.SameFile(fa, fb)
}
