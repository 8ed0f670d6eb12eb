package output

import (
	"bytes"
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"io/fs"
	"os"
	"path"
	"path/filepath"
	"slices"
	"strings"
	"sync"
)

// Every directory journeysim writes results into carries a marker file
// saying so and listing what it wrote there. A directory is only replaced,
// emptied or written into when its marker is there, belongs to this user,
// and accounts for every file it holds: journeysim never deletes or
// overwrites a file it did not write.
const (
	markerName = ".journeysim"
	lockName   = ".journeysim.lock"
)

// Kinds of result directory, as their markers name them.
const (
	KindRun     = "run results"
	KindCompare = "comparison results"
	KindSweep   = "sweep"
	KindKept    = "kept replications"
	KindFigures = "figures"
)

// dirMark is the marker's content.
type dirMark struct {
	Journeysim string   `json:"journeysim"`         // the kind of directory
	Files      []string `json:"files,omitempty"`    // slash-separated paths written
	Patterns   []string `json:"patterns,omitempty"` // path.Match patterns of paths it may write
}

// owns reports whether the marker accounts for rel, a slash-separated path
// in its directory.
func (m *dirMark) owns(rel string) bool {
	if rel == markerName || rel == lockName || isTempName(path.Base(rel)) {
		return true
	}
	if slices.Contains(m.Files, rel) {
		return true
	}
	for _, p := range m.Patterns {
		if ok, _ := path.Match(p, rel); ok {
			return true
		}
	}
	return false
}

// isTempName reports whether name is one of the temporary names the atomic
// writers use (".NAME.tmp-…"): left behind only by a process killed outright.
func isTempName(name string) bool {
	return strings.HasPrefix(name, ".") && strings.Contains(name, ".tmp-")
}

// ErrNotOurs is the error of a target journeysim must not write to.
var ErrNotOurs = errors.New("output: not a directory journeysim wrote")

func notOurs(dir, format string, a ...any) error {
	return fmt.Errorf("%w: %s %s", ErrNotOurs, dir, fmt.Sprintf(format, a...))
}

// checkTarget refuses, whatever the flags, a target that is the root, the
// home directory, the working directory or one of its ancestors, a symbolic
// link, or anything but a directory. It returns whether dir exists.
func checkTarget(dir string) (exists bool, err error) {
	if dir == "" {
		return false, notOurs(`""`, "is not a directory name")
	}
	abs, err := filepath.Abs(dir)
	if err != nil {
		return false, fmt.Errorf("output: %w", err)
	}
	real := abs
	if r, err := filepath.EvalSymlinks(abs); err == nil {
		real = r
	}
	if real == filepath.Dir(real) {
		return false, notOurs(dir, "is the root of the file system")
	}
	if home, err := os.UserHomeDir(); err == nil && home != "" {
		if h, err := filepath.EvalSymlinks(home); err == nil && h == real {
			return false, notOurs(dir, "is your home directory: write results into a new folder in it")
		}
	}
	if wd, err := os.Getwd(); err == nil {
		if w, err := filepath.EvalSymlinks(wd); err == nil {
			if rel, err := filepath.Rel(real, w); err == nil && (rel == "." || !strings.HasPrefix(rel, "..")) {
				return false, notOurs(dir, "is the working directory or holds it: write results into a new folder")
			}
		}
	}
	fi, err := os.Lstat(dir)
	switch {
	case errors.Is(err, fs.ErrNotExist):
		return false, nil
	case err != nil:
		return false, fmt.Errorf("output: %w", err)
	case fi.Mode()&fs.ModeSymlink != 0:
		return true, notOurs(dir, "is a symbolic link: name the directory itself")
	case !fi.IsDir():
		return true, notOurs(dir, "is a file, not a directory: journeysim writes a directory of results")
	}
	return true, nil
}

// readMark returns dir's marker, or nil if it has none that this user wrote.
func readMark(dir string) (*dirMark, error) {
	p := filepath.Join(dir, markerName)
	fi, err := os.Lstat(p)
	if errors.Is(err, fs.ErrNotExist) {
		return nil, nil
	}
	if err != nil {
		return nil, fmt.Errorf("output: %w", err)
	}
	if !fi.Mode().IsRegular() || !ownedByMe(fi) || fi.Size() > 16<<20 {
		return nil, nil
	}
	b, err := os.ReadFile(p)
	if err != nil {
		return nil, fmt.Errorf("output: %w", err)
	}
	var m dirMark
	if json.Unmarshal(b, &m) != nil || m.Journeysim == "" {
		return nil, nil
	}
	return &m, nil
}

// writeMark writes m as dir's marker.
func writeMark(dir string, m *dirMark) error {
	slices.Sort(m.Files)
	m.Files = slices.Compact(m.Files)
	b, err := json.MarshalIndent(m, "", "  ")
	if err != nil {
		return err
	}
	return WriteFileAtomic(filepath.Join(dir, markerName), append(b, '\n'))
}

