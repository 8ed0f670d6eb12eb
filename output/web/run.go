package web

import (
	"bytes"
	"context"
	"errors"
	"html/template"
	"math"
	"net/http"
	"path/filepath"
	"sync"
	"time"

	"github.com/journeysim/journeysim/models"
	"github.com/journeysim/journeysim/models/scenario"
	"github.com/journeysim/journeysim/output"
)

// stem names the what-if's files in its bundle, as compare names an
// alternative's: differences-what-if.csv.
const stem = "what-if"

// A job is the what-if running, or the last one run.
type job struct {
	cancel  context.CancelFunc
	state   string // running, done, failed or cancelled
	phase   string // what is running, in words
	done    int
	total   int
	started time.Time
	took    time.Duration
	err     string
	res     *answer
}

// An answer is a what-if run to the end: its file and what the page shows.
type answer struct {
	wi        *whatIf
	base, alt output.Run
	page      *output.Page
	bundle    *output.Bundle // the comparison's files, but for the report
	html      template.HTML
	took      time.Duration
	saved     string // the file it was saved as, if it was

	reportOnce sync.Once
	report     []byte // made when first downloaded
	reportErr  error
}

// A baseRun is a base's replications, kept for the next what-if on the
// same base: replications depend only on the scenario as loaded, so the
// fingerprint says when they can be reused.
type baseRun struct {
	fingerprint string
	run         output.Run
}

func (s *Server) handleRun(w http.ResponseWriter, r *http.Request) {
	wi, err := s.prepare(w, r)
	if err != nil {
		writeProblems(w, err, filepath.Join(s.dir, unsavedName))
		return
	}
	bm, err := models.Build(wi.Base.Scenario)
	if err == nil {
		var am *models.Model
		if am, err = models.Build(wi.Scenario); err == nil {
			s.mu.Lock()
			defer s.mu.Unlock()
			if s.job != nil && s.job.state == "running" {
				writeError(w, http.StatusConflict, "a what-if is running: wait for its answer, or cancel it")
				return
			}
			ctx, cancel := context.WithCancel(context.Background())
			s.job = &job{cancel: cancel, state: "running", phase: "starting", started: time.Now()}
			go s.work(ctx, s.job, wi, bm, am)
			writeJSON(w, http.StatusAccepted, map[string]string{"state": "running"})
			return
		}
	}
	writeProblems(w, err, "")
}

// work runs the base (unless its run is kept) and the what-if on common
// random numbers, then makes the comparison's files and page.
func (s *Server) work(ctx context.Context, j *job, wi *whatIf, bm, am *models.Model) {
	defer j.cancel()
	ans, err := s.answer(ctx, j, wi, bm, am)
	s.mu.Lock()
	defer s.mu.Unlock()
	j.took = time.Since(j.started)
	switch {
	case err == nil:
		ans.took = j.took
		j.state, j.res = "done", ans
	case ctx.Err() != nil:
		j.state = "cancelled"
	default:
		j.state, j.err = "failed", err.Error()
	}
}

func (s *Server) answer(ctx context.Context, j *job, wi *whatIf, bm, am *models.Model) (*answer, error) {
	bsc := wi.Base.Scenario
	s.mu.Lock()
	kept := s.last
	s.mu.Unlock()
	var br output.Run
	if kept != nil && kept.fingerprint == bsc.Fingerprint() {
		br = kept.run
	} else {
		s.setPhase(j, "Running "+bsc.Name, bsc.Replications())
		var err error
		if br, err = s.run(ctx, wi.Base.Ref, bsc, bm, s.progress(j)); err != nil {
			return nil, err
		}
		s.mu.Lock()
		s.last = &baseRun{fingerprint: bsc.Fingerprint(), run: br}
		s.mu.Unlock()
	}
	s.setPhase(j, "Running the what-if", wi.Scenario.Replications())
	ar, err := s.run(ctx, stem, wi.Scenario, am, s.progress(j))
	if err != nil {
		return nil, err
	}
	s.setPhase(j, "Writing the answer", 0)
	bundle := &output.Bundle{}
	page, err := output.AddWhatIf(bundle, br, ar, stem, output.ComparisonOptions{Plots: output.SVG, Machine: s.machine})
	if err != nil {
		return nil, err
	}
	ans := &answer{wi: wi, base: br, alt: ar, page: page, bundle: bundle}
	var b bytes.Buffer
	if err := resultTemplate.Execute(&b, resultView{Page: page, Meta: ar.Meta, Changes: wi.Changes,
		Warmup: scenario.FormatDays(ar.Meta.WarmupDays), Horizon: scenario.FormatDays(ar.Meta.HorizonDays)}); err != nil {
		return nil, err
	}
	ans.html = template.HTML(b.String()) // made by html/template: escaped
	return ans, nil
}

