package web

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"io"
	"net/http"
	"net/http/cookiejar"
	"net/http/httptest"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"sync/atomic"
	"testing"
	"time"

	"github.com/journeysim/journeysim/models"
	"github.com/journeysim/journeysim/models/scenario"
	"github.com/journeysim/journeysim/output"
)

// small is a workspace scenario that runs in a blink: the baseline, short
// and with few replications.
const small = `name = "Small"
description = "The baseline, short and few."
base = "baseline"

[run]
replications = 4
warmup = "5y"
horizon = "2y"
`

// replicate runs a scenario as serve's runner does, without the memory check.
func replicate(ctx context.Context, ref string, sc *scenario.Scenario, m *models.Model, progress func(int)) (output.Run, error) {
	rs, err := m.Replicate(ctx, sc.Seed(), sc.Replications(), 2, progress)
	if err != nil {
		return output.Run{}, err
	}
	meta := output.Meta{Scenario: ref, Name: sc.Name, File: sc.File, Seed: sc.Seed(), Replications: sc.Replications(),
		WarmupDays: sc.Warmup(), HorizonDays: sc.Horizon()}
	return output.Run{Meta: meta, Layout: m.Layout(), Results: rs}, nil
}

// A client talks to a test server as the page does, with the cookie the
// first load sets.
type client struct {
	t   *testing.T
	srv *Server
	ts  *httptest.Server
	c   *http.Client
}

func newClient(t *testing.T, run Runner, files map[string]string) *client {
	t.Helper()
	ws := t.TempDir()
	for name, text := range files {
		if err := os.WriteFile(filepath.Join(ws, name), []byte(text), 0o644); err != nil {
			t.Fatal(err)
		}
	}
	srv, err := New(Options{Workspace: ws, Token: NewToken(), Run: run})
	if err != nil {
		t.Fatal(err)
	}
	ts := httptest.NewServer(srv)
	t.Cleanup(func() { srv.Close(); ts.Close() })
	jar, _ := cookiejar.New(nil)
	c := &client{t: t, srv: srv, ts: ts, c: &http.Client{Jar: jar}}
	resp, err := c.c.Get(ts.URL + "/?token=" + srv.Token())
	if err != nil || resp.StatusCode != http.StatusOK {
		t.Fatalf("first load: %v %v", err, resp)
	}
	resp.Body.Close()
	return c
}

// do sends a request and decodes a JSON answer into out, returning the status.
func (c *client) do(method, path string, body any, out any) int {
	c.t.Helper()
	var rd io.Reader
	if body != nil {
		b, _ := json.Marshal(body)
		rd = bytes.NewReader(b)
	}
	req, _ := http.NewRequest(method, c.ts.URL+path, rd)
	if body != nil {
		req.Header.Set("Content-Type", "application/json")
	}
	resp, err := c.c.Do(req)
	if err != nil {
		c.t.Fatal(err)
	}
	defer resp.Body.Close()
	data, _ := io.ReadAll(resp.Body)
	if out != nil {
		if p, ok := out.(*[]byte); ok {
			*p = data
		} else if err := json.Unmarshal(data, out); err != nil {
			c.t.Fatalf("%s %s: %v: %s", method, path, err, data)
		}
	}
	return resp.StatusCode
}

type status struct {
	State, Phase, Error string
	Done, Total         int
}

// wait polls the status until the what-if is no longer running.
func (c *client) wait() status {
	c.t.Helper()
	for end := time.Now().Add(time.Minute); time.Now().Before(end); time.Sleep(20 * time.Millisecond) {
		var st status
		c.do("GET", "/api/status", nil, &st)
		if st.State != "running" {
			return st
		}
	}
	c.t.Fatal("the what-if did not end in a minute")
	return status{}
}

type problems struct {
	Error    string
	Problems []problem
}

