package sim

import "unsafe"

// prefetch is PREFETCHT0 of the first and the last byte of the n bytes at
// p (prefetch_amd64.s): one call for an object across two cache lines. It
// never faults.
//
//go:noescape
func prefetch(p unsafe.Pointer, n uintptr)
