package cmd

import (
	"bytes"
	"fmt"
	"os"
	"path/filepath"
	"regexp"
	"slices"
	"strings"
	"syscall"
	"testing"
	"time"

	"github.com/journeysim/journeysim/output"
)

// The tests of this file attack the commands as a careless or hostile
// user would, always inside a directory tree made for the test: every
// command must leave alone what it did not write, refuse to mix results,
// and treat text from a scenario as text.

// tinyRun is a run of a second or less.
var tinyRun = []string{"--replications", "1", "--warmup", "1y", "--horizon", "1y", "--quiet"}

// tree makes a directory tree of a user's own files: root/notes.txt,
// root/thesis/chapter1.tex and root/work/sub/, and returns root.
func tree(t *testing.T) string {
	t.Helper()
	root := t.TempDir()
	for name, text := range map[string]string{"notes.txt": "my notes", "thesis/chapter1.tex": "chapter one", "work/sub/.keep": ""} {
		p := filepath.Join(root, name)
		if err := os.MkdirAll(filepath.Dir(p), 0o755); err != nil {
			t.Fatal(err)
		}
		if err := os.WriteFile(p, []byte(text), 0o644); err != nil {
			t.Fatal(err)
		}
	}
	return root
}

// intact fails the test unless root still holds the files tree made, with
// their contents.
func intact(t *testing.T, root string) {
	t.Helper()
	for name, text := range map[string]string{"notes.txt": "my notes", "thesis/chapter1.tex": "chapter one", "work/sub/.keep": ""} {
		b, err := os.ReadFile(filepath.Join(root, name))
		if err != nil || string(b) != text {
			t.Errorf("%s: the user's file is gone or changed (%v)", name, err)
		}
	}
}

func abs(t *testing.T, p string) string {
	t.Helper()
	a, err := filepath.Abs(p)
	if err != nil {
		t.Fatal(err)
	}
	return a
}

// TestOutputGuard: run, compare, sweep and the report write only into a
// directory of their own, with or without --force.
func TestOutputGuard(t *testing.T) {
	root := tree(t)
	t.Chdir(filepath.Join(root, "work", "sub"))
	home := t.TempDir()
	t.Setenv("HOME", home)
	link := filepath.Join(root, "link")
	if err := os.Symlink(filepath.Join(root, "thesis"), link); err != nil {
		t.Fatal(err)
	}
	targets := []struct {
		name, out, err string
	}{
		{"parent of the working directory", "..", "the working directory or holds it"},
		{"grandparent", "../..", "the working directory or holds it"},
		{"working directory", ".", "the working directory or holds it"},
		{"home", home, "home directory"},
		{"a user's directory", filepath.Join(root, "thesis"), "holds files journeysim did not write (chapter1.tex)"},
		{"a regular file", filepath.Join(root, "notes.txt"), "is a file, not a directory"},
		{"a symbolic link", link, "is a symbolic link"},
	}
	for _, cmd := range [][]string{
		append([]string{"run"}, tinyRun...),
		append([]string{"compare", "baseline", "more-detox-beds"}, tinyRun...),
		{"sweep", "--vary", "places.detox.capacity=4,5", "--replications", "1", "--warmup", "1y", "--horizon", "1y", "--quiet"},
	} {
		for _, tt := range targets {
			for _, force := range []bool{false, true} {
				args := append(append([]string(nil), cmd...), "--out", tt.out)
				if force {
					args = append(args, "--force")
				}
				t.Run(cmd[0]+"/"+tt.name+map[bool]string{true: "/force"}[force], func(t *testing.T) {
					code, _, stderr := execute(t, args...)
					if code != exitError || !strings.Contains(stderr, tt.err) {
						t.Errorf("exit %d, stderr %q; want %d and %q", code, stderr, exitError, tt.err)
					}
					intact(t, root)
				})
			}
		}
	}
	if fi, err := os.Lstat(link); err != nil || fi.Mode()&os.ModeSymlink == 0 {
		t.Error("the symbolic link is gone")
	}
}

