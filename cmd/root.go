package cmd

import (
	"context"
	"errors"
	"fmt"
	"io"
	"os"
	"os/signal"
	"strings"
	"syscall"

	"github.com/spf13/cobra"
)

// UsageError is a mistake in the command line: a bad flag or argument.
type UsageError struct{ Err error }

func (e *UsageError) Error() string { return e.Err.Error() }
func (e *UsageError) Unwrap() error { return e.Err }

func usageErrorf(format string, a ...any) error {
	return &UsageError{Err: fmt.Errorf(format, a...)}
}

// Exit statuses.
const (
	exitOK    = 0
	exitError = 1
	exitUsage = 2
)

// NewCmdRoot returns the root command with every subcommand attached.
func NewCmdRoot(stdout, stderr io.Writer) *cobra.Command {
	root := &cobra.Command{
		Use:   "journeysim",
		Short: "Simulate journeys through a local drug treatment system",
		Long: `journeysim is a discrete-event simulator of the journeys people with drug
problems take through a local treatment system: detoxification, case management,
community treatment, residential rehabilitation and mutual aid.`,
		SilenceUsage:  true,
		SilenceErrors: true,
	}
	root.SetOut(stdout)
	root.SetErr(stderr)
	root.SetFlagErrorFunc(func(_ *cobra.Command, err error) error { return &UsageError{Err: err} })
	root.AddCommand(
		NewCmdVersion(nil),
		NewCmdBench(nil),
		NewCmdRun(nil),
		NewCmdCompare(nil),
		NewCmdValidate(nil),
		NewCmdCalibrate(nil),
		NewCmdSweep(nil),
		NewCmdMerge(nil),
		NewCmdSensitivity(nil),
		NewCmdCEA(),
		NewCmdExplain(nil),
		NewCmdReport(nil),
		NewCmdCheck(nil),
		NewCmdScenarios(nil),
		NewCmdSchema(),
	)
	return root
}

// Main runs journeysim with os.Args and returns the exit status: 0 on
// success, 1 on error, 2 on a usage error.
func Main() int {
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
	defer stop()
	return Execute(ctx, os.Args[1:], os.Stdout, os.Stderr)
}

// Execute runs journeysim with args and returns the exit status.
func Execute(ctx context.Context, args []string, stdout, stderr io.Writer) int {
	root := NewCmdRoot(stdout, stderr)
	root.SetArgs(args)
	_, err := root.ExecuteContextC(ctx)
	if err == nil {
		return exitOK
	}
	fmt.Fprintln(stderr, "journeysim:", err)
	var ue *UsageError
	if errors.As(err, &ue) || isCobraUsage(err) {
		return exitUsage
	}
	return exitError
}

// isCobraUsage reports the errors cobra makes for unknown commands and wrong
// argument counts, which it does not route through the flag error function.
func isCobraUsage(err error) bool {
	msg := err.Error()
	for _, p := range []string{"unknown command", "accepts ", "requires at least", "requires at most", "received ", "invalid argument"} {
		if strings.Contains(msg, p) {
			return true
		}
	}
	return false
}
