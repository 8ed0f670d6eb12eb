package output

import (
	"bufio"
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"io/fs"
	"math"
	"os"
	"path/filepath"
	"sort"
	"strconv"

	"github.com/journeysim/journeysim/models/result"
	"github.com/journeysim/journeysim/models/steady"
)

// Meta describes a run for the result files. WallSeconds is the only field
// that differs between two runs of the same scenario, seed and version.
type Meta struct {
	Scenario     string  `json:"scenario"`
	Name         string  `json:"name"`
	File         string  `json:"file"`
	Seed         uint64  `json:"seed"`
	Version      string  `json:"version"`
	Replications int     `json:"replications"`
	WarmupDays   float64 `json:"warmup_days"`
	HorizonDays  float64 `json:"horizon_days"`
	WallSeconds  float64 `json:"wall_seconds"`
	// Warnings are what in the scenario is legal but most likely not what
	// was meant (a cut that rounds to no change), each with file and key.
	Warnings []string `json:"warnings,omitempty"`
	// Services are the services a planner must look at: full, with a
	// waiting list that grows, or losing people while they wait.
	Services []steady.Warning `json:"service_warnings,omitempty"`
	// Steady says whether the measured period is a steady state; nil when
	// it was not measured (a run read back from its files).
	Steady *steady.Report `json:"steady_state,omitempty"`
}

// jsonNumber is a float that encodes NaN and infinities as null: a metric
// with no data says so instead of writing an invalid number.
type jsonNumber float64

func (x jsonNumber) MarshalJSON() ([]byte, error) {
	f := float64(x)
	if math.IsNaN(f) || math.IsInf(f, 0) {
		return []byte("null"), nil
	}
	return []byte(strconv.FormatFloat(f, 'g', -1, 64)), nil
}

type jsonMetric struct {
	Mean   jsonNumber `json:"mean"`
	CILow  jsonNumber `json:"ci_low"`
	CIHigh jsonNumber `json:"ci_high"`
	Unit   string     `json:"unit"`
	N      int        `json:"n"`
	Label  string     `json:"label"`
}

// orderedMetrics encodes metrics as a JSON object in the model's metric
// order (encoding/json would sort map keys; the order is part of the file).
type orderedMetrics []Summary

func (o orderedMetrics) MarshalJSON() ([]byte, error) {
	buf := []byte{'{'}
	for i, s := range o {
		if i > 0 {
			buf = append(buf, ',')
		}
		k, _ := json.Marshal(s.Name)
		v, err := json.Marshal(jsonMetric{Mean: jsonNumber(s.Mean), CILow: jsonNumber(s.CILow),
			CIHigh: jsonNumber(s.CIHigh), Unit: s.Unit, N: s.N, Label: s.Label})
		if err != nil {
			return nil, err
		}
		buf = append(append(append(buf, k...), ':'), v...)
	}
	return append(buf, '}'), nil
}

// WriteSummaryJSON writes summary.json: the run's description and every
// metric's mean and 95% CI.
func WriteSummaryJSON(w io.Writer, meta Meta, ss []Summary) error {
	doc := struct {
		Meta
		Metrics orderedMetrics `json:"metrics"`
	}{meta, orderedMetrics(ss)}
	enc := json.NewEncoder(w)
	enc.SetIndent("", "  ")
	return enc.Encode(doc)
}

// csvFloat renders a number for CSV: empty when there is no data.
func csvFloat(x float64) string {
	if math.IsNaN(x) || math.IsInf(x, 0) {
		return ""
	}
	return strconv.FormatFloat(x, 'g', -1, 64)
}

// WriteSummaryCSV writes summary.csv: one row per metric. An empty mean
// means the metric had no data in any replication.
func WriteSummaryCSV(w io.Writer, ss []Summary) error {
	cw := newCSVWriter(w)
	cw.Write([]string{"metric", "mean", "ci_low", "ci_high", "unit", "n", "description", "label"})
	for _, s := range ss {
		desc := s.Description
		if csvFloat(s.Mean) == "" {
			desc += " (no data in any replication: the values are left empty)"
		}
		cw.Write([]string{s.Name, csvFloat(s.Mean), csvFloat(s.CILow), csvFloat(s.CIHigh), s.Unit, strconv.Itoa(s.N), desc, s.Label})
	}
	cw.Flush()
	return cw.Error()
}

// WriteReplicationsCSV writes replications.csv: every metric of every
// replication, in long format.
func WriteReplicationsCSV(w io.Writer, m *result.Layout, rs []*result.Result) error {
	cw := newCSVWriter(w)
	cw.Write([]string{"replication", "metric", "value", "unit"})
	infos := m.Metrics
	for rep, r := range rs {
		for i, info := range infos {
			cw.Write([]string{strconv.Itoa(rep), info.Name, csvFloat(r.Values[i]), info.Unit})
		}
	}
	cw.Flush()
	return cw.Error()
}

// SeriesSummary is one monthly series over replications.
type SeriesSummary struct {
	result.MetricInfo
	Month               []int
	Mean, CILow, CIHigh []float64
}