// TestOutputReplace: a directory journeysim wrote is replaced with
// --force, and only while it holds nothing else.
func TestOutputReplace(t *testing.T) {
	dir := filepath.Join(t.TempDir(), "out")
	run := append(append([]string{"run"}, tinyRun...), "--out", dir)
	if code, _, stderr := execute(t, run...); code != exitOK {
		t.Fatalf("exit %d: %s", code, stderr)
	}
	if code, _, stderr := execute(t, run...); code != exitError || !strings.Contains(stderr, "use --force") {
		t.Errorf("a second run without --force: exit %d, %q", code, stderr)
	}
	if code, _, stderr := execute(t, append(run, "--force")...); code != exitOK {
		t.Fatalf("--force: exit %d: %s", code, stderr)
	}
	notes := filepath.Join(dir, "notes.txt")
	if err := os.WriteFile(notes, []byte("mine"), 0o644); err != nil {
		t.Fatal(err)
	}
	if code, _, stderr := execute(t, append(run, "--force")...); code != exitError || !strings.Contains(stderr, "notes.txt") {
		t.Errorf("--force over a user's file: exit %d, %q", code, stderr)
	}
	if b, err := os.ReadFile(notes); err != nil || string(b) != "mine" {
		t.Errorf("the user's notes.txt is gone: %v", err)
	}
	// An empty directory made by the user takes results.
	empty := filepath.Join(t.TempDir(), "empty")
	os.Mkdir(empty, 0o755)
	if code, _, stderr := execute(t, append(append([]string{"run"}, tinyRun...), "--out", empty)...); code != exitOK {
		t.Errorf("an empty directory: exit %d: %s", code, stderr)
	}
}

// TestSweepForceGuard: sweep --force empties only a sweep directory of its
// own, never a parent or a directory with a user's files.
func TestSweepForceGuard(t *testing.T) {
	root := tree(t)
	t.Chdir(filepath.Join(root, "work", "sub"))
	for _, out := range []string{"..", root, filepath.Join(root, "thesis")} {
		code, _, stderr := execute(t, append(append([]string(nil), sweepArgs...), "--out", out, "--force")...)
		if code != exitError || !strings.Contains(stderr, "not a directory journeysim wrote") {
			t.Errorf("sweep --out %s --force: exit %d, %q", out, code, stderr)
		}
		intact(t, root)
	}
	// A sweep directory that a user's file has been put into.
	dir := filepath.Join(root, "sw")
	runSweepCmd(t, "--out", dir)
	mine := filepath.Join(dir, "parts", "my-analysis.R")
	os.WriteFile(mine, []byte("x"), 0o644)
	if code, _, stderr := execute(t, append(append([]string(nil), sweepArgs...), "--out", dir, "--force", "--seed", "3")...); code != exitError || !strings.Contains(stderr, "parts/my-analysis.R") {
		t.Errorf("exit %d, %q", code, stderr)
	}
	if _, err := os.Stat(mine); err != nil {
		t.Error("sweep --force deleted a user's file")
	}
}

// TestCalibrateOutGuard: calibrate --out replaces only a file that
// calibrate wrote, with --force, and never one the scenario reads.
func TestCalibrateOutGuard(t *testing.T) {
	dir := t.TempDir()
	base := writeFile(t, dir, "base.toml", mustRead(t, calScenario))
	area := writeFile(t, dir, "area.toml", "name = \"Area\"\nbase = \"base.toml\"\n")
	targets := writeFile(t, dir, "targets.toml", calTargets)
	notes := writeFile(t, dir, "notes.toml", "# my own file\n")
	cal := []string{"calibrate", area, "--targets", targets, "--lhs", "2", "--evals", "0", "--replications", "2", "-q"}
	for _, tt := range []struct {
		name, out string
		force     bool
		err       string
	}{
		{"the scenario itself", area, true, "a file this command reads"},
		{"its base", base, true, "a file this command reads"},
		{"the targets", targets, true, "a file this command reads"},
		{"a user's file", notes, false, "journeysim did not write it"},
		{"a user's file, forced", notes, true, "journeysim did not write it"},
		{"a directory", dir, true, "is a directory"},
	} {
		t.Run(tt.name, func(t *testing.T) {
			args := append(append([]string(nil), cal...), "--out", tt.out)
			if tt.force {
				args = append(args, "--force")
			}
			before := mustRead(t, base) + mustRead(t, area) + mustRead(t, targets) + mustRead(t, notes)
			code, _, stderr := execute(t, args...)
			if code != exitError || !strings.Contains(stderr, tt.err) {
				t.Errorf("exit %d, %q; want %q", code, stderr, tt.err)
			}
			if after := mustRead(t, base) + mustRead(t, area) + mustRead(t, targets) + mustRead(t, notes); after != before {
				t.Error("a file was changed")
			}
		})
	}
	out := filepath.Join(dir, "calibrated.toml")
	if code, _, stderr := execute(t, append(cal, "--out", out)...); code != exitOK {
		t.Fatalf("exit %d: %s", code, stderr)
	}
	if code, _, stderr := execute(t, append(cal, "--out", out)...); code != exitError || !strings.Contains(stderr, "use --force") {
		t.Errorf("again without --force: exit %d, %q", code, stderr)
	}
	if code, _, stderr := execute(t, append(cal, "--out", out, "--force")...); code != exitOK {
		t.Errorf("again with --force: exit %d: %s", code, stderr)
	}
}

