package suggest

import "unicode/utf8"

// Closest returns the name in known closest to name, for "did you mean",
// or "" if none is close. Close means at most two edits (insertions,
// deletions, substitutions or swaps of adjacent letters), and at most one
// edit per two letters of name, so short names are not matched to
// anything. Ties go to the earlier name in known.
func Closest(name string, known []string) string {
	best, bestD := "", 3
	n := utf8.RuneCountInString(name)
	for _, k := range known {
		d := Distance(name, k)
		if d < bestD && 2*d <= n {
			best, bestD = k, d
		}
	}
	return best
}

// Loose is Closest, or failing it the name in known that shares
// the longest start with name, if that start is at least half of name and
// four letters: case_managers for case_management.
func Loose(name string, known []string) string {
	if s := Closest(name, known); s != "" {
		return s
	}
	best, bestN := "", max(4, (len(name)+1)/2)-1
	for _, k := range known {
		n := 0
		for n < len(name) && n < len(k) && name[n] == k[n] {
			n++
		}
		if n > bestN {
			best, bestN = k, n
		}
	}
	return best
}

// Distance is the optimal string alignment distance between a and b:
// Levenshtein's, with a swap of adjacent runes counting as one edit.
func Distance(a, b string) int {
	ra, rb := []rune(a), []rune(b)
	// Three rows of the dynamic programme: i-2, i-1 and i.
	pp := make([]int, len(rb)+1)
	prev := make([]int, len(rb)+1)
	cur := make([]int, len(rb)+1)
	for j := range prev {
		prev[j] = j
	}
	for i := 1; i <= len(ra); i++ {
		cur[0] = i
		for j := 1; j <= len(rb); j++ {
			cost := 1
			if ra[i-1] == rb[j-1] {
				cost = 0
			}
			d := min(prev[j]+1, cur[j-1]+1, prev[j-1]+cost)
			if i > 1 && j > 1 && ra[i-1] == rb[j-2] && ra[i-2] == rb[j-1] {
				d = min(d, pp[j-2]+1)
			}
			cur[j] = d
		}
		pp, prev, cur = prev, cur, pp
	}
	return prev[len(rb)]
}