// foreignFiles returns up to max paths in dir (slash-separated, relative)
// that its marker m does not account for. A subdirectory with a marker of
// its own is journeysim's too when nested is true, and foreign otherwise.
func foreignFiles(dir string, m *dirMark, nested bool, max int) ([]string, error) {
	var out []string
	err := walkBelow(dir, func(p, rel string, d fs.DirEntry) error {
		switch {
		case d.Type()&fs.ModeSymlink != 0:
			out = append(out, rel)
		case d.IsDir():
			sub, err := readMark(p)
			if err != nil {
				return err
			}
			if sub != nil {
				if !nested {
					out = append(out, rel+"/")
				}
				return fs.SkipDir
			}
			return nil
		case !m.owns(rel):
			out = append(out, rel)
		}
		if len(out) >= max {
			return fs.SkipAll
		}
		return nil
	})
	return out, err
}

// walkBelow walks what dir holds (not dir itself), calling fn with each
// path, the path relative to dir with slashes, and its entry.
func walkBelow(dir string, fn func(p, rel string, d fs.DirEntry) error) error {
	return filepath.WalkDir(dir, func(p string, d fs.DirEntry, err error) error {
		if err != nil {
			return err
		}
		if p == dir {
			return nil
		}
		rel, _ := filepath.Rel(dir, p)
		return fn(p, filepath.ToSlash(rel), d)
	})
}

// entries returns up to max names in dir.
func entries(dir string, max int) ([]string, error) {
	f, err := os.Open(dir)
	if err != nil {
		return nil, fmt.Errorf("output: %w", err)
	}
	defer f.Close()
	names, err := f.Readdirnames(max)
	if err != nil && len(names) == 0 && !errors.Is(err, io.EOF) {
		return nil, fmt.Errorf("output: %w", err)
	}
	slices.Sort(names)
	return names, nil
}

func listNames(names []string) string {
	const show = 5
	s := strings.Join(names[:min(len(names), show)], ", ")
	if len(names) > show {
		s += ", …"
	}
	return s
}

// ownDir checks that journeysim may write into dir as a directory of kind:
// dir is new or empty, or carries this user's marker and holds nothing the
// marker does not account for. It returns the marker (nil if dir is new or
// empty) and whether dir exists.
func ownDir(dir, kind string, nested bool) (*dirMark, bool, error) {
	exists, err := checkTarget(dir)
	if err != nil || !exists {
		return nil, exists, err
	}
	m, err := readMark(dir)
	if err != nil {
		return nil, true, err
	}
	if m == nil {
		names, err := entries(dir, 6)
		if err != nil {
			return nil, true, err
		}
		if len(names) == 0 {
			return nil, true, nil
		}
		if nested && allMarked(dir) {
			return nil, true, nil
		}
		return nil, true, notOurs(dir, "holds files journeysim did not write (%s): choose a new or empty directory", listNames(names))
	}
	if kind != "" && m.Journeysim != kind {
		return nil, true, notOurs(dir, "holds journeysim's %s, not its %s: choose another directory", m.Journeysim, kind)
	}
	foreign, err := foreignFiles(dir, m, nested, 6)
	if err != nil {
		return nil, true, fmt.Errorf("output: %w", err)
	}
	if len(foreign) > 0 {
		return nil, true, notOurs(dir, "holds files journeysim did not write (%s): move them out, or choose another directory", listNames(foreign))
	}
	return m, true, nil
}

// allMarked reports whether every entry of dir is a directory with a
// marker of its own (as the parent of a sweep's shards is).
func allMarked(dir string) bool {
	es, err := os.ReadDir(dir)
	if err != nil {
		return false
	}
	for _, e := range es {
		if !e.IsDir() || e.Type()&fs.ModeSymlink != 0 {
			return false
		}
		if m, err := readMark(filepath.Join(dir, e.Name())); err != nil || m == nil {
			return false
		}
	}
	return true
}

// CheckReplace refuses, before any work, a directory that WriteDir could
// not replace: one that exists without force, and, with or without it,
// any that journeysim did not write or that holds anything else.
func CheckReplace(dir, kind string, force bool) error {
	m, exists, err := ownDir(dir, kind, false)
	if err != nil {
		return err
	}
	if exists && m != nil && !force {
		return fmt.Errorf("%w: %s (use --force to replace it, or --out to write elsewhere)", ErrExists, dir)
	}
	return nil
}

