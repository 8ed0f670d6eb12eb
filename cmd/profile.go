package cmd

import (
	"fmt"
	"os"
	"runtime"
	"runtime/pprof"

	"github.com/spf13/pflag"

	"github.com/journeysim/journeysim/output"
)

// profiler writes the profiles --cpuprofile and --memprofile ask for, for
// go tool pprof: CPU over the whole command, and the heap at its end (with
// every allocation made, as -sample_index=alloc_space shows).
type profiler struct {
	cpu, mem string
	cpuFile  *os.File
}

func (p *profiler) addFlags(f *pflag.FlagSet) {
	f.StringVar(&p.cpu, "cpuprofile", "", "write a CPU profile of the command to this file (go tool pprof)")
	f.StringVar(&p.mem, "memprofile", "", "write a heap profile at the end of the command to this file (go tool pprof)")
}

// pprofHeader starts every profile pprof writes (gzip's magic number): a
// file that starts otherwise is not a profile, and is never replaced.
const pprofHeader = "\x1f\x8b"

func (p *profiler) start() error {
	if p.mem != "" {
		if err := output.CheckWriteFile(p.mem, pprofHeader, true); err != nil {
			return fmt.Errorf("--memprofile: %w", err)
		}
	}
	if p.cpu == "" {
		return nil
	}
	if err := output.CheckWriteFile(p.cpu, pprofHeader, true); err != nil {
		return fmt.Errorf("--cpuprofile: %w", err)
	}
	f, err := os.Create(p.cpu)
	if err != nil {
		return fmt.Errorf("--cpuprofile: %w", err)
	}
	if err := pprof.StartCPUProfile(f); err != nil {
		f.Close()
		return fmt.Errorf("--cpuprofile: %w", err)
	}
	p.cpuFile = f
	return nil
}

// stop ends the CPU profile and writes the heap profile; it runs whether or
// not the command succeeded.
func (p *profiler) stop() error {
	var first error
	if p.cpuFile != nil {
		pprof.StopCPUProfile()
		if err := p.cpuFile.Close(); err != nil {
			first = fmt.Errorf("--cpuprofile: %w", err)
		}
		p.cpuFile = nil
	}
	if p.mem != "" && output.CheckWriteFile(p.mem, pprofHeader, true) == nil {
		runtime.GC() // the heap profile is as of the last collection
		err := output.WriteFileStream(p.mem, pprof.WriteHeapProfile)
		if err != nil && first == nil {
			first = fmt.Errorf("--memprofile: %w", err)
		}
	}
	return first
}
