package scenario

import (
	"strings"

	"github.com/journeysim/journeysim/models/internal/enum"
)

// Scenario is a decoded scenario file, after inheritance and overrides. It is
// read-only once loaded. Times are in days.
type Scenario struct {
	Name        string `toml:"name"`
	Description string `toml:"description"`
	Base        string `toml:"base"`
	// CompareWith names the scenario a lever is measured against (a
	// shipped scenario by name, or a path): journeysim levers compares
	// each shipped lever with it.
	CompareWith string `toml:"compare_with"`
	// Scale multiplies the arrivals and every capacity: from one area to
	// many, the same system larger. Capacities round to whole places.
	Scale    *Value                  `toml:"scale"`
	Run      RunSpec                 `toml:"run"`
	Arrivals ArrivalSpec             `toml:"arrivals"`
	CaseMix  map[string]AttributeMix `toml:"case_mix"`
	// Ages gives clients an age and background mortality; nil, none.
	Ages   *AgeSpec               `toml:"ages"`
	Policy map[string]PolicyValue `toml:"policy"`
	Report ReportSpec             `toml:"report"`
	Places map[string]*PlaceSpec  `toml:"places"`
	// CalibratedTo lists the targets (validation check ids, or metrics) that
	// journeysim calibrate fitted this scenario to: validation marks those
	// checks as fitted, not tested.
	CalibratedTo []string `toml:"calibrated_to"`
	// HeldOut lists checks left out of the calibration on purpose, to test
	// it: validation reports them as held out.
	HeldOut []string `toml:"held_out"`
	// Posterior names a CSV file of posterior draws of the calibrated
	// parameters (see Draws), relative to the file that sets it: a PSA
	// draws those parameters from it, not from their priors.
	Posterior string `toml:"posterior"`
	// Economics values the run in money and QALYs; nil leaves it out.
	Economics *EconomicsSpec `toml:"economics"`
	// Followups are cohorts followed up at set times, as studies follow
	// the people they recruit (see FollowupSpec).
	Followups map[string]*FollowupSpec `toml:"followups"`
	// BudgetChanges change a total budget across places, each place's
	// share in proportion to its budget.
	BudgetChanges []BudgetChange `toml:"budget_changes"`

	// Origin maps each key path set in the scenario to where it was set: a
	// file name, or "--set".
	Origin map[string]string `toml:"-"`
	// File is the file or embedded name the scenario was loaded from.
	File string `toml:"-"`
	// Files lists the files on disk that the scenario was read from: File
	// and its bases, shipped scenarios left out.
	Files []string `toml:"-"`
	// Warnings are what is legal in the scenario but most likely not what
	// was meant, each with its file, line and key.
	Warnings Problems `toml:"-"`

	// Start, if set, is the state the run starts from, with no warm-up.
	Start *StartSpec `toml:"start"`

	// Draws are the posterior draws Posterior names, read with the
	// scenario; nil without one.
	Draws *Draws `toml:"-"`

	fingerprint string // of the merged text, overrides included
}

// Fingerprint identifies the scenario as loaded, its bases and overrides
// merged: two loads with the same fingerprint run the same model.
func (s *Scenario) Fingerprint() string { return s.fingerprint }

// RunSpec says how long and how often to run.
type RunSpec struct {
	Seed         *int64      `toml:"seed"`
	Replications *int        `toml:"replications"`
	Warmup       *WarmupSpec `toml:"warmup"`
	Horizon      *Duration   `toml:"horizon"`
	// Followups false skips the scenario's follow-ups (40% of an England
	// replication), since a scenario cannot delete the tables it inherits.
	Followups *bool `toml:"followups"`
	// DriftTolerance is the drift of a stock over the measured period, as
	// a share of its mean, beyond which the run says it is not a steady
	// state (default 0.03).
	DriftTolerance *float64 `toml:"drift_tolerance"`
}

// WarmupSpec is run.warmup: a duration, or "auto", chosen by MSER-5 on a
// pilot run (models.Model.Settle), after which D holds the choice.
type WarmupSpec struct {
	Auto bool
	D    Duration
}

// UnmarshalText parses "auto" or a duration.
func (w *WarmupSpec) UnmarshalText(text []byte) error {
	if string(text) == "auto" {
		*w = WarmupSpec{Auto: true}
		return nil
	}
	w.Auto = false
	return w.D.UnmarshalText(text)
}

