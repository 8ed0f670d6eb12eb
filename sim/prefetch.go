package sim

import "unsafe"

// Prefetch asks the processor to start loading *p, the cache lines of its
// first and last bytes (all of it up to 128 bytes), without waiting for
// them: a hint, with no effect on what the program computes. A model whose
// entities no longer fit the caches calls it from a Lookahead hook, so that
// the next event's entity arrives while this event is handled.
func Prefetch[T any](p *T) { prefetch(unsafe.Pointer(p), unsafe.Sizeof(*p)) }
