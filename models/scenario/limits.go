package scenario

import (
	"errors"
	"fmt"
	"io"
	"io/fs"
	"os"
)

// Limits on a scenario file, checked before it is parsed, so that no file
// can make the TOML parser run long or take much memory (its time and
// memory grow with the square of the nesting depth). A real scenario is
// far inside them: the shipped ones are under 40 KB, nest 4 deep, have
// keys of up to 6 parts and about 2,000 keys.
const (
	maxFileBytes = 8 << 20 // bytes in a scenario file
	maxNesting   = 32      // arrays and inline tables one inside another
	maxKeyParts  = 32      // parts of a dotted key or a table's name
	maxKeys      = 100_000 // keys in a file
	maxProblems  = 100     // problems reported at once; the rest are counted
)

// ReadFile reads a scenario file from disk as a Loader does by default, for
// a Loader.ReadFile that serves some files from elsewhere.
func ReadFile(path string) ([]byte, error) { return readScenarioFile(path) }

// readScenarioFile reads a scenario file from disk: a regular file of at
// most maxFileBytes, so that a device, a pipe or a huge file is refused
// before it is read. A directory reads as no file (fs.ErrNotExist).
func readScenarioFile(path string) ([]byte, error) {
	fi, err := os.Stat(path)
	if err != nil {
		return nil, err
	}
	if fi.IsDir() {
		return nil, fs.ErrNotExist
	}
	if !fi.Mode().IsRegular() {
		return nil, fmt.Errorf("%s is not a regular file: a scenario is a .toml file", path)
	}
	if fi.Size() > maxFileBytes {
		return nil, fmt.Errorf("%s is %s: a scenario file is at most %s", path, formatMiB(fi.Size()), formatMiB(maxFileBytes))
	}
	f, err := os.Open(path)
	if err != nil {
		return nil, err
	}
	defer f.Close()
	if fi, err := f.Stat(); err != nil || !fi.Mode().IsRegular() {
		return nil, fmt.Errorf("%s is not a regular file: a scenario is a .toml file", path)
	}
	b, err := io.ReadAll(io.LimitReader(f, maxFileBytes+1))
	if err != nil {
		return nil, err
	}
	if len(b) > maxFileBytes {
		return nil, fmt.Errorf("%s is over %s: a scenario file is at most that", path, formatMiB(maxFileBytes))
	}
	return b, nil
}

var errLimit = errors.New("limit")

// checkLimits scans TOML text, without parsing it, for nesting, key parts
// and keys beyond the limits, and returns the first breach with its line.
// It knows strings (basic, literal and multi-line) and comments, so that
// brackets, dots and equals signs inside them do not count.
func checkLimits(text []byte) (line int, msg string) {
	line = 1
	var stack []byte  // '[' or '{' for each open array or inline table
	atStart := true   // at the start of a line, but for blanks
	expectKey := true // the next word is a key
	header := false   // inside a table header, [a.b] or [[a.b]]
	parts, keys := 1, 0
	for i := 0; i < len(text); i++ {
		c := text[i]
		switch c {
		case '\n':
			line++
			atStart = true
			if len(stack) == 0 {
				expectKey, header, parts = true, false, 1
			}
			continue
		case ' ', '\t', '\r':
			continue
		case '#':
			for i < len(text) && text[i] != '\n' {
				i++
			}
			i--
			continue
		case '"', '\'':
			end, nl := skipString(text, i)
			if end < 0 {
				return line, "" // unterminated: the parser says so
			}
			line += nl
			i = end
			atStart = false
			continue
		}
		wasStart := atStart
		atStart = false
		switch {
		case header:
			switch c {
			case '.':
				parts++
			case ']':
				if parts > maxKeyParts {
					return line, fmt.Sprintf("a table name of %d parts: at most %d", parts, maxKeyParts)
				}
				header = false
			}
		case c == '[' && wasStart && len(stack) == 0:
			header, parts = true, 1
			if i+1 < len(text) && text[i+1] == '[' {
				i++
			}
		case expectKey && c == '.':
			if parts++; parts > maxKeyParts {
				return line, fmt.Sprintf("a dotted key of more than %d parts", maxKeyParts)
			}
		case expectKey && c == '=':
			expectKey, parts = false, 1
			if keys++; keys > maxKeys {
				return line, fmt.Sprintf("more than %d keys in one file", maxKeys)
			}
		case c == '[' || c == '{':
			stack = append(stack, c)
			if len(stack) > maxNesting {
				return line, fmt.Sprintf("arrays and inline tables nested more than %d deep", maxNesting)
			}
			expectKey, parts = c == '{', 1
		case c == ']' || c == '}':
			if len(stack) > 0 {
				stack = stack[:len(stack)-1]
			}
		case c == ',' && len(stack) > 0 && stack[len(stack)-1] == '{':
			expectKey, parts = true, 1
		}
	}
	return 0, ""
}

// skipString returns the index of the last byte of the string that opens
// at text[i] (basic or literal, single- or multi-line), and the newlines
// in it; -1 if it does not end.
func skipString(text []byte, i int) (end, newlines int) {
	q := text[i]
	multi := i+2 < len(text) && text[i+1] == q && text[i+2] == q
	j := i + 1
	if multi {
		j = i + 3
	}
	for ; j < len(text); j++ {
		c := text[j]
		switch {
		case c == '\\' && q == '"':
			if j+1 < len(text) && text[j+1] == '\n' {
				newlines++
			}
			j++
		case c == '\n':
			if !multi {
				return -1, newlines
			}
			newlines++
		case c == q && !multi:
			return j, newlines
		case c == q && j+2 < len(text) && text[j+1] == q && text[j+2] == q:
			// Up to two more quotes may end the string's content.
			k := j + 3
			for n := 0; n < 2 && k < len(text) && text[k] == q; n++ {
				k++
			}
			return k - 1, newlines
		}
	}
	return -1, newlines
}

func formatMiB(n int64) string { return fmt.Sprintf("%.3g MiB", float64(n)/(1<<20)) }