// MarshalText writes "auto" or the duration.
func (w WarmupSpec) MarshalText() ([]byte, error) {
	if w.Auto {
		return []byte("auto"), nil
	}
	return w.D.MarshalText()
}

// ArrivalSpec describes new presentations: a Poisson process whose rate may
// change by a constant share each year.
type ArrivalSpec struct {
	PerYear *Value `toml:"per_year"`
	Scale   *Value `toml:"scale"` // multiplies PerYear alone: more demand on the same places
	Trend   *Value `toml:"trend"` // relative change in the rate per year, e.g. 0.02
	To      string `toml:"to"`    // the place new presentations enter
}

// AttributeMix gives the share of new clients at each level of one
// case-mix attribute, e.g. drug = { opiate = 0.52, non_opiate = 0.48 }.
type AttributeMix map[string]Value

// ReportSpec chooses extra breakdowns of the metrics.
type ReportSpec struct {
	// By lists attributes whose levels get their own completion and
	// retention metrics.
	By []string `toml:"by"`
	// Years adds the year-by-year metrics (year_1.in_treatment, …) that a
	// run from a start reports anyway.
	Years bool `toml:"years"`
}

// PlaceKind says how a place holds its clients.
type PlaceKind string

// Place kinds.
const (
	KindCapacity PlaceKind = "capacity" // beds or caseload places with a waiting list
	KindOpen     PlaceKind = "open"     // no limit
	KindParallel PlaceKind = "parallel" // held alongside other places
	KindState    PlaceKind = "state"    // out of treatment: using, remission
)

var placeKinds = []PlaceKind{KindCapacity, KindOpen, KindParallel, KindState}

// UnmarshalText reads a place's kind, refusing any other word.
func (k *PlaceKind) UnmarshalText(b []byte) error {
	v, err := enum.Parse("kind", b, placeKinds...)
	*k = v
	return err
}

func (k PlaceKind) String() string { return string(k) }

// Discipline orders a place's waiting list.
type Discipline string

// Queue disciplines.
const (
	FIFO     Discipline = "fifo"     // first come, first served (the default)
	Priority Discipline = "priority" // by the place's priority rules, then first come
)

var disciplines = []Discipline{FIFO, Priority}

// UnmarshalText reads a discipline, refusing any other word.
func (d *Discipline) UnmarshalText(b []byte) error {
	v, err := enum.Parse("discipline", b, disciplines...)
	*d = v
	return err
}

func (d Discipline) String() string { return string(d) }

// PlaceSpec declares one place.
type PlaceSpec struct {
	// Like names a place this one copies, as merged, before its own keys:
	// another provider of the same service (see resolveLikes).
	Like string `toml:"like"`
	// Takes are shares of the clients sent to other places that come here
	// instead: a day programme taking referrals to residential rehab.
	Takes []TakeSpec `toml:"takes"`

	Kind      PlaceKind `toml:"kind"`
	Label     string    `toml:"label"`
	Treatment *bool     `toml:"treatment"` // counts as a treatment episode (default: capacity and open places)

	Capacity        *Value           `toml:"capacity"`
	Discipline      Discipline       `toml:"discipline"`
	Priority        []PriorityRule   `toml:"priority"`
	Patience        *Dist            `toml:"patience"` // time a waiting client waits before giving up
	CapacityChanges []CapacityChange `toml:"capacity_changes"`
	// Budget, money a year at the scenario's price year, sets the capacity
	// to the whole places it buys (see Scenario.placeYearCost).
	Budget *Value `toml:"budget"`

	Stay          *Dist                   `toml:"stay"`
	StayModifiers []Modifier              `toml:"stay_modifiers"`
	Exits         map[string]*ExitSpec    `toml:"exits"`
	Routes        map[string][]*RouteSpec `toml:"routes"`
	Mortality     *HazardSpec             `toml:"mortality"`

	// Economics (see EconomicsSpec).
	Cost         *CostSpec `toml:"cost"`
	CrimePerYear *Value    `toml:"crime_per_year"` // crime cost of a client-year here
	// HealthPerYear is the cost to health services (hospital stays, A&E,
	// blood-borne virus care) of a client-year here, beyond the place's
	// own cost.
	HealthPerYear *Value `toml:"health_per_year"`
	QALYWeight    *Value `toml:"qaly_weight"` // health-related quality of life, 0 to 1

	// Abstinence is the chance that a client here is not using at a given
	// moment, read only by follow-ups; unset, it is 0.
	Abstinence *ChanceSpec `toml:"abstinence"`
	// Relapse says that entering this place, a state of drug use out of
	// treatment, is a relapse for the follow-ups.
	Relapse bool `toml:"relapse"`
	// Justice says that this place is the criminal-justice system (an
	// arrest, a court, a prison): the follow-ups' justice_since and
	// first_contact read it, and a journey of treatment that starts from
	// it was referred by the justice system (journey_share.from_justice).
	Justice bool `toml:"justice"`

	// Parallel places only.
	JoinAt    []string    `toml:"join_at"`    // offered on admission to these places
	JoinAfter []string    `toml:"join_after"` // offered on leaving these places
	Eligible  Expr        `toml:"eligible"`
	Uptake    *ChanceSpec `toml:"uptake"`
	Duration  *Dist       `toml:"duration"`
}

