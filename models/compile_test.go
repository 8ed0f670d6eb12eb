package models

import (
	"testing"

	"github.com/journeysim/journeysim/models/scenario"
)

// testScope is a small scenario's names: places community(0), detox(1),
// rehab(2) and case_management(3, parallel).
func testScope() *Scope {
	return &Scope{
		Attributes: []Attribute{
			{Name: "drug", Levels: []string{"non_opiate", "opiate"}},
			{Name: "sex", Levels: []string{"female", "male"}},
		},
		Places:   []string{"community", "detox", "rehab", "case_management"},
		Parallel: map[string]int{"case_management": 3},
		Reasons:  []string{"completed", "died", "dropped_out", "reneged"},
		Policy: map[string]any{
			"payment_by_results": true,
			"pilot":              false,
			"detox_route":        "direct",
			"max_detox":          3.0,
			"target_drug":        "opiate",
			"bad_drug":           "heroin",
		},
	}
}

func TestCompileErrors(t *testing.T) {
	tests := []struct {
		name, src, want string
	}{
		{"unknown name with suggestion", `admission.detox >= 1`, `at column 1: unknown name "admission.detox"; did you mean "admissions.detox"?`},
		{"swapped letters", `client.durg == 'opiate'`, `at column 1: unknown name "client.durg"; did you mean "client.drug"?`},
		{"unknown policy suggestion", `policy.payment_by_result`, `at column 1: unknown name "policy.payment_by_result"; did you mean "policy.payment_by_results"?`},
		{"unknown attribute", `client.postcode == "x"`, `at column 1: unknown name "client.postcode" (case-mix attributes: drug, sex)`},
		{"unknown place", `admissions.residential > 0`, `at column 1: unknown name "admissions.residential" (places: community, detox, rehab, case_management)`},
		{"not a parallel place", `holding.detox`, `at column 1: unknown name "holding.detox" (parallel places: case_management)`},
		{"unknown last_exit", `last_exit.when > 3`, `at column 1: unknown name "last_exit.when" (last_exit.reason, last_exit.place or last_exit.stay_days)`},
		{"unknown family", `age > 30`, `at column 1: unknown name "age" (names start with client., admissions., holding., last_exit. or policy.)`},
		{"unknown name later", `holding.case_management and client.gender == 'male'`, `at column 29: unknown name "client.gender" (case-mix attributes: drug, sex)`},
		{"unknown level", `client.drug == "heroin"`, `at column 16: "heroin" is not a level of client.drug (levels: non_opiate, opiate)`},
		{"unknown level on left", `'heroin' != client.drug`, `at column 1: "heroin" is not a level of client.drug (levels: non_opiate, opiate)`},
		{"policy not a level", `client.drug == policy.bad_drug`, `at column 16: policy.bad_drug ("heroin") is not a level of client.drug (levels: non_opiate, opiate)`},
		{"unknown reason", `last_exit.reason == "complete"`, `at column 21: "complete" is not an exit reason (reasons: completed, died, dropped_out, reneged)`},
		{"unknown exit place", `last_exit.place == "dtox"`, `at column 20: "dtox" is not a place (places: community, detox, rehab, case_management)`},
		{"number with string", `admissions.detox == "3"`, `at column 18: cannot compare admissions.detox (a number) with "3" (a string)`},
		{"string with number", `client.drug != 1`, `at column 13: cannot compare client.drug (a string) with 1 (a number)`},
		{"bool with number", `holding.case_management == 1`, `at column 25: cannot compare holding.case_management (a condition) with 1 (a number)`},
		{"policy number with string", `policy.max_detox == policy.detox_route`, `at column 18: cannot compare policy.max_detox (a number) with policy.detox_route (a string)`},
		{"ordering strings", `client.drug < 'opiate'`, `at column 13: < compares numbers, but client.drug is a string`},
		{"ordering bools", `holding.case_management >= true`, `at column 25: >= compares numbers, but holding.case_management is a condition`},
		{"and on a number", `admissions.detox and holding.case_management`, `at column 1: admissions.detox is a number, not a condition`},
		{"or on a string", `holding.case_management or client.drug`, `at column 28: client.drug is a string, not a condition`},
		{"not on a number", `not admissions.detox`, `at column 5: admissions.detox is a number, not a condition`},
		{"bare string", `'opiate'`, `at column 1: 'opiate' is a string, not a condition`},
		{"bare number", `3`, `at column 1: 3 is a number, not a condition`},
		{"bare string name", `client.drug`, `at column 1: client.drug is a string, not a condition`},
		{"bare string policy", `(policy.detox_route)`, `at column 1: (policy.detox_route) is a string, not a condition`},
		{"two client strings", `client.drug == client.sex`, `at column 13: cannot compare client.drug with client.sex; compare each with a string`},
		{"error in folded branch", `policy.pilot and client.drug == 'heroin'`, `at column 33: "heroin" is not a level of client.drug (levels: non_opiate, opiate)`},
	}
	s := testScope()
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			e, err := scenario.ParseExpr(tt.src)
			if err != nil {
				t.Fatalf("ParseExpr(%q): %v", tt.src, err)
			}
			if _, err := Compile(e, s); err == nil || err.Error() != tt.want {
				t.Errorf("Compile(%q) error\n got: %v\nwant: %s", tt.src, err, tt.want)
			}
			if _, ok, err := Const(e, s); ok || err == nil || err.Error() != tt.want {
				t.Errorf("Const(%q) = _, %v, %v, want error %q", tt.src, ok, err, tt.want)
			}
		})
	}
}

