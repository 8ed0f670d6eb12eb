package scenario

import (
	"slices"
	"testing"
)

func TestParseExprErrors(t *testing.T) {
	tests := []struct {
		name, src, want string
	}{
		{"unclosed paren", `(admissions.detox >= 3`, `at column 23: expected ")" to close the "(" at column 1, found the end`},
		{"unclosed inner paren", `not (holding.case_management or (admissions.detox > 1)`, `at column 55: expected ")" to close the "(" at column 5, found the end`},
		{"extra close paren", `admissions.detox >= 3)`, `at column 22: ")" without a matching "("`},
		{"trailing tokens", `admissions.detox >= 3 client.drug == 'opiate'`, `at column 23: expected "and" or "or", found "client.drug"`},
		{"trailing string", `client.drug 'opiate'`, `at column 13: expected a comparison, "and" or "or", found string 'opiate'`},
		{"empty operand at end", `admissions.detox >= `, `at column 21: expected a name, number or string, found the end`},
		{"empty parens", `admissions.detox >= 3 and ()`, `at column 28: expected a name, number or string, found ")"`},
		{"missing left operand", `>= 3`, `at column 1: expected a name, number or string, found ">="`},
		{"and without left", `and holding.case_management`, `at column 1: expected a name, number or string, found "and"`},
		{"or without right", `holding.case_management or`, `at column 27: expected a name, number or string, found the end`},
		{"not without operand", `not`, `at column 4: expected a name, number or string, found the end`},
		{"&&", `admissions.detox >= 3 && client.drug == "opiate"`, `at column 23: use "and" instead of "&&"`},
		{"||", `holding.case_management || policy.pilot`, `at column 25: use "or" instead of "||"`},
		{"single =", `client.drug = "opiate"`, `at column 13: use == to compare`},
		{"!", `!holding.case_management`, `at column 1: use "not" instead of "!"`},
		{"chained comparison", `1 < admissions.detox < 3`, `at column 22: comparisons do not chain; use "and"`},
		{"unterminated string", `client.drug == "opiate`, `at column 16: unterminated string`},
		{"mismatched quotes", `client.drug == "opiate'`, `at column 16: unterminated string`},
		{"uppercase keyword", `holding.case_management AND policy.pilot`, `at column 25: names and keywords are lowercase, not "AND"`},
		{"uppercase name", `Client.drug == "opiate"`, `at column 1: names and keywords are lowercase, not "Client.drug"`},
		{"malformed number", `admissions.detox >= 1.2.3`, `at column 21: malformed number "1.2.3"`},
		{"number with letters", `admissions.detox >= 3x`, `at column 21: malformed number "3x"`},
		{"trailing dot", `admissions. >= 1`, `at column 12: expected a name part in "admissions."`},
		{"digit name part", `admissions.2nd >= 1`, `at column 12: a name part cannot start with a digit, as in "admissions.2nd"`},
		{"unexpected character", `admissions.detox >= 3 # comment`, `at column 23: unexpected character '#'`},
		{"non-ascii column", `client.drug == 'é' and é`, `at column 24: unexpected character 'é'`},
		{"multi-line", "holding.case_management\nand )", `at line 2, column 5: expected a name, number or string, found ")"`},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			e, err := ParseExpr(tt.src)
			if err == nil {
				t.Fatalf("ParseExpr(%q) = %v, want error %q", tt.src, e.Root(), tt.want)
			}
			if err.Error() != tt.want {
				t.Errorf("ParseExpr(%q) error\n got: %s\nwant: %s", tt.src, err, tt.want)
			}
			var u Expr
			if err := u.UnmarshalText([]byte(tt.src)); err == nil || err.Error() != tt.want {
				t.Errorf("UnmarshalText(%q) error = %v, want %q", tt.src, err, tt.want)
			}
		})
	}
}

func TestParseExpr(t *testing.T) {
	tests := []struct {
		name, src string
		zero      bool
		names     []string
	}{
		{"empty", ``, true, nil},
		{"blank", " \t ", true, nil},
		{"comparison", `admissions.detox >= 3 and client.drug == "opiate"`, false, []string{"admissions.detox", "client.drug"}},
		{"single quotes", `client.drug == 'opiate'`, false, []string{"client.drug"}},
		{"bare bool", `holding.case_management`, false, []string{"holding.case_management"}},
		{"keywords are not names", `not true or false`, false, nil},
		{"sorted and deduplicated", `(policy.pilot or client.sex == 'male') and not client.sex != "female" or policy.pilot`, false,
			[]string{"client.sex", "policy.pilot"}},
		{"no spaces", `admissions.detox>=3 and(client.drug=='opiate')`, false, []string{"admissions.detox", "client.drug"}},
		{"negative and float", `admissions.detox > -1 and admissions.rehab < 2.5`, false, []string{"admissions.detox", "admissions.rehab"}},
		{"keyword-like parts", `policy.android and policy.not_yet`, false, []string{"policy.android", "policy.not_yet"}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			e, err := ParseExpr(tt.src)
			if err != nil {
				t.Fatalf("ParseExpr(%q): %v", tt.src, err)
			}
			if e.IsZero() != tt.zero {
				t.Errorf("IsZero() = %v, want %v", e.IsZero(), tt.zero)
			}
			if got := e.Names(); !slices.Equal(got, tt.names) {
				t.Errorf("Names() = %q, want %q", got, tt.names)
			}
			if e.String() != tt.src {
				t.Errorf("String() = %q, want %q", e.String(), tt.src)
			}
			b, err := e.MarshalText()
			if err != nil || string(b) != tt.src {
				t.Errorf("MarshalText() = %q, %v, want %q", b, err, tt.src)
			}
			var u Expr
			if err := u.UnmarshalText(b); err != nil {
				t.Fatalf("UnmarshalText(%q): %v", b, err)
			}
			if u.String() != tt.src || u.IsZero() != tt.zero {
				t.Errorf("UnmarshalText(%q) = %q (zero %v)", b, u.String(), u.IsZero())
			}
		})
	}
	var zero Expr
	if !zero.IsZero() || zero.String() != "" || zero.Names() != nil {
		t.Errorf("zero Expr: IsZero %v, String %q, Names %q", zero.IsZero(), zero.String(), zero.Names())
	}
}