func mustRead(t *testing.T, p string) string {
	t.Helper()
	b, err := os.ReadFile(p)
	if err != nil {
		t.Fatal(err)
	}
	return string(b)
}

// TestMergeOutGuard: merge writes only into one of its shards, a new
// directory, the shards' parent, or a directory of the same sweep.
func TestMergeOutGuard(t *testing.T) {
	tmp := t.TempDir()
	a := filepath.Join(tmp, "sweeps", "a")
	runSweepCmd(t, "--out", a)
	other := filepath.Join(tmp, "other")
	runSweepCmd(t, "--out", other, "--seed", "9")
	otherResults := mustRead(t, filepath.Join(other, "results.csv"))
	if code, _, stderr := execute(t, "merge", a, "--out", other); code != exitError || !strings.Contains(stderr, "holds another sweep") {
		t.Errorf("merge over another sweep: exit %d, %q", code, stderr)
	}
	if mustRead(t, filepath.Join(other, "results.csv")) != otherResults {
		t.Error("merge overwrote another sweep's results")
	}
	user := filepath.Join(tmp, "user")
	os.Mkdir(user, 0o755)
	writeFile(t, user, "results.csv", "mine")
	if code, _, stderr := execute(t, "merge", a, "--out", user); code != exitError || !strings.Contains(stderr, "did not write") {
		t.Errorf("merge over a user's directory: exit %d, %q", code, stderr)
	}
	if mustRead(t, filepath.Join(user, "results.csv")) != "mine" {
		t.Error("merge overwrote a user's file")
	}
	// The shards' parent holds only journeysim's directories: it may.
	if code, _, stderr := execute(t, "merge", a, "--out", filepath.Join(tmp, "sweeps")); code != exitOK {
		t.Errorf("merge into the shards' parent: exit %d: %s", code, stderr)
	}
}