func TestCompileNilScope(t *testing.T) {
	e, err := scenario.ParseExpr(`true and 1 < 2`)
	if err != nil {
		t.Fatal(err)
	}
	f, err := Compile(e, nil)
	if err != nil || !f(&Client{}) {
		t.Errorf("Compile(nil) = %v", err)
	}
	e, _ = scenario.ParseExpr(`client.drug == 'opiate'`)
	if _, err := Compile(e, nil); err == nil {
		t.Error("Compile(nil) of client.drug: no error")
	}
}

// testClients are clients to evaluate conditions on. Places: community(0),
// detox(1), rehab(2), case_management(3).
var testClients = func() []Client {
	lay, err := testScope().layoutOf()
	if err != nil {
		panic(err)
	}
	mk := func(attrs []int, holds bool, lastPlace, lastReason int8, adm []int) Client {
		c := Client{LastExitPlace: lastPlace, LastExitReason: lastReason}
		for a, l := range attrs {
			lay.setAttr(&c, a, l)
		}
		lay.setHolds(&c, 3, holds)
		for p, n := range adm {
			for range n {
				lay.adm[p].inc(&c)
			}
		}
		return c
	}
	return []Client{
		// 0: opiate, female, 3 detox admissions, holds case management, last
		// left detox having completed.
		mk([]int{1, 0}, true, 1, 0, []int{1, 3, 0, 1}),
		// 1: non-opiate, male, one rehab admission, no last exit.
		mk([]int{0, 1}, false, -1, -1, []int{0, 0, 1, 0}),
		// 2: opiate, male, 2 detox and 2 rehab admissions, dropped out of rehab.
		mk([]int{1, 1}, false, 2, 2, []int{0, 2, 2, 0}),
	}
}()

