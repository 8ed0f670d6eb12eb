// Command journeysim simulates the journeys of people through a local drug
// treatment system. See the README or run `journeysim help`.
package main

import (
	"os"

	"github.com/journeysim/journeysim/cmd"
)

func main() { os.Exit(cmd.Main()) }
