package scenario

import (
	"errors"
	"fmt"
	"math"
	"strconv"
	"strings"
)

// Lengths of the duration units in days. A month is a twelfth of a mean
// Julian year.
const (
	durationWeek  = 7
	durationYear  = 365.25
	durationMonth = durationYear / 12
)

const durationHelp = "d, w, m or y, as in 30d"

// ParseDuration parses a duration written as a number and a unit: d (days),
// w (weeks of 7 days), m (months of 365.25/12 days) or y (years of 365.25
// days), as in "10d", "2.5w", "3m" or "1 y". It returns the duration in
// days. A bare number is an error, as are negative and non-finite values.
func ParseDuration(s string) (float64, error) {
	s = strings.TrimSpace(s)
	if s == "" {
		return 0, errors.New("empty duration: use a number and a unit " + durationHelp)
	}
	num, unit, ok := scanNumber(s)
	if !ok {
		return 0, fmt.Errorf("%q is not a duration: use a number and a unit %s", s, durationHelp)
	}
	if unit == "" {
		return 0, errors.New("durations need a unit: " + durationHelp)
	}
	var per float64
	switch unit {
	case "d":
		per = 1
	case "w":
		per = durationWeek
	case "m":
		per = durationMonth
	case "y":
		per = durationYear
	default:
		return 0, fmt.Errorf("unknown duration unit %q: use %s", unit, durationHelp)
	}
	if num < 0 {
		return 0, fmt.Errorf("duration %q is negative: use zero or more, as in 30d", s)
	}
	days := num * per
	if math.IsInf(days, 0) {
		return 0, fmt.Errorf("duration %q is too large: use a finite number, as in 30d", s)
	}
	return days + 0, nil // + 0 turns -0 into 0
}

// scanNumber splits s into a leading decimal number (optional sign, digits
// with an optional point, optional exponent) and the rest, trimmed. It
// reports false if s does not start with a number. NaN and Inf are not
// numbers here; a number too large for a float64 is +Inf or -Inf.
func scanNumber(s string) (num float64, rest string, ok bool) {
	i := 0
	if i < len(s) && (s[i] == '+' || s[i] == '-') {
		i++
	}
	digits := 0
	for ; i < len(s) && isDigitByte(s[i]); i++ {
		digits++
	}
	if i < len(s) && s[i] == '.' {
		i++
		for ; i < len(s) && isDigitByte(s[i]); i++ {
			digits++
		}
	}
	if digits == 0 {
		return 0, "", false
	}
	if i < len(s) && (s[i] == 'e' || s[i] == 'E') {
		j := i + 1
		if j < len(s) && (s[j] == '+' || s[j] == '-') {
			j++
		}
		if j < len(s) && isDigitByte(s[j]) {
			for j < len(s) && isDigitByte(s[j]) {
				j++
			}
			i = j
		}
	}
	num, err := strconv.ParseFloat(s[:i], 64)
	if err != nil && !errors.Is(err, strconv.ErrRange) {
		return 0, "", false
	}
	return num, strings.TrimSpace(s[i:]), true
}

func isDigitByte(c byte) bool { return '0' <= c && c <= '9' }

// shortFloat formats x as the shortest decimal that parses back to x.
func shortFloat(x float64) string { return strconv.FormatFloat(x, 'g', -1, 64) }

// formatDays formats days with the largest unit (y, m, w, d) in which it
// is a whole number, so that ParseDuration gives back exactly days.
func formatDays(days float64) string {
	for _, u := range [...]struct {
		days float64
		name string
	}{{durationYear, "y"}, {durationMonth, "m"}, {durationWeek, "w"}} {
		n := math.Round(days / u.days)
		if n >= 1 && n*u.days == days {
			return shortFloat(n) + u.name
		}
	}
	return shortFloat(days) + "d"
}

// Duration is a length of time in days, written in a scenario as a
// number and a unit ("30d", "2w", "3m", "1y"; see ParseDuration).
type Duration float64

// Days returns the duration in days.
func (d Duration) Days() float64 { return float64(d) }

// UnmarshalText parses a duration with ParseDuration.
func (d *Duration) UnmarshalText(text []byte) error {
	days, err := ParseDuration(string(text))
	if err != nil {
		return err
	}
	*d = Duration(days)
	return nil
}

// MarshalText writes the duration in the largest of the units y, m, w and
// d in which it is a whole number ("2y", "3m", "2w"), else in days
// ("17.5d"). For a duration ParseDuration accepts (finite, not negative),
// the text parses back to the same duration.
func (d Duration) MarshalText() ([]byte, error) {
	return []byte(formatDays(float64(d))), nil
}