// TestSweepNoMixing: a sweep's parts and shards never mix with another
// sweep's, with another version of its scenario file, or with a damaged
// part.
func TestSweepNoMixing(t *testing.T) {
	tmp := t.TempDir()
	area := writeFile(t, tmp, "area.toml", "name = \"Area\"\nbase = \"baseline\"\n")
	args := []string{"sweep", area, "--vary", "places.detox.capacity=4:8:2", "--replications", "1", "--warmup", "1y", "--horizon", "1y", "--quiet"}
	sweep := func(extra ...string) (int, string) {
		code, _, stderr := execute(t, append(append([]string(nil), args...), extra...)...)
		return code, stderr
	}
	s0, s1 := filepath.Join(tmp, "s0"), filepath.Join(tmp, "s1")
	if code, stderr := sweep("--out", s0, "--shard", "0/2"); code != exitOK {
		t.Fatal(stderr)
	}
	// The file is edited between the shards.
	writeFile(t, tmp, "area.toml", "name = \"Area\"\nbase = \"baseline\"\n[arrivals]\nper_year = 900\n")
	if code, stderr := sweep("--out", s1, "--shard", "1/2"); code != exitOK {
		t.Fatal(stderr)
	}
	if code, _, stderr := execute(t, "merge", s0, s1, "--out", filepath.Join(tmp, "m")); code != exitError || !strings.Contains(stderr, "different sweep") {
		t.Errorf("merging shards of two versions of a file: exit %d, %q", code, stderr)
	}
	// Resuming after the edit.
	if code, stderr := sweep("--out", s0); code != exitError || !strings.Contains(stderr, "holds another sweep") {
		t.Errorf("resuming after an edit: exit %d, %q", code, stderr)
	}

	// A part cut short is not a finished one: merge refuses it, and the
	// sweep run again recomputes it, to the same bytes.
	whole := filepath.Join(tmp, "whole")
	if code, stderr := sweep("--out", whole); code != exitOK {
		t.Fatal(stderr)
	}
	want := mustRead(t, filepath.Join(whole, "results.csv"))
	part := filepath.Join(whole, "parts", "point-00000001.csv")
	b := []byte(mustRead(t, part))
	os.WriteFile(part, b[:len(b)*2/3], 0o644)
	if code, _, stderr := execute(t, "merge", whole); code != exitError || !strings.Contains(stderr, "point-00000001.csv is cut short") {
		t.Errorf("merging a truncated part: exit %d, %q", code, stderr)
	}
	if code, stderr := sweep("--out", whole); code != exitOK {
		t.Fatal(stderr)
	}
	if got := mustRead(t, filepath.Join(whole, "results.csv")); got != want {
		t.Error("the sweep with its damaged part recomputed differs from the sweep")
	}

	// A sweep still running there holds the directory: --force waits for
	// nobody and refuses.
	f, err := os.Open(filepath.Join(whole, ".journeysim.lock"))
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	if err := syscall.Flock(int(f.Fd()), syscall.LOCK_SH); err != nil {
		t.Fatal(err)
	}
	if code, stderr := sweep("--out", whole, "--force", "--seed", "2"); code != exitError || !strings.Contains(stderr, "in use by another journeysim") {
		t.Errorf("--force beside a running sweep: exit %d, %q", code, stderr)
	}
	if code, _, stderr := execute(t, "merge", whole); code != exitError || !strings.Contains(stderr, "in use") {
		t.Errorf("merge beside a running sweep: exit %d, %q", code, stderr)
	}
	syscall.Flock(int(f.Fd()), syscall.LOCK_UN)
	if got := mustRead(t, filepath.Join(whole, "results.csv")); got != want {
		t.Error("a refused --force changed the results")
	}
}

// TestSweepManifestEdited: a sweep.json edited by hand is refused, never
// a panic.
func TestSweepManifestEdited(t *testing.T) {
	dir := filepath.Join(t.TempDir(), "sw")
	runSweepCmd(t, "--out", dir)
	p := filepath.Join(dir, "sweep.json")
	text := mustRead(t, p)
	for _, edit := range []struct{ from, to, err string }{
		{`"point": 5`, `"point": 99`, "must be numbered"},
		{`"replications": 2`, `"replications": 0`, "0 replications"},
	} {
		os.WriteFile(p, []byte(strings.Replace(text, edit.from, edit.to, 1)), 0o644)
		code, _, stderr := execute(t, "merge", dir)
		if code != exitError || !strings.Contains(stderr, edit.err) {
			t.Errorf("%s → %s: exit %d, %q", edit.from, edit.to, code, stderr)
		}
	}
}

// TestSweepMemoryEveryPoint: a sweep whose points could not fit in memory
// is refused before any runs, even when its scenario as written fits.
func TestSweepMemoryEveryPoint(t *testing.T) {
	dir := filepath.Join(t.TempDir(), "sw")
	code, _, stderr := execute(t, "sweep", "--lhs", "3", "--range", "arrivals.per_year=1e8:1e9", "--max-memory", "4GiB", "--quiet", "--out", dir)
	if code != exitError || !strings.Contains(stderr, "could need") || !strings.Contains(stderr, "point ") {
		t.Errorf("exit %d, %q", code, stderr)
	}
	if _, err := os.Stat(filepath.Join(dir, "parts")); err == nil {
		t.Error("the sweep ran points before refusing")
	}
}

