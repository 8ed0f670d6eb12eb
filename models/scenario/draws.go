package scenario

import (
	"bufio"
	"bytes"
	"errors"
	"fmt"
	"io"
	"io/fs"
	"math"
	"path"
	"path/filepath"
	"slices"
	"strconv"
	"strings"
)

// Draws are posterior draws of a scenario's parameters, as journeysim
// calibrate --posterior writes them: a CSV file whose comment lines (#)
// say how they were made, then a header "draw,distance,PATH…" and one row
// a draw, each an equally weighted sample of the posterior.
type Draws struct {
	File     string
	Params   []string
	Distance []float64   // by draw: the distance to the targets
	Rows     [][]float64 // by draw, the value of each of Params
}

// Encode writes the draws as CSV after the comment lines of header (each
// line gets "# ").
func (d *Draws) Encode(header string) []byte {
	var b bytes.Buffer
	for _, l := range strings.Split(strings.TrimRight(header, "\n"), "\n") {
		b.WriteString(strings.TrimRight("# "+l, " ") + "\n")
	}
	b.WriteString("draw,distance," + strings.Join(d.Params, ",") + "\n")
	for i, row := range d.Rows {
		b.WriteString(strconv.Itoa(i) + "," + strconv.FormatFloat(d.Distance[i], 'g', 6, 64))
		for _, x := range row {
			b.WriteString("," + strconv.FormatFloat(x, 'g', -1, 64))
		}
		b.WriteString("\n")
	}
	return b.Bytes()
}

// ReadDraws reads a draws file; name is for messages.
func ReadDraws(name string, r io.Reader) (*Draws, error) {
	d := &Draws{File: name}
	sc := bufio.NewScanner(r)
	sc.Buffer(nil, 1<<20)
	line := 0
	bad := func(msg string, a ...any) error {
		return fmt.Errorf("%s:%d: %s", name, line, fmt.Sprintf(msg, a...))
	}
	for sc.Scan() {
		line++
		t := strings.TrimSpace(sc.Text())
		if t == "" || strings.HasPrefix(t, "#") {
			continue
		}
		fs := strings.Split(t, ",")
		if d.Params == nil {
			if len(fs) < 3 || fs[0] != "draw" || fs[1] != "distance" {
				return nil, bad("the header must be draw,distance, then the parameters' key paths")
			}
			d.Params = slices.Clone(fs[2:])
			continue
		}
		if len(fs) != len(d.Params)+2 {
			return nil, bad("%d fields, the header has %d", len(fs), len(d.Params)+2)
		}
		row := make([]float64, len(d.Params))
		for i, f := range append([]string{fs[1]}, fs[2:]...) {
			x, err := strconv.ParseFloat(f, 64)
			if err != nil || math.IsNaN(x) || math.IsInf(x, 0) && i > 0 {
				return nil, bad("%q is not a number", f)
			}
			if i == 0 {
				d.Distance = append(d.Distance, x)
			} else {
				row[i-1] = x
			}
		}
		d.Rows = append(d.Rows, row)
	}
	if err := sc.Err(); err != nil {
		return nil, fmt.Errorf("%s: %w", name, err)
	}
	if len(d.Rows) == 0 {
		return nil, fmt.Errorf("%s: no draws: a header draw,distance,PATH… then one row a draw", name)
	}
	return d, nil
}

// readDraws reads the draws file the scenario's posterior key names,
// relative to the file (or embedded scenario) that set the key.
func (l *Loader) readDraws(sc *Scenario, chain []*source) error {
	from := sc.OriginOf("posterior")
	var src *source
	for _, s := range chain {
		if s.name == from {
			src = s
		}
	}
	if src == nil {
		return errors.New("posterior: set by an override, not a file: give it in a scenario file, relative to that file")
	}
	var b []byte
	var err error
	name := sc.Posterior
	if src.embedded {
		name = path.Join(path.Dir(src.name), sc.Posterior)
		b, err = fs.ReadFile(l.embedded(), name)
	} else {
		if !filepath.IsAbs(name) {
			name = filepath.Join(filepath.Dir(src.name), name)
		}
		b, err = l.readFile(name)
	}
	if err != nil {
		return fmt.Errorf("posterior: %w", err)
	}
	d, err := ReadDraws(name, bytes.NewReader(b))
	if err != nil {
		return err
	}
	sc.Draws = d
	return nil
}
