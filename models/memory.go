package models

import (
	"fmt"
	"math"
	"unsafe"

	"github.com/journeysim/journeysim/sim"
)

// MemoryEstimate bounds what running a model will hold at its peak.
type MemoryEstimate struct {
	Clients   float64 // at most alive at once in one replication: every arrival
	PerClient int     // bytes for each, with room for the slices' growth
	Results   int64   // bytes of the finished replications' results, all kept
	Workers   int
	Total     int64 // workers × clients × per client + results + runtime
}

// runtimeBytes is the process beside its clients: the binary, the runtime,
// the shipped scenarios and the output. The baseline area's run peaks at
// 46 to 51 MB resident (2026-12-02, /usr/bin/time on run baseline at scale
// 1 and 10); rounded up.
const runtimeBytes = 64 << 20

// EstimateMemory bounds the memory of reps replications run workers at a
// time. It counts every arrival over the warm-up and the horizon as alive
// at the end, so it is an upper bound, not a forecast: it is meant to
// refuse a run that cannot fit, before it starts.
func (m *Model) EstimateMemory(reps, workers int) MemoryEstimate {
	workers = max(1, min(workers, reps))
	e := MemoryEstimate{Workers: workers, Clients: m.arrivalsBefore(m.warmup + m.horizon)}
	np := len(m.parallel)
	// A client's record, its holds, its id on the free list, a pending
	// event for its stay and each hold, a patience event and its id on a
	// list (the day it joined is on the record); slices grow by doubling,
	// so all but the record count twice.
	growing := 8*np + 4 + sim.EventBytes*(np+2) + 4
	e.PerClient = int(unsafe.Sizeof(Client{})) + 2*growing
	months := int(math.Ceil(m.horizon / (daysPerYear / 12)))
	perResult := 8 * (len(m.metrics.calc) + len(m.metrics.series)*months + len(m.flows))
	for _, sc := range m.survival {
		perResult += 8 * len(sc.Days)
	}
	e.Results = int64(reps) * int64(perResult)
	clients := float64(workers) * e.Clients * float64(e.PerClient)
	e.Total = int64(math.Min(clients+float64(e.Results)+runtimeBytes, math.MaxInt64))
	return e
}

// arrivalsBefore returns the expected arrivals from the start of the run
// to day t, with the arrival trend (which is relative to the end of warm-up).
func (m *Model) arrivalsBefore(t float64) float64 {
	if m.trend == 0 {
		return m.perDay * t
	}
	g := math.Log1p(m.trend) / daysPerYear
	return m.perDay * (math.Exp(g*(t-m.warmup)) - math.Exp(-g*m.warmup)) / g
}

func (e MemoryEstimate) String() string {
	s := fmt.Sprintf("up to %s", FormatBytes(e.Total))
	if e.Workers > 1 {
		s += fmt.Sprintf(" (%d replications at once, each with up to %s clients at %d bytes", e.Workers, formatCount(e.Clients), e.PerClient)
	} else {
		s += fmt.Sprintf(" (up to %s clients at %d bytes", formatCount(e.Clients), e.PerClient)
	}
	return s + fmt.Sprintf(", and %s of results)", FormatBytes(e.Results))
}

// FormatBytes renders a size in binary units: 512 MiB, 1.5 GiB.
func FormatBytes(n int64) string {
	const unit = 1024
	if n < unit {
		return fmt.Sprintf("%d B", n)
	}
	x, i := float64(n), 0
	for x >= unit && i < 6 {
		x /= unit
		i++
	}
	return fmt.Sprintf("%.3g %ciB", x, "KMGTPE"[i-1])
}

// formatCount renders a count of clients: 5,600,000 as 5.6 million.
func formatCount(x float64) string {
	switch {
	case x >= 1e9:
		return fmt.Sprintf("%.3g billion", x/1e9)
	case x >= 1e6:
		return fmt.Sprintf("%.3g million", x/1e6)
	}
	return fmt.Sprintf("%.0f", x)
}