func TestCondEval(t *testing.T) {
	tests := []struct {
		src  string
		want []bool // for each of testClients
	}{
		{``, []bool{true, true, true}},
		{`client.drug == "opiate"`, []bool{true, false, true}},
		{`client.drug != 'opiate'`, []bool{false, true, false}},
		{`'male' == client.sex`, []bool{false, true, true}},
		{`client.drug == policy.target_drug`, []bool{true, false, true}},
		{`admissions.detox >= 3`, []bool{true, false, false}},
		{`admissions.detox >= 2.5`, []bool{true, false, false}},
		{`admissions.detox > 2`, []bool{true, false, false}},
		{`admissions.detox < 2`, []bool{false, true, false}},
		{`admissions.detox <= 2`, []bool{false, true, true}},
		{`admissions.detox == 2`, []bool{false, false, true}},
		{`admissions.detox != 2`, []bool{true, true, false}},
		{`2 < admissions.detox`, []bool{true, false, false}},
		{`2 >= admissions.detox`, []bool{false, true, true}},
		{`3 <= admissions.detox`, []bool{true, false, false}},
		{`1 > admissions.detox`, []bool{false, true, false}},
		{`admissions.detox < policy.max_detox`, []bool{false, true, true}},
		{`admissions.detox > admissions.rehab`, []bool{true, false, false}},
		{`admissions.detox == admissions.rehab`, []bool{false, false, true}},
		{`admissions.detox >= admissions.rehab`, []bool{true, false, true}},
		{`admissions.detox <= admissions.rehab`, []bool{false, true, true}},
		{`admissions.detox < admissions.rehab`, []bool{false, true, false}},
		{`admissions.detox != admissions.rehab`, []bool{true, true, false}},
		{`admissions.case_management > 0`, []bool{true, false, false}},
		{`holding.case_management`, []bool{true, false, false}},
		{`not holding.case_management`, []bool{false, true, true}},
		{`not not holding.case_management`, []bool{true, false, false}},
		{`holding.case_management == false`, []bool{false, true, true}},
		{`holding.case_management != false`, []bool{true, false, false}},
		{`holding.case_management == policy.payment_by_results`, []bool{true, false, false}},
		{`holding.case_management == (admissions.detox > 1)`, []bool{true, true, false}},
		{`holding.case_management != (admissions.detox > 1)`, []bool{false, false, true}},
		{`last_exit.reason == "completed"`, []bool{true, false, false}},
		{`last_exit.reason != "completed"`, []bool{false, true, true}},
		{`last_exit.reason == 'dropped_out'`, []bool{false, false, true}},
		{`last_exit.place == 'detox'`, []bool{true, false, false}},
		{`last_exit.place != 'detox'`, []bool{false, true, true}},
		{`last_exit.place == "rehab" or last_exit.place == "detox"`, []bool{true, false, true}},
		{`admissions.detox >= 3 and client.drug == "opiate"`, []bool{true, false, false}},
		{`admissions.detox >= 2 and client.drug == 'opiate' and client.sex == 'male'`, []bool{false, false, true}},
		{`client.sex == 'male' or holding.case_management`, []bool{true, true, true}},
		{`not client.sex == 'male' or admissions.rehab > 1`, []bool{true, false, true}},
		{`not (client.sex == 'male' or admissions.rehab > 1)`, []bool{true, false, false}},
		// and binds tighter than or.
		{`holding.case_management or client.sex == 'male' and admissions.rehab > 1`, []bool{true, false, true}},
		{`(holding.case_management or client.sex == 'male') and admissions.rehab > 1`, []bool{false, false, true}},
		// Constant parts fold away; the rest still depends on the client.
		{`policy.payment_by_results and holding.case_management`, []bool{true, false, false}},
		{`policy.pilot or client.drug == 'non_opiate'`, []bool{false, true, false}},
		{`policy.detox_route == 'direct' and admissions.rehab >= 1`, []bool{false, true, true}},
		{`true == holding.case_management`, []bool{true, false, false}},
		// Constant conditions.
		{`policy.pilot or true`, []bool{true, true, true}},
		{`policy.detox_route == "referral"`, []bool{false, false, false}},
	}
	s := testScope()
	for _, tt := range tests {
		t.Run(tt.src, func(t *testing.T) {
			e, err := scenario.ParseExpr(tt.src)
			if err != nil {
				t.Fatalf("ParseExpr: %v", err)
			}
			f, err := Compile(e, s)
			if err != nil {
				t.Fatalf("Compile: %v", err)
			}
			for i := range testClients {
				if got := f(&testClients[i]); got != tt.want[i] {
					t.Errorf("client %d: got %v, want %v", i, got, tt.want[i])
				}
			}
		})
	}
}

