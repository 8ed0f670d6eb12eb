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
	"time"

	"github.com/journeysim/journeysim/output"
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
	exitOK          = 0
	exitError       = 1
	exitUsage       = 2
	exitInterrupted = 130 // 128 + SIGINT, as shells report it
)

// Interrupted is the error of a command stopped by SIGINT or SIGTERM: Kept
// says what it left behind that is whole.
type Interrupted struct{ Kept string }

func (e *Interrupted) Error() string { return "interrupted: " + e.Kept }

// NewCmdRoot returns the root command with every subcommand attached.
func NewCmdRoot(stdout, stderr io.Writer) *cobra.Command {
	root, _ := newRoot(stdout, stderr)
	return root
}

func newRoot(stdout, stderr io.Writer) (*cobra.Command, *profiler) {
	prof := &profiler{}
	root := &cobra.Command{
		Use:   "journeysim",
		Short: "Simulate journeys through a local drug treatment system",
		Long: `journeysim is a discrete-event simulator of the journeys people with drug
problems take through a local treatment system: detoxification, case management,
community treatment, residential rehabilitation and mutual aid.`,
		SilenceUsage:      true,
		SilenceErrors:     true,
		PersistentPreRunE: func(*cobra.Command, []string) error { return prof.start() },
	}
	prof.addFlags(root.PersistentFlags())
	root.SetOut(stdout)
	root.SetErr(stderr)
	root.SetFlagErrorFunc(func(_ *cobra.Command, err error) error { return &UsageError{Err: err} })
	root.AddCommand(
		NewCmdVersion(nil),
		NewCmdBench(nil),
		NewCmdRun(nil),
		NewCmdCompare(nil),
		NewCmdLevers(nil),
		NewCmdValidate(nil),
		NewCmdCalibrate(nil),
		NewCmdInit(nil),
		NewCmdSnapshot(nil),
		NewCmdSweep(nil),
		NewCmdMerge(nil),
		NewCmdSensitivity(nil),
		NewCmdCEA(),
		NewCmdExplain(nil),
		NewCmdReport(nil),
		NewCmdCheck(nil),
		NewCmdScenarios(nil),
		NewCmdSchema(),
		NewCmdServe(nil),
	)
	return root, prof
}

// stopGrace is how long a command has, after SIGINT or SIGTERM, to stop
// by itself before Main stops it.
const stopGrace = 800 * time.Millisecond

// Main runs journeysim with os.Args and returns the exit status: 0 on
// success, 1 on error, 2 on a usage error, 130 when interrupted. After
// SIGINT or SIGTERM a command has stopGrace to end cleanly; one still
// busy then (parsing, say) is stopped, and the files it was writing are
// removed, so every command ends within a second with nothing partial.
func Main() int {
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
	defer stop()
	done := make(chan int, 1)
	go func() { done <- Execute(ctx, os.Args[1:], os.Stdout, os.Stderr) }()
	select {
	case code := <-done:
		return code
	case <-ctx.Done():
	}
	stop() // a second Ctrl-C kills at once
	select {
	case code := <-done:
		return code
	case <-time.After(stopGrace):
	}
	output.RemoveTemporaries()
	fmt.Fprintln(os.Stderr, "journeysim: interrupted: stopped before the command could finish; the files it was writing were removed")
	return exitInterrupted
}

// Execute runs journeysim with args and returns the exit status. What it
// prints passes through output.CleanWriter: text from a scenario file
// cannot send a terminal control sequences.
func Execute(ctx context.Context, args []string, stdout, stderr io.Writer) int {
	stdout = &output.CleanWriter{W: stdout}
	stderr = &output.CleanWriter{W: stderr, File: stderr}
	root, prof := newRoot(stdout, stderr)
	root.SetArgs(args)
	_, err := root.ExecuteContextC(ctx)
	if perr := prof.stop(); err == nil {
		err = perr
	}
	if err == nil {
		return exitOK
	}
	if ctx.Err() != nil {
		in := &Interrupted{Kept: "nothing was written"}
		errors.As(err, &in)
		fmt.Fprintln(stderr, "journeysim:", in)
		return exitInterrupted
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
	for _, p := range []string{"unknown command", "accepts ", "requires at least", "requires at most", "received ", "invalid argument", "flags in the group"} {
		if strings.Contains(msg, p) {
			return true
		}
	}
	return false
}