// TakeSpec is a share of the clients sent to place From (by any route)
// who come to the place that takes them instead: each referral there of a
// client matching When is diverted with probability Share.
type TakeSpec struct {
	From  string `toml:"from"`
	Share *Value `toml:"share"`
	When  Expr   `toml:"when"`
}

// FollowFrom says when a follow-up's clock starts.
type FollowFrom string

// Follow-up starts (FollowupSpec.From).
const (
	FromAdmission FollowFrom = "admission" // the default
	FromExit      FollowFrom = "exit"
)

var followFroms = []FollowFrom{FromAdmission, FromExit}

// UnmarshalText reads a follow-up's start, refusing any other word.
func (f *FollowFrom) UnmarshalText(b []byte) error {
	v, err := enum.Parse("start", b, followFroms...)
	*f = v
	return err
}

func (f FollowFrom) String() string { return string(f) }

// FollowupSpec declares a cohort and the times at which it is followed up,
// as a study recruits people at a service and interviews them later: the
// clients admitted to Place (From = "admission") or leaving it (From =
// "exit") during the measured years, optionally only those matching When
// at the start, whose stay there ends by one of Exits, or lasts at least
// StayAtLeast and less than StayUnder (a cohort from admission is chosen by
// the stay it goes on to have, as a study chooses its stayers looking
// back). A cohort from exit can also be chosen by where the exit leads:
// To lists the places (or "gone", "dead") whose entrants it takes, NotTo
// those whose entrants it leaves out. A client already followed is not recruited again until the last
// time has passed. At each time in At after the start the run records
// where each client is: dead, lost (gone from the model), in treatment,
// abstinent, and what happened since (a relapse, further treatment, the
// first treatment exit).
type FollowupSpec struct {
	Label       string     `toml:"label"`
	Place       string     `toml:"place"`
	From        FollowFrom `toml:"from"`
	When        Expr       `toml:"when"`
	Exits       []string   `toml:"exits"` // default all
	StayAtLeast *Duration  `toml:"stay_at_least"`
	StayUnder   *Duration  `toml:"stay_under"`
	To          []string   `toml:"to"`
	NotTo       []string   `toml:"not_to"`
	// At lists the times after the start, as durations ("3m"), which also
	// name the metrics as written: followup.<name>.3m.abstinent.
	At []string `toml:"at"`
}

// PriorityRule puts clients matching When at priority Level (0 is served first).
type PriorityRule struct {
	When  Expr `toml:"when"`
	Level int  `toml:"level"`
}

// CapacityChange changes a place's capacity At days after the warm-up ends:
// to Capacity places, by Factor (times the capacity then, to the nearest
// place), or to what a Budget a year buys. A factor outside 0 to 3 must
// say Deliberate = true.
type CapacityChange struct {
	At         Duration `toml:"at"`
	Capacity   *Value   `toml:"capacity"`
	Factor     *Value   `toml:"factor"`
	Budget     *Value   `toml:"budget"`
	Deliberate bool     `toml:"deliberate"`
}

// BudgetChange changes the budget of Places by Change, money a year at the
// scenario's price year (a cut is negative), At days after the warm-up:
// each place takes a share in proportion to its budget, and its capacity
// becomes the whole places its new budget buys.
type BudgetChange struct {
	At     Duration `toml:"at"`
	Change *Value   `toml:"change"`
	Places []string `toml:"places"`
}