func TestConst(t *testing.T) {
	tests := []struct {
		src       string
		value, ok bool
	}{
		{``, true, true},
		{`true`, true, true},
		{`false`, false, true},
		{`not false`, true, true},
		{`policy.payment_by_results`, true, true},
		{`not policy.payment_by_results`, false, true},
		{`policy.pilot`, false, true},
		{`policy.detox_route == "direct"`, true, true},
		{`policy.detox_route != 'direct'`, false, true},
		{`policy.detox_route == policy.target_drug`, false, true},
		{`policy.max_detox > 2.5`, true, true},
		{`policy.max_detox <= 2`, false, true},
		{`1 < 2`, true, true},
		{`policy.max_detox == 3`, true, true},
		{`policy.max_detox != 3.0`, false, true},
		{`policy.max_detox >= -1`, true, true},
		{`policy.max_detox < 3`, false, true},
		{`policy.pilot == false`, true, true},
		{`policy.pilot != policy.payment_by_results`, true, true},
		{`policy.pilot or policy.payment_by_results`, true, true},
		{`policy.pilot and policy.payment_by_results`, false, true},
		// Folding decides these though they name client values.
		{`policy.detox_route == "referral" and admissions.detox >= 2`, false, true},
		{`admissions.detox >= 2 and policy.detox_route == "referral"`, false, true},
		{`policy.payment_by_results or holding.case_management`, true, true},
		{`holding.case_management or not policy.pilot`, true, true},
		{`not (policy.pilot and client.drug == 'opiate')`, true, true},
		// These depend on the client.
		{`holding.case_management`, false, false},
		{`policy.payment_by_results and holding.case_management`, false, false},
		{`policy.pilot or admissions.detox > 1`, false, false},
		{`admissions.detox >= policy.max_detox`, false, false},
		{`client.drug == policy.target_drug`, false, false},
		{`holding.case_management == policy.pilot`, false, false},
	}
	s := testScope()
	for _, tt := range tests {
		t.Run(tt.src, func(t *testing.T) {
			e, err := scenario.ParseExpr(tt.src)
			if err != nil {
				t.Fatalf("ParseExpr: %v", err)
			}
			v, ok, err := Const(e, s)
			if err != nil {
				t.Fatalf("Const: %v", err)
			}
			if v != tt.value || ok != tt.ok {
				t.Errorf("Const() = %v, %v, want %v, %v", v, ok, tt.value, tt.ok)
			}
			if !ok {
				return
			}
			// A constant compiles to a Cond that ignores the client: this one
			// has no admissions, so reading them would panic.
			f, err := Compile(e, s)
			if err != nil {
				t.Fatalf("Compile: %v", err)
			}
			if got := f(&Client{LastExitPlace: -1, LastExitReason: -1}); got != tt.value {
				t.Errorf("compiled: got %v, want %v", got, tt.value)
			}
		})
	}
}

func TestCondAllocs(t *testing.T) {
	srcs := []string{
		`admissions.detox >= 3 and client.drug == "opiate"`,
		`not (holding.case_management or last_exit.reason == 'completed') and last_exit.place != 'rehab'`,
		`holding.case_management == (admissions.detox > admissions.rehab) or client.sex == policy.target_drug`,
	}
	s := testScope()
	s.Policy["target_drug"] = "male"
	for _, src := range srcs {
		t.Run(src, func(t *testing.T) {
			e, err := scenario.ParseExpr(src)
			if err != nil {
				t.Fatal(err)
			}
			f, err := Compile(e, s)
			if err != nil {
				t.Fatal(err)
			}
			n := 0
			allocs := testing.AllocsPerRun(1000, func() {
				for i := range testClients {
					if f(&testClients[i]) {
						n++
					}
				}
			})
			if allocs != 0 {
				t.Errorf("%v allocations per evaluation, want 0", allocs)
			}
		})
	}
}

func BenchmarkCond(b *testing.B) {
	e, err := scenario.ParseExpr(`admissions.detox >= 3 and client.drug == "opiate" or holding.case_management`)
	if err != nil {
		b.Fatal(err)
	}
	f, err := Compile(e, testScope())
	if err != nil {
		b.Fatal(err)
	}
	b.ReportAllocs()
	n := 0
	for b.Loop() {
		if f(&testClients[n%len(testClients)]) {
			n++
		}
		n++
	}
}