func TestToken(t *testing.T) {
	c := newClient(t, replicate, nil)
	for _, path := range []string{"/", "/api/scenarios", "/static/app.js", "/?token=wrong", "/api/status?token=" + c.srv.Token() + "x"} {
		resp, err := http.Get(c.ts.URL + path) // no cookie
		if err != nil {
			t.Fatal(err)
		}
		resp.Body.Close()
		if resp.StatusCode != http.StatusForbidden {
			t.Errorf("GET %s without the token: %d, want 403", path, resp.StatusCode)
		}
	}
	// The first load sets the cookie and sends the token out of the address.
	noFollow := &http.Client{CheckRedirect: func(*http.Request, []*http.Request) error { return http.ErrUseLastResponse }}
	resp, err := noFollow.Get(c.ts.URL + "/?token=" + c.srv.Token())
	if err != nil {
		t.Fatal(err)
	}
	resp.Body.Close()
	ck := resp.Cookies()
	if resp.StatusCode != http.StatusSeeOther || resp.Header.Get("Location") != "/" || len(ck) != 1 ||
		!ck[0].HttpOnly || ck[0].SameSite != http.SameSiteStrictMode || ck[0].Value != c.srv.Token() {
		t.Errorf("first load: %d to %q, cookies %v", resp.StatusCode, resp.Header.Get("Location"), ck)
	}
	// With the cookie: the page, with a policy that runs only its own script.
	resp, err = c.c.Get(c.ts.URL + "/")
	if err != nil {
		t.Fatal(err)
	}
	page, _ := io.ReadAll(resp.Body)
	resp.Body.Close()
	if csp := resp.Header.Get("Content-Security-Policy"); !strings.Contains(csp, "script-src 'self'") || !strings.Contains(csp, "default-src 'none'") {
		t.Errorf("Content-Security-Policy %q", csp)
	}
	if !strings.Contains(string(page), `<script src="/static/app.js"`) {
		t.Errorf("the page does not load its script:\n%s", page)
	}
	// A post that is not JSON (a form on another site) is refused.
	req, _ := http.NewRequest("POST", c.ts.URL+"/api/cancel", strings.NewReader("a=b"))
	req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
	if resp, err = c.c.Do(req); err != nil || resp.StatusCode != http.StatusUnsupportedMediaType {
		t.Errorf("a form post: %v %v", err, resp.StatusCode)
	}
}

func TestScenarioList(t *testing.T) {
	c := newClient(t, replicate, map[string]string{"small.toml": small, "bad name.toml": small, ".hidden.toml": small,
		"notes.txt": "not a scenario", "broken.toml": "name = ["})
	os.Symlink(filepath.Join(c.srv.Workspace(), "small.toml"), filepath.Join(c.srv.Workspace(), "link.toml"))
	var got struct {
		Workspace string
		Shipped   []entry
		Files     []entry
	}
	c.do("GET", "/api/scenarios", nil, &got)
	var files []string
	for _, f := range got.Files {
		files = append(files, f.ID)
	}
	if !slices.Equal(files, []string{"broken.toml", "small.toml"}) {
		t.Errorf("workspace files %v, want broken.toml and small.toml alone", files)
	}
	if got.Files[0].Problem == "" || got.Files[1].Name != "Small" {
		t.Errorf("files %+v", got.Files)
	}
	names, _ := scenario.ScenarioNames(nil)
	if len(got.Shipped) != len(names) || !slices.ContainsFunc(got.Shipped, func(e entry) bool { return e.ID == "baseline" && e.Name == "Baseline" }) {
		t.Errorf("%d shipped scenarios listed of %d: %+v", len(got.Shipped), len(names), got.Shipped)
	}
}

func TestNoPathsFromThePage(t *testing.T) {
	c := newClient(t, replicate, map[string]string{"small.toml": small})
	outside := filepath.Join(filepath.Dir(c.srv.Workspace()), "outside.toml")
	os.WriteFile(outside, []byte(small), 0o644)
	for _, id := range []string{"../outside.toml", outside, "sub/small.toml", "./small.toml", "small", "bench/../baseline", ""} {
		var p problems
		if code := c.do("GET", "/api/levers?scenario="+id, nil, &p); code != http.StatusUnprocessableEntity {
			t.Errorf("scenario %q: %d, want 422", id, code)
		}
	}
	// A key that is not a lever (here one that names a file) is refused.
	var p problems
	code := c.do("POST", "/api/check", request{Scenario: "small.toml", Changes: map[string]string{"posterior": outside}}, &p)
	if code != http.StatusUnprocessableEntity || !strings.Contains(p.Error, "not a lever") {
		t.Errorf("posterior: %d %q", code, p.Error)
	}
}

