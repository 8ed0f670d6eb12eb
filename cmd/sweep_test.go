package cmd

import (
	"bytes"
	"encoding/csv"
	"os"
	"os/exec"
	"path/filepath"
	"slices"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/journeysim/journeysim/output"
)

// sweepArgs is a small grid: 3 × 2 points of 2 short replications.
var sweepArgs = []string{"sweep", "--vary", "places.detox.capacity=4:8:2", "--vary", "policy.mutual_aid_referral=standard,active_peer",
	"--replications", "2", "--warmup", "1y", "--horizon", "1y", "--quiet"}

func sweepFiles(t *testing.T, dir string) (results, points []byte) {
	t.Helper()
	results, err := os.ReadFile(filepath.Join(dir, "results.csv"))
	if err != nil {
		t.Fatal(err)
	}
	points, err = os.ReadFile(filepath.Join(dir, "points.csv"))
	if err != nil {
		t.Fatal(err)
	}
	return results, points
}

func runSweepCmd(t *testing.T, args ...string) string {
	t.Helper()
	code, out, stderr := execute(t, append(append([]string(nil), sweepArgs...), args...)...)
	if code != exitOK {
		t.Fatalf("sweep %v: exit %d: %s", args, code, stderr)
	}
	return out
}

// TestSweepShardsMerge checks that a sweep run as 3 shards, each in a
// directory of its own, and merged is byte-identical to the sweep run at
// once, whatever the number of workers; and that merge refuses a shard set
// with a point missing.
func TestSweepShardsMerge(t *testing.T) {
	tmp := t.TempDir()
	whole := filepath.Join(tmp, "whole")
	runSweepCmd(t, "--out", whole, "--workers", "2")
	wantR, wantP := sweepFiles(t, whole)
	// A line a point and replication, and the header.
	if n := bytes.Count(wantR, []byte("\n")); n != 6*2+1 {
		t.Fatalf("results.csv has %d lines", n)
	}
	if got := string(wantP); !strings.HasPrefix(got, "point,places.detox.capacity,policy.mutual_aid_referral,seed,command\n0,4,standard,") {
		t.Errorf("points.csv:\n%s", got)
	}

	var shards []string
	for i := range 3 {
		d := filepath.Join(tmp, "shard"+string(rune('0'+i)))
		out := runSweepCmd(t, "--out", d, "--shard", string(rune('0'+i))+"/3", "--workers", "1")
		if !strings.Contains(out, "this run 2 points") || !strings.Contains(out, "journeysim merge") {
			t.Errorf("shard %d printed:\n%s", i, out)
		}
		if _, err := os.Stat(filepath.Join(d, "results.csv")); err == nil {
			t.Errorf("shard %d wrote results.csv before the merge", i)
		}
		shards = append(shards, d)
	}
	merged := filepath.Join(tmp, "merged")
	if code, _, stderr := execute(t, append([]string{"merge", "--out", merged}, shards[:2]...)...); code != exitError || !strings.Contains(stderr, "2 of 6 points are missing") {
		t.Errorf("merge of 2 of 3 shards: exit %d, %s", code, stderr)
	}
	if code, _, stderr := execute(t, append([]string{"merge", "--out", merged}, shards...)...); code != exitOK {
		t.Fatalf("merge: exit %d: %s", code, stderr)
	}
	gotR, gotP := sweepFiles(t, merged)
	if !bytes.Equal(gotR, wantR) || !bytes.Equal(gotP, wantP) {
		t.Error("the merged shards differ from the sweep run at once")
	}
	if code, _, stderr := execute(t, "merge", whole, shards[0]); code != exitError || !strings.Contains(stderr, "is in both") {
		t.Errorf("merge with a point twice: exit %d, %s", code, stderr)
	}
}