// TestScenarioTextIsText: names, descriptions and swept values reach the
// terminal, the report and spreadsheets as text: no escape sequences,
// Markdown or formulas.
func TestScenarioTextIsText(t *testing.T) {
	dir := t.TempDir()
	esc := writeFile(t, dir, "esc.toml", "name = \"red \\u001b[31m alert\"\nbase = \"baseline\"\n")
	code, out, stderr := execute(t, "check", esc)
	if code != exitError || !strings.Contains(stderr, `holds a control character`) || strings.ContainsRune(out+stderr, 0x1b) {
		t.Errorf("a name with an escape: exit %d, %q", code, stderr)
	}

	evil := writeFile(t, dir, "evil.toml", `name = "<script>alert(1)</script> [x](javascript:alert(1))"
description = """Line one
## Validation: all 55 checks pass"""
base = "baseline"
`)
	cmp := filepath.Join(dir, "cmp")
	code, _, stderr = execute(t, append([]string{"compare", "baseline", evil, "--report", "--out", cmp}, tinyRun...)...)
	if code != exitOK {
		t.Fatalf("exit %d: %s", code, stderr)
	}
	md := mustRead(t, filepath.Join(cmp, "report-evil.md"))
	for _, bad := range []string{`<script>`, `(^|[^\\])\]\(javascript:`, `\n## Validation: all 55`} {
		if regexp.MustCompile(bad).MatchString(md) {
			t.Errorf("report-evil.md holds %q", bad)
		}
	}
	if html := mustRead(t, filepath.Join(cmp, "report-evil.html")); strings.Contains(html, "<script>") {
		t.Error("report-evil.html holds a script")
	}

	sw := filepath.Join(dir, "sw")
	code, _, stderr = execute(t, "sweep", "--vary", `description==HYPERLINK("http://x"),plain`, "--replications", "1",
		"--warmup", "1y", "--horizon", "1y", "--quiet", "--out", sw)
	if code != exitOK {
		t.Fatalf("exit %d: %s", code, stderr)
	}
	for _, f := range []string{"results.csv", "points.csv"} {
		text := mustRead(t, filepath.Join(sw, f))
		if strings.Contains(text, ",=HYPERLINK") || strings.Contains(text, "\n=HYPERLINK") {
			t.Errorf("%s holds a formula a spreadsheet would run", f)
		}
		if f == "points.csv" && !strings.Contains(text, `'=HYPERLINK`) {
			t.Errorf("%s lost the value", f) // results.csv has no parameters
		}
	}
}

// TestBaseNotScenario: a base that is not a scenario file is never read,
// and none of its lines reach a message.
func TestBaseNotScenario(t *testing.T) {
	dir := t.TempDir()
	writeFile(t, dir, "secret", "password = \"hunter2\"\n")
	writeFile(t, dir, "secret.txt", "password = \"hunter2\"\n")
	for _, base := range []string{"secret", "secret.txt", "/dev/zero", "/etc/hostname"} {
		f := writeFile(t, dir, "area.toml", "name = \"x\"\nbase = \""+base+"\"\n")
		code, _, stderr := execute(t, "check", f)
		if code != exitError || strings.Contains(stderr, "hunter2") || !strings.Contains(stderr, "ends in .toml") {
			t.Errorf("base %s: exit %d, %q", base, code, stderr)
		}
	}
	// A pipe or a device named .toml is not read: it would never end.
	fifo := filepath.Join(dir, "pipe.toml")
	if err := syscall.Mkfifo(fifo, 0o644); err != nil {
		t.Fatal(err)
	}
	for _, base := range []string{"pipe.toml", "zero.toml"} {
		os.Symlink("/dev/zero", filepath.Join(dir, "zero.toml"))
		f := writeFile(t, dir, "area.toml", "name = \"x\"\nbase = \""+base+"\"\n")
		code, _, stderr := execute(t, "check", f)
		if code != exitError || !strings.Contains(stderr, "not a regular file") {
			t.Errorf("base %s: exit %d, %q", base, code, stderr)
		}
	}
}

// TestPartialOwnership: replications kept by another user are not taken
// up (as root, which can give a file away).
func TestPartialOwnership(t *testing.T) {
	if os.Geteuid() != 0 {
		t.Skip("needs root to give a file to another user")
	}
	dir := filepath.Join(t.TempDir(), "out")
	run := append(append([]string{"run"}, tinyRun...), "--out", dir)
	if code, _, stderr := execute(t, run...); code != exitOK {
		t.Fatal(stderr)
	}
	partial := output.PartialDir(dir)
	os.MkdirAll(partial, 0o755)
	os.WriteFile(filepath.Join(partial, ".journeysim"), []byte(`{"journeysim":"kept replications","patterns":["*/rep-*.gob"]}`), 0o644)
	os.Chown(filepath.Join(partial, ".journeysim"), 65534, 65534)
	code, _, stderr := execute(t, append(run, "--force")...)
	if code != exitError || !strings.Contains(stderr, "did not write") {
		t.Errorf("a kept directory planted by another user: exit %d, %q", code, stderr)
	}
	if es, _ := os.ReadDir(partial); !slices.ContainsFunc(es, func(e os.DirEntry) bool { return e.Name() == ".journeysim" }) {
		t.Error("the planted marker was removed")
	}
}

