//go:build !amd64

package sim

// prefetch does nothing where there is no prefetch instruction of ours.
func prefetch(addr uintptr) {}
