package models

import (
	"context"

	"github.com/journeysim/journeysim/models/result"
)

// Replication is one replication built but not yet run, kept so that its
// state can be inspected after the run (for memory measurements and tests).
type Replication struct {
	r *run
}

// NewReplication builds replication rep under master seed seed.
func (m *Model) NewReplication(seed uint64, rep int) *Replication {
	return &Replication{r: m.newRun(seed, rep)}
}

// Run runs the replication to the end of its horizon.
func (x *Replication) Run(ctx context.Context) (*result.Result, error) {
	if err := x.r.eng.Run(ctx, x.r.end); err != nil {
		return nil, err
	}
	return x.r.result(), nil
}

// Waiting returns the number of clients on the named place's waiting list.
func (x *Replication) Waiting(place string) int {
	i, ok := x.r.m.index[place]
	if !ok || i < 0 || x.r.ps[i].res == nil {
		return 0
	}
	return x.r.ps[i].res.QueueLen()
}

// Alive returns the number of clients in the model.
func (x *Replication) Alive() int { return int(x.r.n) - len(x.r.free) }

// Events returns the number of events handled so far.
func (x *Replication) Events() uint64 { return x.r.eng.Dispatched() }
