package suggest

import "testing"

func TestClosest(t *testing.T) {
	known := []string{"capacity", "stay", "exits", "routes", "to", "when", "admissions.detox", "admissions.rehab"}
	tests := []struct {
		name, want string
	}{
		{"capcity", "capacity"},   // deletion
		{"capaciity", "capacity"}, // insertion
		{"capasity", "capacity"},  // substitution
		{"cpaacity", "capacity"},  // swap
		{"capcty", "capacity"},    // two edits
		{"cpcty", ""},             // three edits
		{"Stay", "stay"},          // case is an edit
		{"wehn", "when"},          // swap in a short name
		{"tp", "to"},              // one edit in two letters
		{"x", ""},                 // too short to guess
		{"id", ""},                // two edits from "to", but only two letters
		{"admission.detox", "admissions.detox"},
		{"admissions.rehb", "admissions.rehab"},
		{"exit", "exits"},
		{"route", "routes"},
		{"stay", "stay"},
		{"", ""},
		{"priority", ""},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if got := Closest(tt.name, known); got != tt.want {
				t.Errorf("Closest(%q) = %q, want %q", tt.name, got, tt.want)
			}
		})
	}
	t.Run("tie goes to the first", func(t *testing.T) {
		if got := Closest("rat", []string{"cat", "hat", "rag"}); got != "cat" {
			t.Errorf("Closest = %q, want %q", got, "cat")
		}
	})
	t.Run("closest wins", func(t *testing.T) {
		if got := Closest("detox", []string{"detax", "detox_2", "detox"}); got != "detox" {
			t.Errorf("Closest = %q, want %q", got, "detox")
		}
	})
	t.Run("no known", func(t *testing.T) {
		if got := Closest("detox", nil); got != "" {
			t.Errorf("Closest = %q, want \"\"", got)
		}
	})
}

func TestEditDistance(t *testing.T) {
	tests := []struct {
		a, b string
		want int
	}{
		{"", "", 0},
		{"", "abc", 3},
		{"abc", "", 3},
		{"kitten", "sitting", 3},
		{"detox", "detxo", 1},
		{"ca", "abc", 3}, // optimal string alignment, not full Damerau
		{"é", "e", 1},
	}
	for _, tt := range tests {
		t.Run(tt.a+"/"+tt.b, func(t *testing.T) {
			if got := Distance(tt.a, tt.b); got != tt.want {
				t.Errorf("Distance(%q, %q) = %d, want %d", tt.a, tt.b, got, tt.want)
			}
		})
	}
}
