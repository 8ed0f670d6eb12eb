package models

import (
	"fmt"
	"strings"
	"testing"
	"unsafe"
)

// TestClientLayout: fields get the bits they need, never straddle a word,
// read back what was set, and a scenario that needs more than 128 bits is
// told so.
func TestClientLayout(t *testing.T) {
	if n := unsafe.Sizeof(Client{}); n != 48 {
		t.Errorf("Client is %d bytes, want 48", n)
	}
	s := &Scope{
		Attributes: []Attribute{{Name: "a", Levels: []string{"x", "y", "z"}}, {Name: "b", Levels: []string{"only"}}},
		Places:     []string{"p", "q", "r"},
		Parallel:   map[string]int{"r": 0},
		counted:    map[string]bool{"q": true},
	}
	l, err := s.layoutOf()
	if err != nil {
		t.Fatal(err)
	}
	if w := []uint8{l.attr[0].width, l.attr[1].width, l.hold.width, l.adm[0].width, l.adm[1].width, l.adm[2].width}; fmt.Sprint(w) != "[2 0 1 1 8 1]" {
		t.Errorf("widths %v, want [2 0 1 1 8 1]", w)
	}
	var c Client
	l.setAttr(&c, 0, 2)
	l.setHolds(&c, 0, true)
	for range 300 {
		l.adm[1].inc(&c)
	}
	l.adm[0].inc(&c)
	l.adm[0].inc(&c)
	c.setFlag(flagWaiting, true)
	if l.attrOf(&c, 0) != 2 || l.attrOf(&c, 1) != 0 || !l.holds(&c, 0) || l.admissions(&c, 1) != 255 || l.admissions(&c, 0) != 1 || l.admissions(&c, 2) != 0 || !c.Waiting() {
		t.Errorf("read back: attr %d %d, holds %v, admissions %d %d %d, waiting %v",
			l.attrOf(&c, 0), l.attrOf(&c, 1), l.holds(&c, 0), l.admissions(&c, 0), l.admissions(&c, 1), l.admissions(&c, 2), c.Waiting())
	}
	for _, f := range append(append([]bitField{l.hold}, l.attr...), l.adm...) {
		if int(f.shift)+int(f.width) > 64 {
			t.Errorf("field %+v straddles a word", f)
		}
	}

	big := &Scope{Parallel: map[string]int{}}
	for i := range 8 {
		levels := make([]string, 200)
		for j := range levels {
			levels[j] = fmt.Sprint(j)
		}
		big.Attributes = append(big.Attributes, Attribute{Name: fmt.Sprint("a", i), Levels: levels})
	}
	for i := range 64 {
		big.Parallel[fmt.Sprint("h", i)] = i
	}
	if _, err := big.layoutOf(); err == nil || !strings.Contains(err.Error(), "need 171 bits a client, and 128 hold them") {
		t.Errorf("8 attributes of 200 levels and 64 parallel places: error %v", err)
	}
}
