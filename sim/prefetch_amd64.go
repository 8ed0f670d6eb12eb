package sim

import "unsafe"

// prefetch is PREFETCHT0 (prefetch_amd64.s). It never faults.
//
//go:noescape
func prefetch(p unsafe.Pointer)
