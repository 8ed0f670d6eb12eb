package cmd

import (
	"fmt"
	"io"
	"runtime"

	"github.com/spf13/cobra"
)

// Set at build time with -ldflags "-X github.com/journeysim/journeysim/cmd.version=…".
var (
	version = "dev"
	commit  = "unknown"
)

// Version returns journeysim's version string, as recorded in result files.
func Version() string { return version }

// VersionOptions are the inputs of `journeysim version`.
type VersionOptions struct {
	Out io.Writer
}

// NewCmdVersion returns `journeysim version`.
func NewCmdVersion(runF func(*VersionOptions) error) *cobra.Command {
	opts := &VersionOptions{}
	return &cobra.Command{
		Use:   "version",
		Short: "Print the version, commit and Go version",
		Args:  cobra.NoArgs,
		RunE: func(cmd *cobra.Command, _ []string) error {
			opts.Out = cmd.OutOrStdout()
			if runF != nil {
				return runF(opts)
			}
			return versionRun(opts)
		},
	}
}

func versionRun(opts *VersionOptions) error {
	_, err := fmt.Fprintf(opts.Out, "journeysim %s\ncommit %s\n%s %s/%s\n",
		version, commit, runtime.Version(), runtime.GOOS, runtime.GOARCH)
	return err
}