// TestSweepResume checks that a sweep stopped part way (some points done,
// one left half-written under its temporary name) and run again runs only
// what is missing and ends byte-identical to one never interrupted; and
// that a directory holding another sweep is refused.
func TestSweepResume(t *testing.T) {
	tmp := t.TempDir()
	whole := filepath.Join(tmp, "whole")
	runSweepCmd(t, "--out", whole)
	wantR, wantP := sweepFiles(t, whole)

	stopped := filepath.Join(tmp, "stopped")
	runSweepCmd(t, "--out", stopped)
	for _, name := range []string{"results.csv", "points.csv", "parts/point-00000001.csv", "parts/point-00000004.csv"} {
		if err := os.Remove(filepath.Join(stopped, name)); err != nil {
			t.Fatal(err)
		}
	}
	half := filepath.Join(stopped, "parts", ".point-00000004.csv.tmp-123")
	if err := os.WriteFile(half, []byte("4,8,standard,0,presen"), 0o644); err != nil {
		t.Fatal(err)
	}
	out := runSweepCmd(t, "--out", stopped)
	if !strings.Contains(out, "this run 2 points") {
		t.Errorf("the resumed sweep printed:\n%s", out)
	}
	gotR, gotP := sweepFiles(t, stopped)
	if !bytes.Equal(gotR, wantR) || !bytes.Equal(gotP, wantP) {
		t.Error("the resumed sweep differs from one never interrupted")
	}

	code, _, stderr := execute(t, append(append([]string(nil), sweepArgs...), "--out", stopped, "--seed", "7")...)
	if code != exitError || !strings.Contains(stderr, "holds another sweep") {
		t.Errorf("another sweep into the same directory: exit %d, %s", code, stderr)
	}
}

func TestSweepShardFromEnvironment(t *testing.T) {
	env := map[string]string{}
	o := &SweepOptions{env: func(k string) string { return env[k] }}
	check := func(what string, wi, wn int, wantErr bool) {
		t.Helper()
		i, n, err := o.shard()
		if (err != nil) != wantErr || (!wantErr && (i != wi || n != wn)) {
			t.Errorf("%s: shard %d/%d, error %v", what, i, n, err)
		}
	}
	check("nothing set", 0, 1, false)
	env["SLURM_ARRAY_TASK_ID"], env["SLURM_ARRAY_TASK_COUNT"] = "2", "5"
	check("slurm", 2, 5, false)
	delete(env, "SLURM_ARRAY_TASK_ID")
	env["JOB_COMPLETION_INDEX"] = "3"
	check("indexed job without a count", 0, 0, true)
	env["JOURNEYSIM_SHARD_COUNT"] = "4"
	check("indexed job", 3, 4, false)
	o.ShardCount = 8
	check("indexed job, --shard-count", 3, 8, false)
	o.Shard = "1/2"
	check("--shard wins", 1, 2, false)
	o.Shard = "2/2"
	check("--shard out of range", 0, 0, true)
}

// TestSensitivityCommand runs a small Latin-hypercube sweep and explains the
// detox wait by its parameters: more beds must shorten it.
func TestSensitivityCommand(t *testing.T) {
	dir := filepath.Join(t.TempDir(), "sw")
	code, _, stderr := execute(t, "sweep", "--lhs", "12", "--range", "places.detox.capacity=1:6", "--range", "places.residential.capacity=8:30",
		"--replications", "2", "--warmup", "3y", "--horizon", "2y", "--quiet", "--out", dir)
	if code != exitOK {
		t.Fatalf("sweep: exit %d: %s", code, stderr)
	}
	code, out, stderr := execute(t, "sensitivity", dir, "--metric", "wait_mean_days.detox")
	if code != exitOK {
		t.Fatalf("sensitivity: exit %d: %s", code, stderr)
	}
	var prcc float64
	for _, line := range strings.Split(out, "\n") {
		if f := strings.Fields(line); len(f) > 2 && f[1] == "places.detox.capacity" {
			prcc, _ = strconv.ParseFloat(f[2], 64)
		}
	}
	if !(prcc < -0.5) {
		t.Errorf("PRCC of detox beds with the detox wait %v, want strongly negative:\n%s", prcc, out)
	}
	for _, f := range []string{"sensitivity.csv", "prcc-wait_mean_days.detox.png", "tornado-wait_mean_days.detox.csv"} {
		if _, err := os.Stat(filepath.Join(dir, f)); err != nil {
			t.Error(err)
		}
	}
}

// TestMain lets a test run this package's binary as journeysim itself:
// with JOURNEYSIM_TEST_MAIN set, the process is the command line it was given.
func TestMain(m *testing.M) {
	if os.Getenv("JOURNEYSIM_TEST_MAIN") == "1" {
		os.Exit(Main())
	}
	os.Exit(m.Run())
}

