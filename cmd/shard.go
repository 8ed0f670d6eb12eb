package cmd

import (
	"strconv"
	"strings"
)

// shard returns the shard to run: --shard, else the scheduler's environment,
// else the whole sweep (0 of 1).
func (o *SweepOptions) shard() (i, n int, err error) {
	parse := func(what, is, ns string) (int, int, error) {
		i, err1 := strconv.Atoi(strings.TrimSpace(is))
		n, err2 := strconv.Atoi(strings.TrimSpace(ns))
		if err1 != nil || err2 != nil || n < 1 || i < 0 || i >= n {
			return 0, 0, usageErrorf("%s: shard %q of %q: need whole numbers 0 <= i < n", what, is, ns)
		}
		return i, n, nil
	}
	if o.Shard != "" {
		is, ns, ok := strings.Cut(o.Shard, "/")
		if !ok {
			return 0, 0, usageErrorf("--shard %q: write i/n, as in 0/4", o.Shard)
		}
		return parse("--shard", is, ns)
	}
	if id := o.env("SLURM_ARRAY_TASK_ID"); id != "" {
		return parse("SLURM_ARRAY_TASK_ID", id, o.env("SLURM_ARRAY_TASK_COUNT"))
	}
	if id := o.env("JOB_COMPLETION_INDEX"); id != "" {
		count := strconv.Itoa(o.ShardCount)
		if o.ShardCount == 0 {
			count = o.env("JOURNEYSIM_SHARD_COUNT")
		}
		return parse("JOB_COMPLETION_INDEX", id, count)
	}
	return 0, 1, nil
}
