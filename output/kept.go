package output

import (
	"bytes"
	"crypto/sha256"
	"encoding/gob"
	"encoding/hex"
	"fmt"
	"path/filepath"

	"github.com/journeysim/journeysim/models/result"
)

// A Kept store holds one scenario's finished replications in a run's
// partial directory (beside its output, hidden), keyed by the scenario's
// fingerprint and the version, so that a run started again with the same
// scenario, seed and flags takes them up; any change starts afresh. Each
// file carries a checksum and is read only if this user wrote it.
type Kept struct{ partial, dir string }

// OpenKept returns the store of the scenario with fingerprint under
// partial, checking that partial, if it exists, is journeysim's. An empty
// partial keeps nothing.
func OpenKept(partial, fingerprint, version string) (*Kept, error) {
	if partial == "" {
		return &Kept{}, nil
	}
	if err := CheckKept(partial); err != nil {
		return nil, err
	}
	key := sha256.Sum256([]byte(fingerprint + " " + version))
	return &Kept{partial: partial, dir: filepath.Join(partial, hex.EncodeToString(key[:8]))}, nil
}

// PartialDir is where a run into dir keeps its finished replications until
// it has written its results: beside dir, hidden, so an interrupted run
// leaves no directory that looks like results.
func PartialDir(dir string) string {
	return filepath.Join(filepath.Dir(filepath.Clean(dir)), "."+filepath.Base(filepath.Clean(dir))+".partial")
}

func (k *Kept) path(rep int) string { return filepath.Join(k.dir, fmt.Sprintf("rep-%05d.gob", rep)) }

// Load returns replication rep if the store holds it whole.
func (k *Kept) Load(rep int) (*result.Result, bool) {
	if k.dir == "" {
		return nil, false
	}
	b, err := ReadKept(k.path(rep))
	if err != nil {
		return nil, false // missing, damaged or not this user's: run it again
	}
	var r result.Result
	if gob.NewDecoder(bytes.NewReader(b)).Decode(&r) != nil {
		return nil, false
	}
	return &r, true
}

// Save keeps replication rep.
func (k *Kept) Save(rep int, r *result.Result) error {
	if k.dir == "" {
		return nil
	}
	var buf bytes.Buffer
	if err := gob.NewEncoder(&buf).Encode(r); err != nil {
		return err
	}
	return WriteKept(k.partial, k.path(rep), buf.Bytes())
}

// Count returns how many replications the store holds whole.
func (k *Kept) Count() int {
	m, _ := filepath.Glob(filepath.Join(k.dir, "rep-*.gob"))
	n := 0
	for _, p := range m {
		if _, err := ReadKept(p); err == nil {
			n++
		}
	}
	return n
}

// Dir is the store's directory, where replication files lie.
func (k *Kept) Dir() string { return k.dir }
