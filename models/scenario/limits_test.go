package scenario

import (
	"errors"
	"io/fs"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"syscall"
	"testing"
)

// TestLimits: files at the limits load or fail on their merits; files
// beyond them are refused, with the line, before they are parsed.
func TestLimits(t *testing.T) {
	l := func(text string) error {
		_, err := loadText(text)
		return err
	}
	base := "name = \"x\"\nbase = \"baseline\"\n"
	for _, tt := range []struct {
		name, text, want string
	}{
		{"nesting at the limit", base + "[policy]\nx = " + strings.Repeat("[", maxNesting) + strings.Repeat("]", maxNesting), "policy.x"},
		{"nesting beyond", base + "x = " + strings.Repeat("[", maxNesting+1) + strings.Repeat("]", maxNesting+1), "x.toml:3: arrays and inline tables nested more than 32 deep"},
		{"brackets in strings do not count", base + "description = \"" + strings.Repeat("[{", 100) + "\"\n", ""},
		{"brackets in comments do not count", base + "# " + strings.Repeat("[", 100) + "\n", ""},
		{"brackets in multi-line strings do not count", base + "description = '''\n" + strings.Repeat("[", 100) + "\n'''\n", ""},
		{"a dotted key at the limit", base + "[policy]\n" + strings.Repeat("a.", maxKeyParts-2) + "a = 1\n", "policy.a"},
		{"a dotted key beyond", base + strings.Repeat("a.", maxKeyParts) + "a = 1\n", "x.toml:3: a dotted key of more than 32 parts"},
		{"dots in a number are not parts", base + "[arrivals]\nper_year = 1.5\n", ""},
		{"keys beyond", base + manyKeys(maxKeys+1), "more than 100000 keys in one file"},
	} {
		t.Run(tt.name, func(t *testing.T) {
			err := l(tt.text)
			switch {
			case tt.want == "" && err != nil:
				t.Errorf("refused: %v", err)
			case tt.want != "" && (err == nil || !strings.Contains(err.Error(), tt.want)):
				t.Errorf("error %v; want %q", err, tt.want)
			}
		})
	}
}

// loadText loads text as the file x.toml, whose bases are shipped.
func loadText(text string) (*Scenario, error) {
	return (&Loader{ReadFile: func(name string) ([]byte, error) {
		if name == "x.toml" {
			return []byte(text), nil
		}
		return nil, fs.ErrNotExist
	}}).Load("x.toml", nil)
}

func manyKeys(n int) string {
	var b strings.Builder
	for i := range n {
		b.WriteString("k" + strconv.Itoa(i) + " = 1\n")
	}
	return b.String()
}

// TestManyProblems: a file with twenty thousand unknown keys is refused
// with the first hundred problems and a count of the rest.
func TestManyProblems(t *testing.T) {
	text := "name = \"x\"\nbase = \"baseline\"\n" + manyKeys(20000)
	_, err := loadText(text)
	var ps Problems
	if !errors.As(err, &ps) || len(ps) != maxProblems+1 {
		t.Fatalf("%d problems; want %d and a count", len(ps), maxProblems+1)
	}
	if last := ps[len(ps)-1].String(); last != "and 19900 more problems: mend these and check again" {
		t.Errorf("last line %q", last)
	}
	if ps[0].Line != 3 || ps[maxProblems-1].Line != 102 {
		t.Errorf("lines %d and %d; want 3 and 102", ps[0].Line, ps[maxProblems-1].Line)
	}
}

// TestSpecialFiles: a pipe, a device, a directory or an oversized file
// named as a scenario is refused before it is read, so nothing waits on a
// pipe or reads a device without end.
func TestSpecialFiles(t *testing.T) {
	dir := t.TempDir()
	fifo := filepath.Join(dir, "pipe.toml")
	if err := syscall.Mkfifo(fifo, 0o644); err != nil {
		t.Fatal(err)
	}
	dev := filepath.Join(dir, "zero.toml")
	if err := os.Symlink("/dev/zero", dev); err != nil {
		t.Fatal(err)
	}
	big := filepath.Join(dir, "big.toml")
	if err := os.WriteFile(big, nil, 0o644); err != nil {
		t.Fatal(err)
	}
	if err := os.Truncate(big, maxFileBytes+1); err != nil {
		t.Fatal(err)
	}
	for _, tt := range []struct{ path, want string }{
		{fifo, "is not a regular file"},
		{dev, "is not a regular file"},
		{big, "a scenario file is at most 8 MiB"},
	} {
		_, err := Load(tt.path, nil)
		if err == nil || !strings.Contains(err.Error(), tt.want) {
			t.Errorf("%s: %v; want %q", filepath.Base(tt.path), err, tt.want)
		}
		area := filepath.Join(dir, "area.toml")
		os.WriteFile(area, []byte("name = \"a\"\nbase = \""+filepath.Base(tt.path)+"\"\n"), 0o644)
		if _, err := Load(area, nil); err == nil || !strings.Contains(err.Error(), "area.toml:2: base: ") || !strings.Contains(err.Error(), tt.want) {
			t.Errorf("as a base, %s: %v", filepath.Base(tt.path), err)
		}
	}
}