// journeysimProcess is this test binary run as journeysim with args (see TestMain).
func journeysimProcess(args ...string) *exec.Cmd {
	c := exec.Command(os.Args[0], args...)
	c.Env = append(os.Environ(), "JOURNEYSIM_TEST_MAIN=1")
	return c
}

// TestSweepShardProcesses runs a sweep as 3 shards in 3 processes at once,
// all writing into one directory, merges it, and compares the bytes with the
// sweep run in one process.
func TestSweepShardProcesses(t *testing.T) {
	tmp := t.TempDir()
	whole := filepath.Join(tmp, "whole")
	runSweepCmd(t, "--out", whole)
	wantR, wantP := sweepFiles(t, whole)

	shared := filepath.Join(tmp, "shared")
	var procs []*exec.Cmd
	for i := range 3 {
		args := append(append([]string(nil), sweepArgs...), "--out", shared, "--workers", "1", "--shard", strconv.Itoa(i)+"/3")
		c := journeysimProcess(args...)
		var stderr bytes.Buffer
		c.Stderr = &stderr
		if err := c.Start(); err != nil {
			t.Fatal(err)
		}
		procs = append(procs, c)
		t.Cleanup(func() {
			if t.Failed() {
				t.Logf("shard %d stderr: %s", i, stderr.String())
			}
		})
	}
	for i, c := range procs {
		if err := c.Wait(); err != nil {
			t.Fatalf("shard %d: %v", i, err)
		}
	}
	if code, _, stderr := execute(t, "merge", shared); code != exitOK {
		t.Fatalf("merge: exit %d: %s", code, stderr)
	}
	gotR, gotP := sweepFiles(t, shared)
	if !bytes.Equal(gotR, wantR) || !bytes.Equal(gotP, wantP) {
		t.Error("3 shard processes merged differ from the sweep run at once")
	}
}

// TestSweepInterrupted stops a sweep part way, by SIGKILL and by SIGINT,
// and runs it again: the rerun does only the points not done, and the
// results are the same bytes as a sweep never stopped. SIGINT ends with
// status 130 and says how many points were kept.
func TestSweepInterrupted(t *testing.T) {
	// Twelve points of four replications, one at a time: once the first is
	// done the other eleven take seconds, far longer than the signal takes
	// to land.
	args := []string{"sweep", "--vary", "places.detox.capacity=3:14:1", "--replications", "4", "--warmup", "3y", "--horizon", "2y", "--quiet", "--workers", "1"}
	tmp := t.TempDir()
	whole := filepath.Join(tmp, "whole")
	if code, _, stderr := execute(t, append(append([]string(nil), args...), "--out", whole)...); code != exitOK {
		t.Fatalf("exit %d: %s", code, stderr)
	}
	wantR, wantP := sweepFiles(t, whole)

	for _, sig := range []os.Signal{os.Kill, os.Interrupt} {
		t.Run(sig.String(), func(t *testing.T) {
			dir := filepath.Join(tmp, strings.ReplaceAll(sig.String(), " ", "-"))
			c := journeysimProcess(append(append([]string(nil), args...), "--out", dir)...)
			var stderr bytes.Buffer
			c.Stderr = &stderr
			if err := c.Start(); err != nil {
				t.Fatal(err)
			}
			parts := filepath.Join(dir, "parts")
			deadline := time.Now().Add(60 * time.Second)
			for {
				es, _ := os.ReadDir(parts)
				done := 0
				for _, e := range es {
					if !strings.HasPrefix(e.Name(), ".") {
						done++
					}
				}
				if done >= 1 {
					break
				}
				if time.Now().After(deadline) {
					c.Process.Kill()
					t.Fatal("no point was done within a minute")
				}
				time.Sleep(5 * time.Millisecond)
			}
			if err := c.Process.Signal(sig); err != nil {
				t.Fatal(err)
			}
			c.Wait()
			if _, err := os.Stat(filepath.Join(dir, "results.csv")); err == nil {
				t.Fatal("the sweep finished before the signal landed: it tests nothing")
			}
			if sig == os.Interrupt {
				if code := c.ProcessState.ExitCode(); code != exitInterrupted || !strings.Contains(stderr.String(), "of 12 points are kept in") {
					t.Errorf("after SIGINT: exit %d, stderr %q; want %d and the points kept", code, stderr.String(), exitInterrupted)
				}
			}
			code, out, errs := execute(t, append(append([]string(nil), args...), "--out", dir)...)
			if code != exitOK {
				t.Fatalf("rerun: exit %d: %s", code, errs)
			}
			if strings.Contains(out, "this run 12 points") {
				t.Errorf("the rerun ran every point again:\n%s", out)
			}
			gotR, gotP := sweepFiles(t, dir)
			if !bytes.Equal(gotR, wantR) || !bytes.Equal(gotP, wantP) {
				t.Error("the sweep stopped and run again differs from one never stopped")
			}
		})
	}
}

