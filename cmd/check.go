package cmd

import (
	"errors"
	"fmt"
	"io"

	"github.com/spf13/cobra"

	"github.com/journeysim/journeysim/models"
	"github.com/journeysim/journeysim/models/scenario"
)

// CheckOptions are the inputs of `journeysim check`.
type CheckOptions struct {
	Out, Err io.Writer
	Files    []string
	Sets     []string
}

// NewCmdCheck returns `journeysim check`.
func NewCmdCheck(runF func(*CheckOptions) error) *cobra.Command {
	opts := &CheckOptions{}
	c := &cobra.Command{
		Use:   "check FILE...",
		Short: "Check scenario files and report every problem at once",
		Long: `Checks scenario files (or shipped scenarios by name) in three layers: TOML
syntax and types with file, line and column; value rules (probabilities in
[0, 1], positive means, known distributions, exit probabilities summing to 1);
and the model as a whole (unknown keys, routes to places that do not exist,
places nobody can reach, clients who can never leave).`,
		Args: cobra.MinimumNArgs(1),
		RunE: func(cmd *cobra.Command, args []string) error {
			opts.Out, opts.Err, opts.Files = cmd.OutOrStdout(), cmd.ErrOrStderr(), args
			if runF != nil {
				return runF(opts)
			}
			return checkRun(opts)
		},
	}
	c.Flags().StringArrayVar(&opts.Sets, "set", nil, "override a scenario value: path=value (repeatable)")
	return c
}

var errCheckFailed = errors.New("check failed")

func checkRun(opts *CheckOptions) error {
	failed := 0
	for _, f := range opts.Files {
		sc, err := models.Load(f, opts.Sets)
		if err != nil {
			failed++
			fmt.Fprintln(opts.Err, err)
			continue
		}
		printWarnings(opts.Out, f+": ok", sc.Warnings)
	}
	if failed > 0 {
		return fmt.Errorf("%w: %d of %d files have problems", errCheckFailed, failed, len(opts.Files))
	}
	return nil
}

// printWarnings prints head, and under it each warning, if any.
func printWarnings(w io.Writer, head string, ws scenario.Problems) {
	switch n := len(ws); n {
	case 0:
		fmt.Fprintln(w, head)
	case 1:
		fmt.Fprintf(w, "%s, with a warning:\n  warning: %s\n", head, ws[0])
	default:
		fmt.Fprintf(w, "%s, with %d warnings:\n", head, n)
		for _, x := range ws {
			fmt.Fprintf(w, "  warning: %s\n", x)
		}
	}
}