func TestControls(t *testing.T) {
	c := newClient(t, replicate, nil)
	var got struct {
		Name     string
		Controls []Control
	}
	c.do("GET", "/api/levers?scenario=day-programme", nil, &got)
	byPath := map[string]Control{}
	for _, x := range got.Controls {
		byPath[x.Path] = x
	}
	sc, err := models.Load("day-programme", nil)
	if err != nil {
		t.Fatal(err)
	}
	// Every policy and every place's capacity is a control: read from the
	// scenario, so the day programme's own place is one.
	for name := range sc.Policy {
		if _, ok := byPath["policy."+name]; !ok {
			t.Errorf("no control for policy.%s", name)
		}
	}
	for name, p := range sc.Places {
		if _, ok := byPath["places."+name+".capacity"]; !ok && p.Capacity != nil {
			t.Errorf("no control for places.%s.capacity", name)
		}
	}
	if x := byPath["places.day_programme.capacity"]; x.Kind != "number" || x.Value != "6" || x.Group != "Places" || x.Source == "" {
		t.Errorf("day programme: %+v", x)
	}
	if x := byPath["policy.residential_access"]; x.Kind != "choice" || !slices.Equal(x.Allowed, []string{"last_resort", "matched", "open"}) {
		t.Errorf("residential access: %+v", x)
	}
	if x := byPath["policy.payment_by_results"]; x.Kind != "bool" || x.Value != "false" {
		t.Errorf("payment by results: %+v", x)
	}
	if x := byPath["arrivals.per_year"]; x.Uncertainty == "" || !strings.HasPrefix(x.Source, "calibrated") {
		t.Errorf("arrivals: %+v", x)
	}
	for _, x := range got.Controls {
		if strings.HasPrefix(x.Path, "run.") || strings.Contains(x.Path, "[") {
			t.Errorf("%s is not a lever", x.Path)
		}
	}
}

// TestCheckErrors checks that bad input gets the errors check gives the
// same file, each at its lever's key.
func TestCheckErrors(t *testing.T) {
	c := newClient(t, replicate, map[string]string{"small.toml": small})
	changes := map[string]string{"places.detox.capacity": "-2", "places.community.capacity": "lots", "policy.residential_access": "never"}
	var p problems
	if code := c.do("POST", "/api/check", request{Scenario: "small.toml", Changes: changes}, &p); code != http.StatusUnprocessableEntity {
		t.Fatalf("check: %d %+v", code, p)
	}
	var keys []string
	for _, x := range p.Problems {
		keys = append(keys, x.Key)
	}
	slices.Sort(keys)
	if !slices.Equal(keys, []string{"places.community.capacity", "places.detox.capacity", "policy.residential_access"}) {
		t.Errorf("problems at %v", keys)
	}
	// The file the page made, checked as check checks it.
	b, err := c.srv.resolve("small.toml")
	if err != nil {
		t.Fatal(err)
	}
	text, _, err := makeWhatIf(b, request{Changes: changes})
	if err != nil {
		t.Fatal(err)
	}
	file := filepath.Join(c.srv.Workspace(), "bad.toml")
	os.WriteFile(file, text, 0o644)
	_, err = models.Load(file, nil)
	var want scenario.Problems
	if !errors.As(err, &want) || len(want) != len(p.Problems) {
		t.Fatalf("check: %v", err)
	}
	for i, w := range want {
		if got := p.Problems[i]; got.Key != w.Key || got.Message != w.Msg || got.Text != strings.ReplaceAll(w.String(), file, unsavedName) {
			t.Errorf("problem %d: %+v, check says %q", i, got, w)
		}
	}
	// No change at all is not a what-if.
	c.do("POST", "/api/check", request{Scenario: "small.toml", Changes: map[string]string{"places.detox.capacity": "6"}}, &p)
	if !strings.Contains(p.Error, "change a lever first") {
		t.Errorf("no change: %q", p.Error)
	}
}

