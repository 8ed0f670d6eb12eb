package output

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/journeysim/journeysim/models/sweep"
)

// TestCheckTarget: the root, the home directory, the working directory and
// its ancestors, files and symbolic links are never output directories.
// Only the checks run here: nothing is written or removed.
func TestCheckTarget(t *testing.T) {
	root := t.TempDir()
	work := filepath.Join(root, "a", "b")
	os.MkdirAll(work, 0o755)
	t.Chdir(work)
	home := filepath.Join(root, "home")
	os.Mkdir(home, 0o755)
	t.Setenv("HOME", home)
	os.WriteFile(filepath.Join(root, "f"), []byte("x"), 0o644)
	os.Mkdir(filepath.Join(root, "target"), 0o755)
	os.Symlink(filepath.Join(root, "target"), filepath.Join(root, "l"))
	for _, tt := range []struct{ dir, want string }{
		{"/", "root of the file system"},
		{"/.", "root of the file system"},
		{"//", "root of the file system"},
		{".", "working directory"},
		{"./", "working directory"},
		{"..", "working directory"},
		{"../..", "working directory"},
		{work, "working directory"},
		{home, "home directory"},
		{home + "/", "home directory"},
		{filepath.Join(root, "f"), "is a file"},
		{filepath.Join(root, "l"), "symbolic link"},
		{"", "not a directory name"},
	} {
		for _, force := range []bool{false, true} {
			err := CheckReplace(tt.dir, KindRun, force)
			if !errors.Is(err, ErrNotOurs) || !strings.Contains(err.Error(), tt.want) {
				t.Errorf("CheckReplace(%q, force %v) = %v; want %q", tt.dir, force, err, tt.want)
			}
		}
	}
	for _, ok := range []string{filepath.Join(root, "new"), "sub/new", filepath.Join(home, "results")} {
		if err := CheckReplace(ok, KindRun, false); err != nil {
			t.Errorf("CheckReplace(%q) = %v", ok, err)
		}
	}
}

// TestRemoveOwned: only what the marker lists goes, and a directory that
// still holds anything else stays.
func TestRemoveOwned(t *testing.T) {
	dir := filepath.Join(t.TempDir(), "out")
	var b Bundle
	b.Add("a.csv", func(w io.Writer) error { _, err := w.Write([]byte("1")); return err })
	b.Add("sub/b.csv", func(w io.Writer) error { _, err := w.Write([]byte("2")); return err })
	if err := b.WriteDir(dir, KindRun, false); err != nil {
		t.Fatal(err)
	}
	os.WriteFile(filepath.Join(dir, "sub", "mine.txt"), []byte("mine"), 0o644)
	if err := RemoveOwned(dir); err != nil {
		t.Fatal(err)
	}
	left := []string{}
	filepath.WalkDir(dir, func(p string, d os.DirEntry, err error) error {
		if err == nil && !d.IsDir() {
			rel, _ := filepath.Rel(dir, p)
			left = append(left, rel)
		}
		return nil
	})
	if strings.Join(left, " ") != ".journeysim sub/mine.txt" {
		t.Errorf("left %v; want the marker and the user's file", left)
	}
	os.Remove(filepath.Join(dir, "sub", "mine.txt"))
	if err := RemoveOwned(dir); err != nil {
		t.Fatal(err)
	}
	if _, err := os.Stat(dir); err == nil {
		t.Error("an emptied directory is still there")
	}
	// A directory without a marker is left alone.
	plain := t.TempDir()
	os.WriteFile(filepath.Join(plain, "x"), nil, 0o644)
	RemoveOwned(plain)
	if _, err := os.Stat(filepath.Join(plain, "x")); err != nil {
		t.Error("RemoveOwned emptied a directory without a marker")
	}
}

// TestMergeStops: a merge whose context ends stops and leaves neither
// results nor temporary files.
func TestMergeStops(t *testing.T) {
	dir := filepath.Join(t.TempDir(), "sw")
	man := &SweepManifest{Scenario: "x", Seed: 1, Replications: 1, Version: "test", Metrics: []string{"m"}, Units: []string{"per year"}}
	man.Params = []string{"p"}
	for i := range 3 {
		man.Points = append(man.Points, sweep.Point{ID: i, Values: []string{"1"}})
	}
	unlock, err := openSweepDir(man, dir, false)
	if err != nil {
		t.Fatal(err)
	}
	for i := range 3 {
		WriteFileAtomic(filepath.Join(dir, sweepParts, partName(i)), encodePart(man, i, []byte(fmt.Sprintf("%d,0,1\n", i))))
	}
	unlock()
	ctx, cancel := context.WithCancel(context.Background())
	cancel()
	if err := MergeSweep(ctx, []string{dir}, dir); !errors.Is(err, context.Canceled) {
		t.Fatalf("MergeSweep = %v; want the context's error", err)
	}
	left, _ := filepath.Glob(filepath.Join(dir, "*"))
	hidden, _ := filepath.Glob(filepath.Join(dir, ".*.tmp-*"))
	for _, p := range append(left, hidden...) {
		if b := filepath.Base(p); b == "results.csv" || strings.Contains(b, ".tmp-") {
			t.Errorf("left %s", b)
		}
	}
	if err := MergeSweep(context.Background(), []string{dir}, dir); err != nil {
		t.Fatal(err)
	}
	if got, _ := os.ReadFile(filepath.Join(dir, "results.csv")); !bytes.Equal(got, []byte("point,replication,m\n0,0,1\n1,0,1\n2,0,1\n")) {
		t.Errorf("results.csv:\n%s", got)
	}
}

func TestSafeCell(t *testing.T) {
	for in, want := range map[string]string{
		"=HYPERLINK(\"x\")": "'=HYPERLINK(\"x\")", "+1+2": "'+1+2", "@SUM(A1)": "'@SUM(A1)", "-x": "'-x",
		"\tx": "'\tx", "-1.5": "-1.5", "+3": "+3", "-1e-05": "-1e-05", "detox": "detox", "": "",
	} {
		if got := SafeCell(in); got != want {
			t.Errorf("SafeCell(%q) = %q; want %q", in, got, want)
		}
	}
}

// TestCleanWriter: control characters are escaped even when a character
// is split between two writes; text and newlines pass as they are.
func TestCleanWriter(t *testing.T) {
	var b bytes.Buffer
	w := &CleanWriter{W: &b}
	in := "a\x1b[31mred\u009b1m é\n\tok"
	for i := range len(in) { // one byte at a time
		w.Write([]byte{in[i]})
	}
	if want := `a\x1b[31mred\x9b1m é` + "\n\tok"; b.String() != want {
		t.Errorf("got %q; want %q", b.String(), want)
	}
}

func TestMdText(t *testing.T) {
	got := mdText("<b>x</b> [l](javascript:y)\n## Heading | *a* _b_ `c`")
	want := `&lt;b&gt;x&lt;/b&gt; \[l\](javascript:y) \#\# Heading \| \*a\* \_b\_ ` + "\\`c\\`"
	if got != want {
		t.Errorf("got  %s\nwant %s", got, want)
	}
}
