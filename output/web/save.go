package web

import (
	"encoding/json"
	"errors"
	"net/http"
	"path/filepath"
	"strings"

	"github.com/journeysim/journeysim/output"
)

// A saveRequest names the file, in the workspace, to save the last
// what-if as; Replace allows replacing a what-if saved before.
type saveRequest struct {
	File    string `json:"file"`
	Replace bool   `json:"replace"`
}

// handleSave writes the last what-if's file, the very bytes that ran, into
// the workspace as FILE.toml: a new file, or with Replace one the page
// wrote before (its first line is Header); never a file the what-if reads.
func (s *Server) handleSave(w http.ResponseWriter, r *http.Request) {
	var req saveRequest
	if err := json.NewDecoder(http.MaxBytesReader(w, r.Body, 1<<16)).Decode(&req); err != nil {
		writeError(w, http.StatusBadRequest, "web: not a save request: "+err.Error())
		return
	}
	if !fileName.MatchString(req.File) {
		writeError(w, http.StatusBadRequest, "a file name is letters, digits, - and _ (at most 64, starting with a letter or digit); it is saved as NAME.toml in the workspace")
		return
	}
	a, err := s.answerNow()
	if err != nil {
		writeError(w, http.StatusConflict, err.Error())
		return
	}
	name := req.File + ".toml"
	path := filepath.Join(s.dir, name)
	if err := output.CheckWriteFile(path, Header, req.Replace, append(a.wi.Base.Scenario.Files, a.wi.Scenario.Files...)...); err != nil {
		switch {
		case errors.Is(err, output.ErrExists):
			writeError(w, http.StatusConflict, name+" is in the workspace already: tick Replace to replace it, or choose another name")
		case errors.Is(err, output.ErrNotOurs):
			writeError(w, http.StatusConflict, err.Error())
		default:
			writeError(w, http.StatusInternalServerError, err.Error())
		}
		return
	}
	if err := output.WriteFileAtomic(path, a.wi.Text); err != nil {
		writeError(w, http.StatusInternalServerError, err.Error())
		return
	}
	s.mu.Lock()
	a.saved = name
	s.mu.Unlock()
	base := a.wi.Base.Ref
	writeJSON(w, http.StatusOK, map[string]string{"file": name, "path": path,
		"command": "journeysim compare " + shellQuote(base) + " " + shellQuote(path)})
}

// downloads are the files of the last what-if the page offers, by the
// name they download as: the bundle's file ("" for the what-if's own
// file, the report made when asked for) and its type.
var downloads = map[string]struct{ file, typ string }{
	"what-if.toml":          {"", "application/toml"},
	"what-if-report.html":   {"report-" + stem + ".html", "text/html; charset=utf-8"},
	"what-if.xlsx":          {"comparison-" + stem + ".xlsx", "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"},
	"what-if-changes.csv":   {"differences-" + stem + ".csv", "text/csv; charset=utf-8"},
	"what-if-economics.csv": {"economics-" + stem + ".csv", "text/csv; charset=utf-8"},
}

func (s *Server) handleDownload(w http.ResponseWriter, r *http.Request) {
	name := r.PathValue("file")
	d, ok := downloads[name]
	if !ok {
		http.NotFound(w, r)
		return
	}
	a, err := s.answerNow()
	if err != nil {
		http.Error(w, err.Error(), http.StatusNotFound)
		return
	}
	var data []byte
	switch {
	case d.file == "":
		data = a.wi.Text
	case name == "what-if-report.html":
		if data, err = s.reportOf(a); err != nil {
			http.Error(w, err.Error(), http.StatusInternalServerError)
			return
		}
	default:
		if data, ok = a.bundle.File(d.file); !ok {
			http.Error(w, "this what-if has no "+name, http.StatusNotFound)
			return
		}
	}
	w.Header().Set("Content-Type", d.typ)
	w.Header().Set("Content-Disposition", `attachment; filename="`+name+`"`)
	w.Write(data)
}

// reportOf makes the what-if's report as compare --report writes it, the
// first time it is asked for: the base run's figures take a second or so
// to draw, which the page's answer does not wait for.
func (s *Server) reportOf(a *answer) ([]byte, error) {
	a.reportOnce.Do(func() {
		var b output.Bundle
		_, _, a.reportErr = output.AddComparison(&b, a.base, a.alt, stem, output.ComparisonOptions{Plots: output.SVG, Report: true, Machine: s.machine})
		a.report, _ = b.File("report-" + stem + ".html")
	})
	return a.report, a.reportErr
}

// shellQuote quotes a word for a POSIX shell when it needs it.
func shellQuote(s string) string {
	for _, r := range s {
		if !(r >= 'a' && r <= 'z' || r >= 'A' && r <= 'Z' || r >= '0' && r <= '9' || r == '/' || r == '.' || r == '-' || r == '_') {
			return "'" + strings.ReplaceAll(s, "'", `'\''`) + "'"
		}
	}
	return s
}
