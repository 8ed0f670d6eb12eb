package web

import (
	"context"
	"crypto/rand"
	"crypto/subtle"
	"embed"
	"encoding/hex"
	"encoding/json"
	"errors"
	"fmt"
	"html/template"
	"io/fs"
	"mime"
	"net/http"
	"os"
	"path/filepath"
	"regexp"
	"slices"
	"strings"
	"sync"

	"github.com/journeysim/journeysim/models"
	"github.com/journeysim/journeysim/models/scenario"
	"github.com/journeysim/journeysim/output"
)

//go:embed static result.tmpl
var assets embed.FS

var resultTemplate = template.Must(template.ParseFS(assets, "result.tmpl"))

// A Runner runs a loaded scenario's replications as `journeysim run` does,
// refusing, before it starts, a run that would not fit in memory. It
// calls progress with the number of replications done; ref names the
// scenario in the result files.
type Runner func(ctx context.Context, ref string, sc *scenario.Scenario, m *models.Model, progress func(done int)) (output.Run, error)

// Options configure a Server.
type Options struct {
	// Workspace is the folder of the user's scenario files, where what-ifs
	// are saved; nothing is written anywhere else.
	Workspace string
	// Token must come with every request: in the query of the first page
	// load (the address serve prints), then in a cookie.
	Token   string
	Run     Runner
	Machine output.Machine // for the report's method section
}

// A Server serves the what-if page and its API. It runs one what-if at a
// time.
type Server struct {
	dir     string
	token   string
	run     Runner
	machine output.Machine
	mux     *http.ServeMux

	shippedOnce sync.Once
	shipped     []entry

	mu   sync.Mutex
	job  *job
	last *baseRun // the last base run, reused while its scenario is the same
}

// NewToken returns a random token for Options.Token.
func NewToken() string {
	b := make([]byte, 16)
	rand.Read(b) // never fails (crypto/rand)
	return hex.EncodeToString(b)
}

// New returns a server over opts.Workspace, which must be a directory.
func New(opts Options) (*Server, error) {
	if opts.Token == "" || opts.Run == nil {
		return nil, errors.New("web: a server needs a token and a runner")
	}
	dir, err := filepath.Abs(opts.Workspace)
	if err != nil {
		return nil, fmt.Errorf("web: %w", err)
	}
	if fi, err := os.Stat(dir); err != nil || !fi.IsDir() {
		return nil, fmt.Errorf("web: the workspace %s is not a folder", opts.Workspace)
	}
	s := &Server{dir: dir, token: opts.Token, run: opts.Run, machine: opts.Machine, mux: http.NewServeMux()}
	static, _ := fs.Sub(assets, "static")
	s.mux.Handle("GET /static/", http.StripPrefix("/static/", http.FileServerFS(static)))
	s.mux.HandleFunc("GET /{$}", func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("Content-Type", "text/html; charset=utf-8")
		b, _ := fs.ReadFile(static, "index.html")
		w.Write(b)
	})
	s.mux.HandleFunc("GET /api/scenarios", s.handleScenarios)
	s.mux.HandleFunc("GET /api/levers", s.handleLevers)
	s.mux.HandleFunc("POST /api/check", s.handleCheck)
	s.mux.HandleFunc("POST /api/run", s.handleRun)
	s.mux.HandleFunc("GET /api/status", s.handleStatus)
	s.mux.HandleFunc("POST /api/cancel", s.handleCancel)
	s.mux.HandleFunc("GET /api/result", s.handleResult)
	s.mux.HandleFunc("POST /api/save", s.handleSave)
	s.mux.HandleFunc("GET /download/{file}", s.handleDownload)
	return s, nil
}

// Token returns the token every request must carry.
func (s *Server) Token() string { return s.token }

// Workspace returns the workspace's absolute path.
func (s *Server) Workspace() string { return s.dir }

const cookieName = "journeysim_token"

