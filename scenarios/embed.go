package scenarios

import "embed"

// FS holds every shipped scenario, by path relative to this folder.
//
//go:embed *.toml *.csv bench/*.toml
var FS embed.FS