// ExitSpec is one way of leaving a place: completed, dropped_out, …
// Either all exits of a place have a Probability (the reason is drawn first,
// then the stay from the exit's Stay or the place's), or all have a Hazard
// (competing risks).
type ExitSpec struct {
	Probability *Value     `toml:"probability"`
	Modifiers   []Modifier `toml:"modifiers"`
	Stay        *Dist      `toml:"stay"`
	// StayModifiers divide this exit's own Stay by their hazard ratios (the
	// place's stay_modifiers act on the place's stay, which exits without
	// a stay of their own take). One with no condition rescales the stay,
	// so that calibration can fit its scale.
	StayModifiers []Modifier  `toml:"stay_modifiers"`
	Hazard        *HazardSpec `toml:"hazard"`
}

// RouteSpec sends clients leaving by one exit to a place. The probabilities
// of the routes whose conditions hold are rescaled to sum to one.
//
// A route goes To one place, or, with ToShortestWait, to whichever of
// several providers of a service has the shortest expected wait when the
// client leaves (the waiting list ahead of a free place, times the mean stay,
// over the capacity), the first listed on a tie.
type RouteSpec struct {
	To             string     `toml:"to"`
	ToShortestWait []string   `toml:"to_shortest_wait"`
	Probability    *Value     `toml:"probability"`
	When           Expr       `toml:"when"`
	Modifiers      []Modifier `toml:"modifiers"`
	// Otherwise marks the route that takes the clients for whom no other
	// route holds with a probability above 0; it has neither a probability
	// nor a condition. Without one, a route of probability 0 takes nobody.
	Otherwise bool `toml:"otherwise"`
}

// ChanceSpec is a probability with modifiers.
type ChanceSpec struct {
	Probability *Value     `toml:"probability"`
	Modifiers   []Modifier `toml:"modifiers"`
}

// Modifier changes a probability by an odds ratio, or a hazard (or a stay)
// by a hazard ratio, for clients matching When.
type Modifier struct {
	When        Expr   `toml:"when"`
	OddsRatio   *Value `toml:"odds_ratio"`
	HazardRatio *Value `toml:"hazard_ratio"`
}

// HazardSpec is a piecewise-constant hazard by time since entry.
type HazardSpec struct {
	Unit      string     `toml:"unit"`
	Source    string     `toml:"source"` // default source of the bands' rates
	Bands     []Band     `toml:"bands"`
	Modifiers []Modifier `toml:"modifiers"`
	// Poisoning, on a place's mortality only, is the share of its deaths
	// that are drug-related poisonings (deaths.drug_poisoning); the rest,
	// and the life table's, are other causes.
	Poisoning *Value `toml:"poisoning"`
}

// Band is one piece of a hazard table: Rate applies until Until days after
// entry (the last band has no Until and lasts for ever).
type Band struct {
	Until *Duration `toml:"until"`
	Rate  Value     `toml:"rate"`
}

// Hazard units and their factors to a rate per day.
var hazardUnits = map[string]float64{
	"per_day":              1,
	"per_week":             1.0 / 7,
	"per_year":             1 / daysPerYear,
	"per_100_person_years": 1 / (100 * daysPerYear),
}

// DaysPerYear is the days in a year, on average: 365.25.
const DaysPerYear = 365.25

const daysPerYear = DaysPerYear

// PerDay is the factor that turns the hazard's rates into rates a day.
func (h *HazardSpec) PerDay() float64 { return hazardUnits[h.Unit] }

// Targets returns the places a route can send clients to.
func (r *RouteSpec) Targets() []string {
	if len(r.ToShortestWait) > 0 {
		return r.ToShortestWait
	}
	return []string{r.To}
}

// FollowTimeName is a follow-up time as it names metrics: as written,
// without spaces ("3 m" is "3m").
func FollowTimeName(at string) string { return strings.ReplaceAll(at, " ", "") }

// IsTreatment reports whether the place counts as treatment: capacity and
// open places unless they say treatment = false.
func (ps *PlaceSpec) IsTreatment() bool {
	if ps.Treatment != nil {
		return *ps.Treatment
	}
	return ps.Kind == KindCapacity || ps.Kind == KindOpen
}
