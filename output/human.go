package output

import (
	"math"
	"strconv"
	"strings"
)

// A quantity as a reader of a board paper reads it: money with its sign
// and m or k, shares as percentages, everything to three significant
// figures with thousands separated, and the unit said once, in words.

// moneyOf returns the currency symbol of a unit of money ("GBP 2011 per
// year"), and whether it is one.
func moneyOf(unit string) (string, bool) {
	for code, sym := range map[string]string{"GBP": "£", "EUR": "€", "USD": "$"} {
		if strings.HasPrefix(unit, code+" ") || unit == code {
			return sym, true
		}
	}
	return "", false
}

// isShare reports whether unit is a share: of exits, of admissions, a year.
func isShare(unit string) bool {
	return strings.HasPrefix(unit, "share")
}

// sig formats x to three significant figures, thousands separated, with
// no trailing zeros.
func sig(x float64) string {
	if x == 0 || math.IsNaN(x) || math.IsInf(x, 0) {
		if math.IsNaN(x) {
			return "no data"
		}
		return strconv.FormatFloat(x, 'f', -1, 64)
	}
	digits := 2 - int(math.Floor(math.Log10(math.Abs(x))))
	r := x
	if digits < 0 {
		p := math.Pow(10, float64(-digits))
		r = math.Round(x/p) * p
		digits = 0
	}
	s := strconv.FormatFloat(math.Abs(r), 'f', digits, 64)
	if strings.Contains(s, ".") {
		s = strings.TrimRight(strings.TrimRight(s, "0"), ".") // 46.0 is 46
	}
	s = groupThousands(s)
	if r < 0 {
		s = "−" + s
	}
	return s
}

// Human formats x in unit for a reader: "£1.23m", "46.0%", "1,280".
func Human(x float64, unit string) string {
	if math.IsNaN(x) {
		return "no data"
	}
	if sym, ok := moneyOf(unit); ok {
		a, sign := math.Abs(x), ""
		if x < 0 {
			sign = "−"
		}
		switch {
		case a >= 1e6:
			return sign + sym + sig(a/1e6) + "m"
		case a >= 1e4:
			return sign + sym + sig(a/1e3) + "k"
		}
		return sign + sym + sig(a)
	}
	if isShare(unit) {
		return sig(100*x) + "%"
	}
	return sig(x)
}

// HumanSigned is Human with a sign for a change: "+12", "−£1.2m".
func HumanSigned(x float64, unit string) string {
	s := Human(x, unit)
	if x > 0 && strings.Trim(s, "0.,%£€$km") != "" {
		s = "+" + s
	}
	return s
}

// HumanCI is a 95% CI in unit, "1,250 to 1,300".
func HumanCI(lo, hi float64, unit string) string {
	if math.IsNaN(lo) || math.IsNaN(hi) {
		return ""
	}
	return Human(lo, unit) + " to " + Human(hi, unit)
}

// HumanUnit is what is left of unit once Human has said the money or the
// share: "a year", "clients a year", "days".
func HumanUnit(unit string) string {
	if _, ok := moneyOf(unit); ok {
		_, rest, _ := strings.Cut(unit, " ")    // the price year
		year, rest, _ := strings.Cut(rest, " ") // "2011", "per year"
		return strings.TrimSpace(strings.Replace(rest, "per ", "a ", 1) + " (" + year + " prices)")
	}
	if isShare(unit) {
		rest := strings.TrimSpace(strings.TrimPrefix(unit, "share"))
		return strings.Replace(rest, "per ", "a ", 1)
	}
	return strings.Replace(unit, "per ", "a ", 1)
}

// HumanChange is a difference with its CI: a share's in percentage points
// ("+1.35 pts (0.72 to 1.99)"), anything else as Human puts it.
func HumanChange(mean, lo, hi float64, unit string) string {
	if math.IsNaN(mean) {
		return "no data"
	}
	if isShare(unit) {
		s := sig(100 * mean)
		if mean > 0 {
			s = "+" + s
		}
		if math.IsNaN(lo) {
			return s + " pts"
		}
		return s + " pts (" + sig(100*lo) + " to " + sig(100*hi) + ")"
	}
	s := HumanSigned(mean, unit)
	if ci := HumanCI(lo, hi, unit); ci != "" {
		s += " (" + ci + ")"
	}
	return s
}