// removeOwned deletes what dir's marker accounts for, then every directory
// left empty; anything else stays. Unless keep, dir itself goes too when
// nothing else is left in it. The lock file stays while keep: another
// process may be waiting on it.
func removeOwned(dir string, keep bool) error {
	m, err := readMark(dir)
	if err != nil || m == nil {
		return err
	}
	var files, dirs []string
	err = walkBelow(dir, func(p, rel string, d fs.DirEntry) error {
		switch {
		case d.Type()&fs.ModeSymlink != 0:
		case d.IsDir():
			if sub, _ := readMark(p); sub != nil {
				return fs.SkipDir
			}
			dirs = append(dirs, p)
		case rel == markerName || rel == lockName:
		case m.owns(rel):
			files = append(files, p)
		}
		return nil
	})
	if err != nil {
		return fmt.Errorf("output: %w", err)
	}
	for _, f := range files {
		if err := os.Remove(f); err != nil && !errors.Is(err, fs.ErrNotExist) {
			return fmt.Errorf("output: %w", err)
		}
	}
	for i := len(dirs) - 1; i >= 0; i-- {
		os.Remove(dirs[i]) // only if empty
	}
	if keep {
		return nil
	}
	names, _ := entries(dir, 3)
	for _, n := range names {
		if n != markerName && n != lockName {
			return nil // something else is left: the directory stays
		}
	}
	os.Remove(filepath.Join(dir, lockName))
	os.Remove(filepath.Join(dir, markerName))
	return os.Remove(dir)
}

// makeOwned creates dir, if need be, with a marker of kind.
func makeOwned(dir string, m *dirMark) error {
	if err := os.MkdirAll(dir, 0o755); err != nil {
		return fmt.Errorf("output: %w", err)
	}
	return writeMark(dir, m)
}

// RemoveOwned deletes the files journeysim wrote in dir, as its marker
// lists them, and dir if that empties it. A directory without a marker is
// left alone.
func RemoveOwned(dir string) error {
	if _, err := os.Lstat(dir); errors.Is(err, fs.ErrNotExist) {
		return nil
	}
	return removeOwned(dir, false)
}

// errLocked is a lock that another process holds.
var errLocked = errors.New("output: locked")

// lockDir takes dir's lock, exclusive or shared, and says who to wait for
// when another journeysim holds it.
func lockDir(dir string, exclusive bool) (func(), error) {
	unlock, err := lockPath(filepath.Join(dir, lockName), exclusive)
	switch {
	case errors.Is(err, errLocked):
		return nil, fmt.Errorf("output: %s is in use by another journeysim (a sweep, merge or write still running there): wait for it to end, or stop it", dir)
	case err != nil:
		// No lock file can be made: the directory is not writable, so
		// this process will not write there either.
		return func() {}, nil
	}
	return unlock, nil
}

// temporaries are the temporary files and directories being written now,
// so that a process stopped before they are renamed can remove them.
var temporaries sync.Map

// RemoveTemporaries removes the temporary files and directories that
// writes in progress have made: what a command stopped mid-write leaves.
func RemoveTemporaries() {
	temporaries.Range(func(k, _ any) bool {
		os.RemoveAll(k.(string))
		temporaries.Delete(k)
		return true
	})
}

// Kept files hold a run's finished replications until its results are
// written (run's partial directory): each is a header with the checksum
// of its payload, so a damaged file is run again rather than read.
const keptHeader = "journeysim kept replication, sha256 %s\n"

// CheckKept checks that dir, if it exists, is the store of a run's kept
// replications that journeysim wrote, holding nothing else.
func CheckKept(dir string) error {
	_, _, err := ownDir(dir, KindKept, false)
	return err
}

// WriteKept writes payload to path, a file in the kept directory dir,
// which it makes, with its marker, if need be.
func WriteKept(dir, path string, payload []byte) error {
	if m, err := readMark(dir); err != nil {
		return err
	} else if m == nil {
		if err := makeOwned(dir, &dirMark{Journeysim: KindKept, Patterns: []string{"*/rep-*.gob"}}); err != nil {
			return err
		}
	}
	sum := sha256.Sum256(payload)
	return WriteFileStream(path, func(w io.Writer) error {
		if _, err := fmt.Fprintf(w, keptHeader, hex.EncodeToString(sum[:])); err != nil {
			return err
		}
		_, err := w.Write(payload)
		return err
	})
}

// readOwned reads path if it is a regular file this user owns: a file
// journeysim may have written, not a link or another user's file put in
// its place.
func readOwned(path string) ([]byte, error) {
	fi, err := os.Lstat(path)
	if err != nil {
		return nil, err
	}
	if !fi.Mode().IsRegular() || !ownedByMe(fi) {
		return nil, fmt.Errorf("%s is not a file this user wrote", path)
	}
	return os.ReadFile(path)
}

// ReadKept returns the payload of a kept file that this user wrote and
// that is whole; an error otherwise.
func ReadKept(path string) ([]byte, error) {
	data, err := readOwned(path)
	if err != nil {
		return nil, err
	}
	head, payload, ok := bytes.Cut(data, []byte("\n"))
	var sum string
	if !ok {
		return nil, fmt.Errorf("%s is cut short", path)
	}
	if _, err := fmt.Sscanf(string(head)+"\n", keptHeader, &sum); err != nil {
		return nil, fmt.Errorf("%s is not a kept replication", path)
	}
	if s := sha256.Sum256(payload); hex.EncodeToString(s[:]) != sum {
		return nil, fmt.Errorf("%s is damaged: its checksum does not match", path)
	}
	return payload, nil
}
