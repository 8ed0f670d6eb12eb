package cmd

import (
	"fmt"
	"math"
	"os"
	"strconv"
	"strings"

	"github.com/journeysim/journeysim/models"
)

// parseBytes reads a size such as 8GiB, 512MB or 0: decimal (kB, MB, GB,
// TB) and binary (KiB, MiB, GiB, TiB) units, or bytes with none.
func parseBytes(s string) (int64, error) {
	t := strings.TrimSpace(s)
	i := len(t)
	for i > 0 && (t[i-1] < '0' || t[i-1] > '9') && t[i-1] != '.' {
		i--
	}
	num, unit := strings.TrimSpace(t[:i]), strings.ToLower(strings.TrimSpace(t[i:]))
	mult := map[string]float64{"": 1, "b": 1, "k": 1e3, "kb": 1e3, "kib": 1 << 10, "m": 1e6, "mb": 1e6, "mib": 1 << 20,
		"g": 1e9, "gb": 1e9, "gib": 1 << 30, "t": 1e12, "tb": 1e12, "tib": 1 << 40}[unit]
	x, err := strconv.ParseFloat(num, 64)
	if err != nil || mult == 0 || x < 0 || math.IsInf(x*mult, 0) || x*mult >= math.MaxInt64 {
		return 0, fmt.Errorf("%q is not a size: give a number and a unit, as in 8GiB or 512MB (0 for no limit)", s)
	}
	return int64(x * mult), nil
}

// machineMemory returns the memory this process may use: the cgroup's
// limit when there is one, else the machine's; 0 when neither can be read.
func machineMemory() int64 {
	var total int64
	if b, err := os.ReadFile("/proc/meminfo"); err == nil {
		for _, line := range strings.Split(string(b), "\n") {
			if f := strings.Fields(line); len(f) >= 2 && f[0] == "MemTotal:" {
				if kb, err := strconv.ParseInt(f[1], 10, 64); err == nil {
					total = kb << 10
				}
			}
		}
	}
	for _, p := range []string{"/sys/fs/cgroup/memory.max", "/sys/fs/cgroup/memory/memory.limit_in_bytes"} {
		if b, err := os.ReadFile(p); err == nil {
			if n, err := strconv.ParseInt(strings.TrimSpace(string(b)), 10, 64); err == nil && n > 0 && (total == 0 || n < total) {
				total = n
			}
		}
	}
	return total
}

// memoryLimit returns the bound --max-memory sets, or by default the
// machine's memory; 0 means no check.
func (s *scenarioFlags) memoryLimit() (limit int64, def bool, err error) {
	if s.MaxMemory == "" {
		return machineMemory(), true, nil
	}
	n, err := parseBytes(s.MaxMemory)
	if err != nil {
		return 0, false, usageErrorf("--max-memory: %v", err)
	}
	return n, false, nil
}

// checkMemory refuses, before it starts, a run of m that could need more
// memory than the limit, saying what it could need and how to reduce it.
func (s *scenarioFlags) checkMemory(ref string, m *models.Model, reps, workers int) error {
	limit, def, err := s.memoryLimit()
	if err != nil || limit == 0 {
		return err
	}
	e := m.EstimateMemory(reps, workers)
	if e.Total <= limit {
		return nil
	}
	whose := "the bound set by --max-memory"
	if def {
		whose = "this machine's memory"
	}
	var ways []string
	if e.Workers > 1 {
		ways = append(ways, "fewer --workers")
	}
	ways = append(ways, "a shorter --warmup or --horizon", "a smaller population (--set scale=0.1 runs a tenth of it, places and all)")
	if e.Results > limit/4 {
		ways = append(ways, "fewer --replications")
	}
	return fmt.Errorf("%s could need %s: more than %s, %s. Reduce it with %s; or raise the bound with --max-memory (0 for none)",
		ref, e, models.FormatBytes(limit), whose, strings.Join(ways, ", "))
}
