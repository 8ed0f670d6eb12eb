// Package scenarios embeds the shipped scenario files: the baseline, one file
// per lever, and the peers' reference model under bench/.
package scenarios

import "embed"

// FS holds every shipped scenario, by path relative to this folder.
//
//go:embed *.toml bench/*.toml
var FS embed.FS