// TestRunInterrupted: SIGINT stops a run with status 130; it writes no
// results, not even an empty directory, and keeps the replications done.
func TestRunInterrupted(t *testing.T) {
	dir := filepath.Join(t.TempDir(), "run")
	// Far more work than a second: 100,000 replications.
	c := journeysimProcess("run", "--replications", "100000", "--quiet", "--out", dir)
	var stderr bytes.Buffer
	c.Stderr = &stderr
	if err := c.Start(); err != nil {
		t.Fatal(err)
	}
	// Interrupt once a replication is kept (a replication takes a second or
	// more under the race detector), or after a minute.
	for deadline := time.Now().Add(time.Minute); time.Now().Before(deadline); time.Sleep(100 * time.Millisecond) {
		if entries, _ := os.ReadDir(output.PartialDir(dir)); len(entries) > 0 {
			break
		}
	}
	if err := c.Process.Signal(os.Interrupt); err != nil {
		t.Fatal(err)
	}
	c.Wait()
	if code := c.ProcessState.ExitCode(); code != exitInterrupted || !strings.Contains(stderr.String(), "replications of baseline are kept in "+output.PartialDir(dir)) {
		t.Errorf("exit %d, stderr %q; want %d and the replications kept", code, stderr.String(), exitInterrupted)
	}
	if _, err := os.Stat(dir); err == nil {
		t.Errorf("%s exists after an interrupted run", dir)
	}
	if _, err := os.Stat(output.PartialDir(dir)); err != nil {
		t.Errorf("no kept replications: %v", err)
	}
}

// TestSweepOneWay runs a one-way design and its tornado: fewer detox beds
// must lengthen the detox wait, and no PRCC is drawn for five points.
func TestSweepOneWay(t *testing.T) {
	dir := filepath.Join(t.TempDir(), "ow")
	code, out, stderr := execute(t, "sweep", "--one-way", "--range", "places.detox.capacity=1:12", "--range", "places.residential.capacity=8:30",
		"--replications", "2", "--warmup", "3y", "--horizon", "2y", "--quiet", "--out", dir)
	if code != exitOK || !strings.Contains(out, "5 points") {
		t.Fatalf("sweep: exit %d: %s%s", code, out, stderr)
	}
	points, _ := os.ReadFile(filepath.Join(dir, "points.csv"))
	var design strings.Builder
	for _, line := range strings.SplitAfter(string(points), "\n") {
		if f := strings.SplitN(line, ",", 4); len(f) == 4 {
			design.WriteString(strings.Join(f[:3], ",") + "\n")
		}
	}
	if want := "point,places.detox.capacity,places.residential.capacity\n0,6,17\n1,1,17\n2,12,17\n3,6,8\n4,6,30\n"; design.String() != want {
		t.Errorf("points.csv:\n%s\nwant:\n%s", points, want)
	}
	code, out, stderr = execute(t, "sensitivity", dir, "--metric", "wait_mean_days.detox")
	if code != exitOK {
		t.Fatalf("sensitivity: exit %d: %s", code, stderr)
	}
	// The printed table leaves a one-way design's PRCC and p blank: read
	// the CSV, whose columns are fixed.
	f, err := os.Open(filepath.Join(dir, "sensitivity.csv"))
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	rows, err := csv.NewReader(f).ReadAll()
	if err != nil || len(rows) == 0 || !slices.Equal(rows[0][:6], []string{"metric", "parameter", "prcc", "p_value", "low", "high"}) {
		t.Fatalf("sensitivity.csv: %v, %v", rows, err)
	}
	found := false
	for _, r := range rows[1:] {
		if r[0] == "wait_mean_days.detox" && r[1] == "places.detox.capacity" {
			found = true
			lo, err1 := strconv.ParseFloat(r[4], 64)
			hi, err2 := strconv.ParseFloat(r[5], 64)
			if err1 != nil || err2 != nil || !(lo > hi) {
				t.Errorf("detox wait with 1 bed %s, with 12 beds %s: want longer with fewer", r[4], r[5])
			}
		}
	}
	if !found {
		t.Errorf("no row for places.detox.capacity in sensitivity.csv:\n%v\n%s", rows, out)
	}
	if _, err := os.Stat(filepath.Join(dir, "tornado-wait_mean_days.detox.png")); err != nil {
		t.Error(err)
	}
	if _, err := os.Stat(filepath.Join(dir, "prcc-wait_mean_days.detox.png")); err == nil {
		t.Error("a PRCC chart from a one-way design")
	}
}