// csp allows the page's own script and styles, and the inline styles of
// the report's SVG figures; nothing from elsewhere.
const csp = "default-src 'none'; script-src 'self'; style-src 'self' 'unsafe-inline'; img-src 'self' data:; " +
	"connect-src 'self'; form-action 'none'; frame-ancestors 'none'; base-uri 'none'"

// ServeHTTP checks the token, then serves the page or the API. The first
// load of the page with the token in its query sets a cookie and
// redirects to the page without it, so the token leaves the address bar.
func (s *Server) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	h := w.Header()
	h.Set("Content-Security-Policy", csp)
	h.Set("X-Content-Type-Options", "nosniff")
	h.Set("Referrer-Policy", "no-referrer")
	h.Set("Cache-Control", "no-store")
	q := r.URL.Query().Get("token")
	c, _ := r.Cookie(cookieName)
	switch {
	case q != "" && s.valid(q):
		if r.Method == http.MethodGet && r.URL.Path == "/" {
			http.SetCookie(w, &http.Cookie{Name: cookieName, Value: s.token, Path: "/", HttpOnly: true, SameSite: http.SameSiteStrictMode})
			http.Redirect(w, r, "/", http.StatusSeeOther)
			return
		}
	case c != nil && s.valid(c.Value):
	default:
		http.Error(w, "journeysim serve: open the address serve printed, with its token", http.StatusForbidden)
		return
	}
	// A form on another site cannot post JSON without the browser asking
	// first; with the cookie's SameSite, no other site can post here.
	if r.Method == http.MethodPost {
		if mt, _, _ := mime.ParseMediaType(r.Header.Get("Content-Type")); mt != "application/json" {
			writeError(w, http.StatusUnsupportedMediaType, "web: requests are JSON")
			return
		}
	}
	s.mux.ServeHTTP(w, r)
}

func (s *Server) valid(t string) bool {
	return subtle.ConstantTimeCompare([]byte(t), []byte(s.token)) == 1
}

// An entry is a scenario the page lists.
type entry struct {
	ID          string `json:"id"`
	Name        string `json:"name"`
	Description string `json:"description,omitempty"`
	Problem     string `json:"problem,omitempty"`
}

// fileName is a workspace file the page may name: a plain name, so that
// no path comes from the page.
var fileName = regexp.MustCompile(`^[A-Za-z0-9][A-Za-z0-9_-]{0,63}$`)

// workspaceFiles lists the scenario files of the workspace that the page
// may name: regular files, not symbolic links, named as fileName allows.
func (s *Server) workspaceFiles() []string {
	des, _ := os.ReadDir(s.dir)
	var out []string
	for _, de := range des {
		stem, ok := strings.CutSuffix(de.Name(), ".toml")
		if ok && de.Type().IsRegular() && fileName.MatchString(stem) {
			out = append(out, de.Name())
		}
	}
	return out
}

func describe(id, ref string) entry {
	e := entry{ID: id, Name: id}
	sc, err := scenario.Load(ref, nil)
	if err != nil {
		e.Problem = "does not load: choose it to see why"
		return e
	}
	e.Name, e.Description = sc.Name, sc.Description
	return e
}

func (s *Server) handleScenarios(w http.ResponseWriter, r *http.Request) {
	s.shippedOnce.Do(func() {
		names, _ := scenario.ScenarioNames(nil)
		for _, n := range names {
			s.shipped = append(s.shipped, describe(n, n))
		}
	})
	files := []entry{}
	for _, f := range s.workspaceFiles() {
		files = append(files, describe(f, filepath.Join(s.dir, f)))
	}
	writeJSON(w, http.StatusOK, map[string]any{"workspace": s.dir, "shipped": s.shipped, "files": files})
}

