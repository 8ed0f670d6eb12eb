// Package sim is a discrete-event simulation engine: a clock in days, an event
// calendar ordered by (time, insertion sequence), named seeded random streams,
// resources with capacity and waiting lists, time-weighted and tally
// statistics, and a runner for parallel replications.
//
// It knows nothing about the system being simulated. Events are small typed
// values (a registered Kind and an int32 argument) rather than closures, so
// that the hot path (schedule, pop, dispatch, request, release) allocates
// nothing; a waiting client costs 16 bytes of list.
//
// A model too large for the caches can set a Lookahead hook: before each
// event the engine shows it the event likely to come next, and it
// Prefetches that event's entity (the one piece of assembly, amd64's
// PREFETCHT0; elsewhere a no-op), which changes nothing but the time taken.
//
// It imports only the standard library.
package sim
