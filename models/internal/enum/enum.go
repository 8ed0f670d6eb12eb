package enum

import (
	"fmt"
	"strings"
)

// Parse returns text as one of allowed, or an error that names what it is
// and lists what is allowed: unknown kind "x": use a, b or c.
func Parse[T ~string](what string, text []byte, allowed ...T) (T, error) {
	for _, a := range allowed {
		if string(a) == string(text) {
			return a, nil
		}
	}
	return "", fmt.Errorf("unknown %s %q: use %s", what, text, List(allowed...))
}

// List joins words as "a, b or c".
func List[T ~string](words ...T) string {
	s := Strings(words...)
	if len(s) < 2 {
		return strings.Join(s, "")
	}
	return strings.Join(s[:len(s)-1], ", ") + " or " + s[len(s)-1]
}

// Strings returns words as strings.
func Strings[T ~string](words ...T) []string {
	s := make([]string, len(words))
	for i, w := range words {
		s[i] = string(w)
	}
	return s
}