func TestSweepForce(t *testing.T) {
	dir := filepath.Join(t.TempDir(), "sw")
	runSweepCmd(t, "--out", dir)
	out := runSweepCmd(t, "--out", dir, "--seed", "7", "--force")
	if !strings.Contains(out, "this run 6 points") {
		t.Errorf("--force did not start afresh:\n%s", out)
	}
}

// shellWords splits a command as a POSIX shell would, for the single
// quotes PointCommand writes.
func shellWords(s string) []string {
	var out []string
	var w strings.Builder
	in, any := false, false
	for i := 0; i < len(s); i++ {
		switch c := s[i]; {
		case c == '\'':
			in, any = !in, true
		case c == ' ' && !in:
			if any {
				out = append(out, w.String())
			}
			w.Reset()
			any = false
		case c == '\\' && !in && i+1 < len(s):
			i++
			w.WriteByte(s[i])
			any = true
		default:
			w.WriteByte(c)
			any = true
		}
	}
	if any {
		out = append(out, w.String())
	}
	return out
}

// TestSweepPointCommand runs the command points.csv records for a point of
// a grid and of a PSA, and checks that its replications are the sweep's,
// value for value.
func TestSweepPointCommand(t *testing.T) {
	for _, design := range [][]string{
		{"--vary", "places.detox.capacity=3,9"},
		{"--psa", "2"},
	} {
		dir := filepath.Join(t.TempDir(), "sw")
		args := append([]string{"sweep"}, design...)
		args = append(args, "--replications", "2", "--warmup", "2y", "--horizon", "1y", "--quiet", "--out", dir)
		if code, _, stderr := execute(t, args...); code != exitOK {
			t.Fatalf("%v: exit %d: %s", design, code, stderr)
		}
		rows := readCSV(t, filepath.Join(dir, "points.csv"))
		cmd := shellWords(rows[2][len(rows[2])-1]) // point 1
		if cmd[0] != "journeysim" || cmd[len(cmd)-2] != "--out" {
			t.Fatalf("%v: command %q", design, cmd)
		}
		out := filepath.Join(t.TempDir(), "point")
		runArgs := append(append([]string(nil), cmd[1:len(cmd)-1]...), out, "--quiet")
		if code, _, stderr := execute(t, runArgs...); code != exitOK {
			t.Fatalf("%v: %q: exit %d: %s", design, cmd, code, stderr)
		}
		results := readCSV(t, filepath.Join(dir, "results.csv"))
		want := map[string]string{} // replication/metric: value
		for _, r := range results[1:] {
			if r[0] != "1" {
				continue
			}
			for j, m := range results[0][2:] {
				want[r[1]+"/"+m] = r[2+j]
			}
		}
		got := readCSV(t, filepath.Join(out, "replications.csv"))
		n := 0
		for _, r := range got[1:] {
			if w, ok := want[r[0]+"/"+r[1]]; ok {
				n++
				if w != r[2] {
					t.Errorf("%v: replication %s, %s: run gives %s, the sweep %s", design, r[0], r[1], r[2], w)
				}
			}
		}
		if n != len(want) || n == 0 {
			t.Errorf("%v: %d of the sweep's %d values found in the run", design, n, len(want))
		}
	}
}

func readCSV(t *testing.T, path string) [][]string {
	t.Helper()
	f, err := os.Open(path)
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	rows, err := csv.NewReader(f).ReadAll()
	if err != nil || len(rows) < 2 {
		t.Fatalf("%s: %v", path, err)
	}
	return rows
}