// resolve finds the scenario the page names by id: a shipped scenario, or
// a file of the workspace's listing; never a path.
func (s *Server) resolve(id string) (*base, error) {
	b := &base{ID: id, Ref: id, Key: id}
	if strings.HasSuffix(id, ".toml") {
		if !slices.Contains(s.workspaceFiles(), id) {
			return nil, fmt.Errorf("web: the workspace has no scenario file %q", id)
		}
		b.Ref = filepath.Join(s.dir, id)
	} else if names, _ := scenario.ScenarioNames(nil); !slices.Contains(names, id) {
		return nil, fmt.Errorf("web: no shipped scenario %q", id)
	}
	sc, err := models.Load(b.Ref, nil)
	if err != nil {
		return nil, err
	}
	b.Scenario = sc
	return b, nil
}

func (s *Server) handleLevers(w http.ResponseWriter, r *http.Request) {
	b, err := s.resolve(r.URL.Query().Get("scenario"))
	if err != nil {
		writeProblems(w, err, "")
		return
	}
	sc := b.Scenario
	writeJSON(w, http.StatusOK, map[string]any{
		"id": b.ID, "name": sc.Name, "description": sc.Description,
		"replications": sc.Replications(), "seed": sc.Seed(),
		"warmup": scenario.FormatDays(sc.Warmup()), "horizon": scenario.FormatDays(sc.Horizon()),
		"controls": Controls(sc),
	})
}

// prepare makes and loads the what-if a request asks for.
func (s *Server) prepare(w http.ResponseWriter, r *http.Request) (*whatIf, error) {
	var req request
	if err := json.NewDecoder(http.MaxBytesReader(w, r.Body, 1<<20)).Decode(&req); err != nil {
		return nil, fmt.Errorf("web: not a what-if request: %w", err)
	}
	b, err := s.resolve(req.Scenario)
	if err != nil {
		return nil, err
	}
	text, changes, err := makeWhatIf(b, req)
	if err != nil {
		return nil, err
	}
	sc, err := s.loadWhatIf(b, text)
	if err != nil {
		return nil, err
	}
	return &whatIf{Base: b, Text: text, Changes: changes, Scenario: sc}, nil
}

func (s *Server) handleCheck(w http.ResponseWriter, r *http.Request) {
	wi, err := s.prepare(w, r)
	if err != nil {
		writeProblems(w, err, filepath.Join(s.dir, unsavedName))
		return
	}
	var warnings []string
	for _, p := range wi.Scenario.Warnings {
		warnings = append(warnings, p.String())
	}
	writeJSON(w, http.StatusOK, map[string]any{"ok": true, "toml": string(wi.Text), "warnings": warnings})
}

// A problem is one thing wrong with a what-if, with the key it is at, so
// that the page can show it beside the control.
type problem struct {
	Key     string `json:"key,omitempty"`
	Message string `json:"message"`
	Text    string `json:"text"` // as check prints it
}

// writeProblems answers a request the scenario language refuses with
// every problem it found, as check reports them; virtual, the what-if's
// path while unsaved, is shown as its name.
func writeProblems(w http.ResponseWriter, err error, virtual string) {
	var ps scenario.Problems
	var out []problem
	if errors.As(err, &ps) {
		for _, p := range ps {
			text := p.String()
			if virtual != "" {
				text = strings.ReplaceAll(text, virtual, unsavedName)
			}
			out = append(out, problem{Key: p.Key, Message: p.Msg, Text: text})
		}
	} else {
		out = append(out, problem{Message: err.Error(), Text: err.Error()})
	}
	writeJSON(w, http.StatusUnprocessableEntity, map[string]any{"error": out[0].Text, "problems": out})
}

func writeJSON(w http.ResponseWriter, status int, v any) {
	w.Header().Set("Content-Type", "application/json")
	w.WriteHeader(status)
	enc := json.NewEncoder(w)
	enc.SetIndent("", " ")
	enc.Encode(v)
}

func writeError(w http.ResponseWriter, status int, msg string) {
	writeJSON(w, status, map[string]string{"error": msg})
}
