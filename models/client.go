package models

// MaxAttributes is the most case-mix attributes a scenario may declare.
const MaxAttributes = 8

// Client is one synthetic person. Clients live in a slab indexed by id and
// are reused after death, so memory follows the clients alive.
type Client struct {
	// Attr holds the index of the client's level of each case-mix attribute,
	// in the order of Scope.Attributes.
	Attr [MaxAttributes]uint8
	// Holding is a bit set of the parallel places held (bit = place index).
	Holding uint64

	Place   int16   // current place index, -1 if none
	Waiting bool    // on Place's waiting list, not yet admitted
	Since   float64 // day the client entered Place (or was admitted, if it has a list)

	LastExitPlace  int16   // place of the last exit from a treatment place, -1 if none
	LastExitReason int16   // index of that exit's reason in Scope.Reasons, -1 if none
	LastExitAt     float64 // day of that exit

	// admissions counts admissions by place; it is a window on a shared slab.
	admissions []uint16
	run        clientRun
}

// Admissions returns how many times the client has been admitted to place p,
// counting a current stay.
func (c *Client) Admissions(p int) int { return int(c.admissions[p]) }

// Holds reports whether the client holds parallel place p.
func (c *Client) Holds(p int) bool { return c.Holding&(1<<uint(p)) != 0 }

// Run-time bookkeeping, unexported.
type clientRun struct {
	nextAt     float64 // time of the pending leave event
	pending    int16   // exit index of the pending leave, -1 for death
	yearSeen   int16   // last measured year counted in treatment, -1 none
	yearAdmit  int16   // last measured year counted as admitted, -1 none
	linkFrom   int16   // treatment place left, awaiting follow-on, -1 none
	linkAt     float64 // when
	treated    bool    // admitted to treatment since the warm-up ended
	prevTreat  bool    // had a treatment admission before the current one
	enteredAt  float64 // entered the current place (joined its list, if any)
	ticket     uint64  // waiting-list ticket
	presentedN uint16  // presentations so far
}