func (s *Server) setPhase(j *job, phase string, total int) {
	s.mu.Lock()
	j.phase, j.done, j.total = phase, 0, total
	s.mu.Unlock()
}

func (s *Server) progress(j *job) func(int) {
	return func(done int) {
		s.mu.Lock()
		j.done = done
		s.mu.Unlock()
	}
}

// resultView is what the answer's template shows.
type resultView struct {
	Page            *output.Page
	Meta            output.Meta
	Warmup, Horizon string
	Changes         []change
}

func (s *Server) handleStatus(w http.ResponseWriter, r *http.Request) {
	s.mu.Lock()
	defer s.mu.Unlock()
	j := s.job
	if j == nil {
		writeJSON(w, http.StatusOK, map[string]any{"state": "idle"})
		return
	}
	took := j.took
	if j.state == "running" {
		took = time.Since(j.started)
	}
	writeJSON(w, http.StatusOK, map[string]any{"state": j.state, "phase": j.phase, "done": j.done, "total": j.total,
		"seconds": math.Round(took.Seconds()*10) / 10, "error": j.err})
}

func (s *Server) handleCancel(w http.ResponseWriter, r *http.Request) {
	s.mu.Lock()
	defer s.mu.Unlock()
	if s.job == nil || s.job.state != "running" {
		writeError(w, http.StatusConflict, "no what-if is running")
		return
	}
	s.job.cancel()
	writeJSON(w, http.StatusOK, map[string]string{"state": "cancelling"})
}

// Close cancels the what-if running, if one is.
func (s *Server) Close() {
	s.mu.Lock()
	defer s.mu.Unlock()
	if s.job != nil {
		s.job.cancel()
	}
}

// answerNow returns the last what-if's answer, if there is one.
func (s *Server) answerNow() (*answer, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	if s.job == nil || s.job.res == nil {
		return nil, errors.New("no what-if has been answered yet: run one first")
	}
	return s.job.res, nil
}

// headline is a headline difference in numbers, for whoever reads the API.
type headline struct {
	Metric     string   `json:"metric"`
	Label      string   `json:"label"`
	Base       *float64 `json:"base"`
	Alt        *float64 `json:"alt"`
	Difference *float64 `json:"difference"`
	CILow      *float64 `json:"ci_low"`
	CIHigh     *float64 `json:"ci_high"`
	Unit       string   `json:"unit"`
	Text       string   `json:"text"` // as the page shows it
}

func num(x float64) *float64 {
	if math.IsNaN(x) || math.IsInf(x, 0) {
		return nil
	}
	return &x
}

func (s *Server) handleResult(w http.ResponseWriter, r *http.Request) {
	a, err := s.answerNow()
	if err != nil {
		writeError(w, http.StatusNotFound, err.Error())
		return
	}
	var hs []headline
	for _, row := range a.page.Changes {
		for _, d := range a.page.Diffs {
			if d.Name == row.Metric {
				hs = append(hs, headline{Metric: d.Name, Label: row.Label, Base: num(d.Base.Mean), Alt: num(d.Alt.Mean),
					Difference: num(d.Diff.Mean), CILow: num(d.Diff.CILow), CIHigh: num(d.Diff.CIHigh), Unit: d.Unit, Text: row.Change})
			}
		}
	}
	writeJSON(w, http.StatusOK, map[string]any{"name": a.wi.Scenario.Name, "title": a.page.Title, "seconds": math.Round(a.took.Seconds()*10) / 10,
		"html": string(a.html), "toml": string(a.wi.Text), "base": a.wi.Base.Key, "headline": hs, "saved": a.saved})
}
