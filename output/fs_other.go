//go:build !unix

package output

import "io/fs"

func ownedByMe(fs.FileInfo) bool { return true }

// lockPath does nothing where advisory locks are not to be had.
func lockPath(string, bool) (func(), error) { return func() {}, nil }
