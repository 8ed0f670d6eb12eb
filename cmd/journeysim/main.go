package main

import (
	"os"

	"github.com/journeysim/journeysim/cmd"
)

func main() { os.Exit(cmd.Main()) }