// TestWhatIf runs a what-if, saves it, and runs the saved file as the
// command line does: the same differences, byte for byte.
func TestWhatIf(t *testing.T) {
	release := make(chan struct{})
	held := func(ctx context.Context, ref string, sc *scenario.Scenario, m *models.Model, progress func(int)) (output.Run, error) {
		<-release
		return replicate(ctx, ref, sc, m, progress)
	}
	c := newClient(t, held, map[string]string{"small.toml": small})
	req := request{Scenario: "small.toml", Changes: map[string]string{"places.case_management.capacity": "60", "policy.residential_access": "matched"}}
	var st status
	if code := c.do("POST", "/api/run", req, &st); code != http.StatusAccepted {
		t.Fatalf("run: %d", code)
	}
	var busy struct{ Error string }
	if code := c.do("POST", "/api/run", req, &busy); code != http.StatusConflict || !strings.Contains(busy.Error, "running") {
		t.Errorf("a second run: %d %q", code, busy.Error)
	}
	close(release)
	if st = c.wait(); st.State != "done" {
		t.Fatalf("status %+v", st)
	}
	var res struct {
		Name, Title, HTML, TOML string
		Headline                []headline
	}
	c.do("GET", "/api/result", nil, &res)
	if res.Name != "residential access: matched; Case management (sited at detox): 60 places" {
		t.Errorf("named %q", res.Name)
	}
	i := slices.IndexFunc(res.Headline, func(h headline) bool { return h.Metric == "distinct_clients_treated" })
	if i < 0 || res.Headline[i].Difference == nil || !strings.Contains(res.HTML, res.Headline[i].Text) {
		t.Fatalf("people treated: %+v", res.Headline)
	}
	for _, want := range []string{"<h2>" + res.Title, `data-metric="distinct_clients_treated"`, "<svg", "Costs and effects"} {
		if !strings.Contains(res.HTML, want) {
			t.Errorf("the answer has no %q", want)
		}
	}
	// Only the keys changed, on the base.
	for _, want := range []string{Header, `base = "small.toml"`, `compare_with = "small.toml"`,
		`places.case_management.capacity = { value = 60, source = "assumption", note = "a what-if (was 0)" }`, `policy.residential_access = "matched"`} {
		if !strings.Contains(res.TOML, want) {
			t.Errorf("the file has no %q:\n%s", want, res.TOML)
		}
	}
	if strings.Contains(res.TOML, "detox.capacity") || strings.Contains(res.TOML, "[run]") {
		t.Errorf("the file sets keys it does not change:\n%s", res.TOML)
	}

	var saved struct{ File, Path, Command string }
	if code := c.do("POST", "/api/save", saveRequest{File: "cm60"}, &saved); code != http.StatusOK {
		t.Fatalf("save: %d", code)
	}
	text, err := os.ReadFile(saved.Path)
	if err != nil || string(text) != res.TOML || filepath.Dir(saved.Path) != c.srv.Workspace() {
		t.Fatalf("saved %s: %v", saved.Path, err)
	}
	if saved.Command != "journeysim compare "+filepath.Join(c.srv.Workspace(), "small.toml")+" "+saved.Path {
		t.Errorf("command %q", saved.Command)
	}

	// The saved file, loaded and run as compare does.
	bsc, err := models.Load(filepath.Join(c.srv.Workspace(), "small.toml"), nil)
	if err != nil {
		t.Fatal(err)
	}
	asc, err := models.Load(saved.Path, bsc.Pinned(false))
	if err != nil {
		t.Fatal(err)
	}
	if a, err := c.srv.answerNow(); err != nil || asc.Fingerprint() != a.wi.Scenario.Fingerprint() {
		t.Error("the saved file loads as another scenario than the page ran")
	}
	run := func(sc *scenario.Scenario) output.Run {
		m, err := models.Build(sc)
		if err != nil {
			t.Fatal(err)
		}
		r, err := replicate(context.Background(), sc.File, sc, m, nil)
		if err != nil {
			t.Fatal(err)
		}
		return r
	}
	br, ar := run(bsc), run(asc)
	var want bytes.Buffer
	output.WriteDifferencesCSV(&want, output.Compare(br.Layout, br.Results, ar.Layout, ar.Results))
	var got []byte
	c.do("GET", "/download/what-if-changes.csv", nil, &got)
	if !bytes.Equal(got, want.Bytes()) {
		t.Errorf("the page's differences are not the saved file's:\n%s\n%s", got, want.Bytes())
	}

	var report, workbook []byte
	c.do("GET", "/download/what-if-report.html", nil, &report)
	c.do("GET", "/download/what-if.xlsx", nil, &workbook)
	if !bytes.HasPrefix(report, []byte("<!DOCTYPE html>")) || !bytes.Contains(report, []byte("Method (STRESS-DES)")) || !bytes.HasPrefix(workbook, []byte("PK")) {
		t.Errorf("downloads: report %d bytes, workbook %d", len(report), len(workbook))
	}
	if code := c.do("GET", "/download/..%2Fsmall.toml", nil, nil); code != http.StatusNotFound {
		t.Errorf("a download that is not one: %d", code)
	}
}