// SummarizeSeries computes, for each monthly series and month, the mean over
// replications and its 95% CI.
func SummarizeSeries(m *result.Layout, rs []*result.Result) []SeriesSummary {
	var out []SeriesSummary
	for si, info := range m.Series {
		s := SeriesSummary{MetricInfo: info}
		months := 0
		for _, r := range rs {
			months = max(months, len(r.Monthly[si]))
		}
		xs := make([]float64, 0, len(rs))
		for mo := range months {
			xs = xs[:0]
			for _, r := range rs {
				if mo < len(r.Monthly[si]) && !math.IsNaN(r.Monthly[si][mo]) {
					xs = append(xs, r.Monthly[si][mo])
				}
			}
			sm := summarize(info, xs)
			s.Month = append(s.Month, mo+1)
			s.Mean = append(s.Mean, sm.Mean)
			s.CILow = append(s.CILow, sm.CILow)
			s.CIHigh = append(s.CIHigh, sm.CIHigh)
		}
		out = append(out, s)
	}
	return out
}

// WriteTimeseriesCSV writes timeseries.csv: for each series and month after
// the warm-up, the mean over replications and its 95% CI.
func WriteTimeseriesCSV(w io.Writer, series []SeriesSummary) error {
	cw := newCSVWriter(w)
	cw.Write([]string{"series", "month", "mean", "ci_low", "ci_high", "unit"})
	for _, s := range series {
		for i, mo := range s.Month {
			cw.Write([]string{s.Name, strconv.Itoa(mo), csvFloat(s.Mean[i]), csvFloat(s.CILow[i]), csvFloat(s.CIHigh[i]), s.Unit})
		}
	}
	cw.Flush()
	return cw.Error()
}

// Bundle collects the files of one result directory in memory, so that
// nothing is written until everything has been made.
type Bundle struct {
	files map[string][]byte
	// streams are files too large to hold in memory (a trace), written
	// only when the bundle is.
	streams map[string]func(io.Writer) error
}

// AddStream adds a file that write makes when the bundle is written, so
// that it is never held in memory whole.
func (b *Bundle) AddStream(name string, write func(io.Writer) error) {
	if b.streams == nil {
		b.streams = map[string]func(io.Writer) error{}
	}
	b.streams[name] = write
}

// Add stores a file of the bundle, made by write.
func (b *Bundle) Add(name string, write func(io.Writer) error) error {
	var buf bytes.Buffer
	if err := write(&buf); err != nil {
		return fmt.Errorf("output: %s: %w", name, err)
	}
	if b.files == nil {
		b.files = map[string][]byte{}
	}
	b.files[name] = buf.Bytes()
	return nil
}

// Names returns the bundle's file names, sorted.
func (b *Bundle) Names() []string {
	names := make([]string, 0, len(b.files)+len(b.streams))
	for n := range b.files {
		names = append(names, n)
	}
	for n := range b.streams {
		names = append(names, n)
	}
	sort.Strings(names)
	return names
}

// ErrExists is returned by WriteDir when the directory exists and force is false.
var ErrExists = errors.New("output: directory exists")

// WriteDir writes the bundle as the directory dir, a directory of kind. It
// writes everything into a temporary directory beside dir and renames it
// into place when complete, so a reader never sees a half-written result.
// An existing dir is replaced only if force is true, and only if it is a
// directory of kind that journeysim wrote and holds nothing else
// (CheckReplace).
func (b *Bundle) WriteDir(dir, kind string, force bool) error {
	dir = filepath.Clean(dir)
	if err := CheckReplace(dir, kind, force); err != nil {
		return err
	}
	parent := filepath.Dir(dir)
	if err := os.MkdirAll(parent, 0o755); err != nil {
		return fmt.Errorf("output: %w", err)
	}
	tmp, err := os.MkdirTemp(parent, "."+filepath.Base(dir)+".tmp-")
	if err != nil {
		return fmt.Errorf("output: %w", err)
	}
	temporaries.Store(tmp, true)
	defer func() {
		os.RemoveAll(tmp) // gone after the rename; cleans up on failure
		temporaries.Delete(tmp)
	}()
	for _, name := range b.Names() {
		p := filepath.Join(tmp, name)
		if err := os.MkdirAll(filepath.Dir(p), 0o755); err != nil {
			return fmt.Errorf("output: %w", err)
		}
		if write, ok := b.streams[name]; ok {
			if err := WriteFileStream(p, write); err != nil {
				return fmt.Errorf("output: %s: %w", name, err)
			}
			continue
		}
		if err := os.WriteFile(p, b.files[name], 0o644); err != nil {
			return fmt.Errorf("output: %w", err)
		}
	}
	if err := writeMark(tmp, &dirMark{Journeysim: kind, Files: b.Names()}); err != nil {
		return err
	}
	if err := os.Chmod(tmp, 0o755); err != nil {
		return fmt.Errorf("output: %w", err)
	}
	if fi, err := os.Lstat(dir); err == nil && fi.IsDir() {
		m, err := readMark(dir)
		if err != nil {
			return err
		}
		if m == nil {
			// Empty when checked: only an empty directory goes.
			if err := os.Remove(dir); err != nil {
				return fmt.Errorf("output: replacing %s: %w", dir, err)
			}
		} else {
			old := tmp + ".old"
			if err := os.Rename(dir, old); err != nil {
				return fmt.Errorf("output: replacing %s: %w", dir, err)
			}
			defer removeOwned(old, false)
		}
	}
	if err := os.Rename(tmp, dir); err != nil {
		return fmt.Errorf("output: %w", err)
	}
	return nil
}

