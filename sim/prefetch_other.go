//go:build !amd64

package sim

import "unsafe"

// prefetch does nothing where there is no prefetch instruction of ours.
func prefetch(p unsafe.Pointer, n uintptr) {}
