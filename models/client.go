package models

// MaxAttributes is the most case-mix attributes a scenario may declare.
const MaxAttributes = 8

// MaxPlaces is the most places a scenario may declare.
const MaxPlaces = 32

// Client is one synthetic person. Clients live in pages of a slab indexed by
// id and are reused after death, so memory follows the clients alive; the
// struct holds no pointers, so the collector never scans it.
type Client struct {
	// Attr holds the index of the client's level of each case-mix attribute,
	// in the order of Scope.Attributes.
	Attr [MaxAttributes]uint8
	// Holding is a bit set of the parallel places held, by parallel index
	// (the order of Scope.Parallel's values).
	Holding uint64

	Since      float64 // day the client was admitted to Place
	LastExitAt float64 // day of the last exit from a treatment place

	Place          int16 // current place index, -1 if none
	LastExitPlace  int16 // place of the last exit from a treatment place, -1 if none
	LastExitReason int16 // index of that exit's reason in Scope.Reasons, -1 if none
	Waiting        bool  // on Place's waiting list, not yet admitted

	// admissions counts admissions by place index, saturating at 255.
	admissions [MaxPlaces]uint8
	run        clientRun
}

// Admissions returns how many times the client has been admitted to place p,
// counting a current stay (at most 255).
func (c *Client) Admissions(p int) int { return int(c.admissions[p]) }

// Holds reports whether the client holds the parallel place with parallel index k.
func (c *Client) Holds(k int) bool { return c.Holding&(1<<uint(k)) != 0 }

// clientRun is run-time bookkeeping for the metrics.
type clientRun struct {
	presentedAt float64 // day of the presentation not yet followed by treatment, -1 none
	serial      uint32  // order of arrival, for the journey log
	pending     int16   // exit index of the pending leave event, -1 for death
	yearSeen    int16   // last measured year the client was counted in treatment, -1 none
	yearAdmit   int16   // last measured year the client was counted as admitted, -1 none
	linkFrom    int16   // treatment place left, awaiting follow-on treatment, -1 none
	link90From  int16   // the same, for linkage_90d
	treated     bool    // admitted to treatment since the warm-up ended
	// represented: a presentation since the last treatment exit was
	// counted in completions_represent_6m
	represented bool
}