// WriteFilesInto writes each file of the bundle into dir, each through a
// temporary file and a rename, and adds them to dir's marker; the
// directory's other files stay. A new dir is made as a directory of kind;
// an existing one must be journeysim's and hold nothing else, so a file
// of the bundle replaces only one journeysim wrote.
func (b *Bundle) WriteFilesInto(dir, kind string) error {
	m, _, err := ownDir(dir, "", true)
	if err != nil {
		return err
	}
	if m == nil {
		m = &dirMark{Journeysim: kind}
		if err := makeOwned(dir, m); err != nil {
			return err
		}
	}
	unlock, err := lockDir(dir, true)
	if err != nil {
		return err
	}
	defer unlock()
	// The marker first: a write stopped half-way leaves files it names.
	m.Files = append(m.Files, b.Names()...)
	if err := writeMark(dir, m); err != nil {
		return err
	}
	for _, name := range b.Names() {
		write := b.streams[name]
		if write == nil {
			data := b.files[name]
			write = func(w io.Writer) error { _, err := w.Write(data); return err }
		}
		if err := WriteFileStream(filepath.Join(dir, name), write); err != nil {
			return err
		}
	}
	return nil
}

// WriteFileAtomic writes data to path through a temporary file in the same
// directory and a rename.
func WriteFileAtomic(path string, data []byte) error {
	return WriteFileStream(path, func(w io.Writer) error {
		_, err := w.Write(data)
		return err
	})
}

// WriteFileStream is WriteFileAtomic for a file too large to hold in
// memory: write streams it into the temporary file.
func WriteFileStream(path string, write func(io.Writer) error) error {
	if err := os.MkdirAll(filepath.Dir(path), 0o755); err != nil {
		return fmt.Errorf("output: %w", err)
	}
	f, err := os.CreateTemp(filepath.Dir(path), "."+filepath.Base(path)+".tmp-*")
	if err != nil {
		return fmt.Errorf("output: %w", err)
	}
	tmp := f.Name()
	temporaries.Store(tmp, true)
	defer temporaries.Delete(tmp)
	bw := bufio.NewWriter(f)
	err = write(bw)
	if err == nil {
		err = bw.Flush()
	}
	if cerr := f.Close(); err == nil {
		err = cerr
	}
	if err == nil {
		err = os.Chmod(tmp, 0o644)
	}
	if err == nil {
		err = os.Rename(tmp, path)
	}
	if err != nil {
		os.Remove(tmp)
		return fmt.Errorf("output: writing %s: %w", path, err)
	}
	return nil
}

// Merge adds every file of o to b under prefix (a folder, as "base/").
func (b *Bundle) Merge(prefix string, o *Bundle) error {
	if b.files == nil {
		b.files = map[string][]byte{}
	}
	for name, data := range o.files {
		b.files[prefix+name] = data
	}
	for name, write := range o.streams {
		b.AddStream(prefix+name, write)
	}
	return nil
}

// CheckWriteFile refuses, before any work, to write the file path unless
// it is new, or a file this user wrote with a first line that starts with
// header (a file journeysim made) and force is set; and never a symbolic
// link, a directory or anything else, nor any of reads, the files the
// command reads.
func CheckWriteFile(path, header string, force bool, reads ...string) error {
	for _, r := range reads {
		if SameFile(path, r) {
			return fmt.Errorf("%w: %s is a file this command reads (%s): write elsewhere", ErrNotOurs, path, r)
		}
	}
	fi, err := os.Lstat(path)
	switch {
	case errors.Is(err, fs.ErrNotExist):
		return nil
	case err != nil:
		return fmt.Errorf("output: %w", err)
	case fi.Mode()&fs.ModeSymlink != 0:
		return fmt.Errorf("%w: %s is a symbolic link: name the file itself", ErrNotOurs, path)
	case fi.IsDir():
		return fmt.Errorf("%w: %s is a directory: name a file", ErrNotOurs, path)
	case !fi.Mode().IsRegular():
		return fmt.Errorf("%w: %s is not a regular file", ErrNotOurs, path)
	}
	f, err := os.Open(path)
	if err != nil {
		return fmt.Errorf("output: %w", err)
	}
	first := make([]byte, len(header))
	n, _ := io.ReadFull(f, first)
	f.Close()
	if !ownedByMe(fi) || string(first[:n]) != header {
		return fmt.Errorf("%w: %s exists and journeysim did not write it: choose another name", ErrNotOurs, path)
	}
	if !force {
		return fmt.Errorf("%w: %s (use --force to replace it, or --out to write elsewhere)", ErrExists, path)
	}
	return nil
}