func TestSave(t *testing.T) {
	c := newClient(t, replicate, map[string]string{"small.toml": small, "mine.toml": "# my own file\n" + small})
	var e struct{ Error string }
	if code := c.do("POST", "/api/save", saveRequest{File: "early"}, &e); code != http.StatusConflict {
		t.Errorf("save before a run: %d %q", code, e.Error)
	}
	c.do("POST", "/api/run", request{Scenario: "small.toml", Changes: map[string]string{"places.detox.capacity": "8"}}, nil)
	if st := c.wait(); st.State != "done" {
		t.Fatal(st)
	}
	for _, name := range []string{"", "../x", "a/b", ".hidden", "x.toml", "a b", strings.Repeat("x", 65)} {
		if code := c.do("POST", "/api/save", saveRequest{File: name}, &e); code != http.StatusBadRequest {
			t.Errorf("save as %q: %d", name, code)
		}
	}
	tests := []struct {
		file    string
		replace bool
		code    int
		msg     string
	}{
		{"detox8", false, http.StatusOK, ""},
		{"detox8", false, http.StatusConflict, "tick Replace"},
		{"detox8", true, http.StatusOK, ""},
		{"mine", true, http.StatusConflict, "did not write it"},
		{"small", true, http.StatusConflict, "reads"},
	}
	for _, tt := range tests {
		code := c.do("POST", "/api/save", saveRequest{File: tt.file, Replace: tt.replace}, &e)
		if code != tt.code || !strings.Contains(e.Error, tt.msg) {
			t.Errorf("save as %s (replace %v): %d %q", tt.file, tt.replace, code, e.Error)
		}
	}
	if b, _ := os.ReadFile(filepath.Join(c.srv.Workspace(), "mine.toml")); !strings.HasPrefix(string(b), "# my own file") {
		t.Error("a file the page did not write was replaced")
	}
}

func TestCancelAndRefusal(t *testing.T) {
	started := make(chan struct{}, 1)
	var refuse atomic.Bool
	run := func(ctx context.Context, ref string, sc *scenario.Scenario, m *models.Model, progress func(int)) (output.Run, error) {
		if refuse.Load() {
			return output.Run{}, errors.New("small.toml could need 3 GB: more than 1 GB, this machine's memory")
		}
		started <- struct{}{}
		<-ctx.Done()
		return output.Run{}, ctx.Err()
	}
	c := newClient(t, run, map[string]string{"small.toml": small})
	req := request{Scenario: "small.toml", Changes: map[string]string{"places.detox.capacity": "8"}}
	var e struct{ Error string }
	if code := c.do("POST", "/api/cancel", map[string]any{}, &e); code != http.StatusConflict {
		t.Errorf("cancel with nothing running: %d", code)
	}
	c.do("POST", "/api/run", req, nil)
	<-started
	if code := c.do("POST", "/api/cancel", map[string]any{}, nil); code != http.StatusOK {
		t.Errorf("cancel: %d", code)
	}
	if st := c.wait(); st.State != "cancelled" {
		t.Errorf("after cancel: %+v", st)
	}
	refuse.Store(true)
	if code := c.do("POST", "/api/run", req, nil); code != http.StatusAccepted {
		t.Errorf("a run after a cancelled one: %d", code)
	}
	if st := c.wait(); st.State != "failed" || !strings.Contains(st.Error, "could need 3 GB") {
		t.Errorf("a refused run: %+v", st)
	}
}

// TestEscaped checks that text from a scenario reaches the page as text.
func TestEscaped(t *testing.T) {
	evil := strings.Replace(small, `name = "Small"`, `name = "<img src=x onerror=alert(1)>"`, 1)
	c := newClient(t, replicate, map[string]string{"evil.toml": evil})
	c.do("POST", "/api/run", request{Scenario: "evil.toml", Name: "<script>alert(2)</script>",
		Changes: map[string]string{"places.detox.capacity": "8"}}, nil)
	if st := c.wait(); st.State != "done" {
		t.Fatal(st)
	}
	var res struct{ HTML string }
	c.do("GET", "/api/result", nil, &res)
	if strings.Contains(res.HTML, "<img src") || strings.Contains(res.HTML, "<script") || !strings.Contains(res.HTML, "&lt;script&gt;alert(2)") {
		t.Errorf("the answer is not escaped:\n%.2000s", res.HTML)
	}
}
