package enum

import "testing"

type color string

func TestParse(t *testing.T) {
	if c, err := Parse("colour", []byte("red"), color("red"), "green"); err != nil || c != "red" {
		t.Errorf("Parse(red) = %q, %v", c, err)
	}
	_, err := Parse("colour", []byte("Red"), color("red"), "green", "blue")
	if want := `unknown colour "Red": use red, green or blue`; err == nil || err.Error() != want {
		t.Errorf("Parse(Red): %v, want %q", err, want)
	}
	if got := List(color("a")); got != "a" {
		t.Errorf("List(a) = %q", got)
	}
}