// TestStopOnSignal: every long command stops within a second of SIGTERM or
// SIGINT, with status 130, and leaves no temporary file. The bound tested
// is looser, for a loaded machine; the times are logged (-v).
func TestStopOnSignal(t *testing.T) {
	if testing.Short() {
		t.Skip("starts a process per command")
	}
	dir := t.TempDir()
	var keys strings.Builder
	keys.WriteString("name = \"x\"\nbase = \"baseline\"\n")
	for i := range 95000 {
		fmt.Fprintf(&keys, "k%d = 1\n", i)
	}
	slow := writeFile(t, dir, "slow.toml", keys.String())
	out := filepath.Join(dir, "out")
	for _, tt := range []struct {
		name string
		args []string
		sig  os.Signal
	}{
		{"check", []string{"check", slow}, syscall.SIGTERM},
		{"run", []string{"run", "--replications", "100000", "--quiet", "--out", out + "-run"}, syscall.SIGTERM},
		{"report", []string{"report", "--replications", "100000", "--quiet", "--out", out + "-report"}, os.Interrupt},
		{"compare", []string{"compare", "baseline", "more-detox-beds", "--replications", "100000", "--quiet", "--out", out + "-compare"}, syscall.SIGTERM},
		{"sweep", []string{"sweep", "--vary", "places.detox.capacity=1:400:1", "--quiet", "--out", out + "-sweep"}, syscall.SIGTERM},
		{"validate", []string{"validate", "--replications", "10000", "--quiet"}, syscall.SIGTERM},
		{"calibrate", []string{"calibrate", abs(t, calScenario), "--targets", writeFile(t, dir, "t.toml", calTargets), "--lhs", "5000", "--quiet", "--out", out + "-cal.toml"}, syscall.SIGTERM},
	} {
		t.Run(tt.name, func(t *testing.T) {
			c := journeysimProcess(tt.args...)
			var stderr bytes.Buffer
			c.Stderr = &stderr
			if err := c.Start(); err != nil {
				t.Fatal(err)
			}
			time.Sleep(700 * time.Millisecond)
			if err := c.Process.Signal(tt.sig); err != nil {
				t.Fatal(err)
			}
			t0 := time.Now()
			done := make(chan error, 1)
			go func() { done <- c.Wait() }()
			select {
			case <-done:
			case <-time.After(10 * time.Second):
				c.Process.Kill()
				t.Fatalf("still running 10 s after %v", tt.sig)
			}
			took := time.Since(t0)
			t.Logf("%s: exit %d, %v after %v", tt.name, c.ProcessState.ExitCode(), took.Round(time.Millisecond), tt.sig)
			if code := c.ProcessState.ExitCode(); code != exitInterrupted {
				t.Errorf("exit %d; want %d (stderr %q)", code, exitInterrupted, stderr.String())
			}
			if took > 3*time.Second {
				t.Errorf("took %v to stop", took)
			}
			if tmp, _ := filepath.Glob(filepath.Join(dir, ".*.tmp-*")); len(tmp) > 0 {
				t.Errorf("left behind: %v", tmp)
			}
		})
	}
}

// TestProfileGuard: --cpuprofile and --memprofile replace only a profile.
func TestProfileGuard(t *testing.T) {
	dir := t.TempDir()
	notes := writeFile(t, dir, "notes.txt", "my notes")
	for _, flag := range []string{"--cpuprofile", "--memprofile"} {
		code, _, stderr := execute(t, "scenarios", flag, notes)
		if code != exitError || !strings.Contains(stderr, "journeysim did not write it") {
			t.Errorf("%s over a user's file: exit %d, %q", flag, code, stderr)
		}
		if mustRead(t, notes) != "my notes" {
			t.Fatalf("%s overwrote a user's file", flag)
		}
		prof := filepath.Join(dir, "prof"+flag)
		for range 2 { // a profile replaces a profile
			if code, _, stderr := execute(t, "scenarios", flag, prof); code != exitOK {
				t.Errorf("%s: exit %d, %q", flag, code, stderr)
			}
		}
	}
}
