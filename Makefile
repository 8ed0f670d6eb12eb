# journeysim: see README.md. `make run` runs the baseline; `make test` passes the tests.
GO      ?= go
PKG     := github.com/journeysim/journeysim
VERSION ?= $(shell git describe --tags --always --dirty 2>/dev/null || echo dev)
COMMIT  ?= $(shell git rev-parse --short HEAD 2>/dev/null || echo unknown)
LDFLAGS := -X $(PKG)/cmd.version=$(VERSION) -X $(PKG)/cmd.commit=$(COMMIT)
PEERS   ?= ../shared/peers

.PHONY: all build run test vet unit race fits determinism cluster-test soak fuzz bench golden validate levers calibrate calibrate-prior browser-test clean

all: build

build:
	$(GO) build -ldflags "$(LDFLAGS)" -o bin/journeysim ./cmd/journeysim

run: build
	bin/journeysim run --force --report --validate

# The model against the published targets (shared/evidence/targets.md).
validate: build
	bin/journeysim validate

# Every shipped lever against what it is compared with, written into the
# README's table (about a minute on 2 cores).
levers: build
	bin/journeysim levers --update README.md

# Refit scenarios/baseline.toml and its posterior draws,
# scenarios/baseline.posterior.csv (10.5 minutes on 2 cores, 2026-12-07): from the
# shipped fit, a short Nelder–Mead, then the posterior by sequential Monte
# Carlo around it (80 particles, 3 moves a generation). The uncertain
# parameters of scenarios/baseline-prior.toml are fitted to the validation
# checks CAL_FIT and to the size of the system (scenarios/calibration/);
# 13d is held out of the fit on purpose, to test it; every other check
# stays for validation. The binary is rebuilt after: the scenarios are
# embedded in it.
CAL_FIT ?= 3b,3c,3d,4a,4b,4c,6a,6b,6c,6d,8a,20b
CAL_ARGS = --fit $(CAL_FIT) --hold-out 13d --targets scenarios/calibration/scale.toml --replications 20 \
	--name Baseline --out scenarios/baseline.toml --force
calibrate: build
	bin/journeysim calibrate baseline --refine $(CAL_ARGS) --lhs 1 --evals 120 --posterior 80 --moves 3
	$(MAKE) build

# The point fit from the priors alone (about 31 minutes at 40 replications
# a point), for when baseline-prior.toml changes so much that the shipped
# fit is no place to start: a Latin hypercube and Nelder–Mead, then a
# second search from that fit with a wider simplex (--refine): in 19
# dimensions the first stalls along axes whose targets have a wide sd.
# make calibrate then adds the posterior.
calibrate-prior: build
	bin/journeysim calibrate baseline-prior $(CAL_ARGS) --replications 40 --lhs 16 --evals 1400
	$(MAKE) build
	bin/journeysim calibrate baseline --refine $(CAL_ARGS) --replications 40 --lhs 4 --evals 300
	$(MAKE) build

vet:
	$(GO) vet ./...

# The tests (under 5 minutes on an idle 2-core machine): vet, every test
# without the race detector, the code that runs concurrently under it, then
# determinism end to end. `go test -short ./...` is the quick loop (under a
# minute); `make fits` (which CI also runs) the shipped scenarios' fits and
# the validation.
test: vet unit race determinism

unit:
	$(GO) test -skip '^(TestShippedFits|TestEnglandSize)$$' ./...

# Under the race detector: the engine, and what runs replications, sweep
# points, stores and signals concurrently. The statistical checks run the
# same code at length, without it, in unit.
RACE_MODELS := ^(TestModelDeterminism|TestModelCommonRandomNumbers|TestModelParallel|TestTrace)$$
RACE_CLI    := Sweep|Interrupted|Signal|Kept|Partial|Merge|Shard|Resume|EndToEnd
race:
	$(GO) test -race -short ./sim/... ./models/sweep/ ./models/calibrate/
	$(GO) test -race -short -run '$(RACE_MODELS)' ./models/
	$(GO) test -race -short -run '$(RACE_CLI)' ./cmd/ ./output/
	$(GO) test -race -short -run 'WhatIf|Cancel' ./output/web/

# The shipped scenarios still fit the checks they were calibrated to
# (TestShippedFits), England is England's size (TestEnglandSize), and every
# validation check passes at the baseline's own replications: a change
# that moves the model off the evidence fails here. CI runs it after make
# test. pipefail: a failing test fails the target, whatever grep says.
fits: build
	bash -o pipefail -c "$(GO) test -run '^(TestShippedFits|TestEnglandSize)$$' -v ./models/validation/ ./models/ | grep -v '^=== RUN'"
	bin/journeysim validate --quiet

# The README's Slurm array script on a one-node Slurm started on localhost,
# merged and compared byte for byte with the sweep in one process (about
# 10 s once Slurm and munge are installed; needs root).
cluster-test: build
	.ci/cluster-test

# The what-if page (journeysim serve) driven in headless Chromium through a
# whole what-if, then the saved file run by compare: the page's numbers,
# byte for byte (about 20 s). Needs Debian's chromium, which CI lacks, so
# make test leaves it out; make browser-test BROWSER_ARGS=-update rewrites
# the README's screenshot, output/web/screenshot.png.
browser-test:
	JOURNEYSIM_BROWSER=1 $(GO) test -count=1 -run '^TestBrowserWhatIf$$' -v ./cmd/ $(BROWSER_ARGS)

# The baseline and a sweep on 1 and 2 workers, twice each: byte-identical.
determinism: build
	.ci/determinism bin/journeysim

# The baseline 1,000 times on random seeds: every run ends cleanly and every
# metric is finite (about a minute on 2 cores; not part of make test).
SOAK ?= 1000
soak:
	$(GO) test ./models -run '^TestSoak$$' -soak $(SOAK) -timeout 1h -v

# Search for inputs that break the parsers, FUZZTIME each (not part of make
# test, which replays the corpus in models/testdata/fuzz); then the slowest
# input of each target.
FUZZTIME ?= 1m
FUZZ_TARGETS := FuzzLoad FuzzSet FuzzDuration FuzzDist FuzzExpr FuzzSweepAxis
fuzz:
	for f in $(FUZZ_TARGETS); do $(GO) test ./models -run '^$$' -fuzz "^$$f$$" -fuzztime $(FUZZTIME) || exit 1; done
	$(GO) test ./models -run '^TestFuzzInputTimes$$' -slowest -v

# Go benchmarks of the hot paths, then the peers' reference model against the
# bare Go loop (and SimPy where python3 has simpy), alternately in the same
# run, twice; the table, dated with the commit and machine, goes into the
# README between its bench markers (about 3 minutes on 2 cores; run it on an
# idle machine).
BENCH_ARGS ?= --runs 2 --pairs 7 --simpy-pairs 2 --update README.md
bench: build
	$(GO) test -run '^$$' -bench . -benchmem ./sim/ ./models/
	@if [ -d "$(PEERS)/limit" ]; then \
		(cd "$(PEERS)/limit" && $(GO) build -o "$(CURDIR)/bin/limit" .) && \
		bin/journeysim bench peers --limit bin/limit --simpy $(PEERS)/simpy/model.py $(BENCH_ARGS); \
	else echo "bench: $(PEERS)/limit not found; skipping the peer comparison"; fi

# Regenerate golden files in testdata/ after reviewing the change they record.
GOLDEN_PKGS := ./cmd/ ./models/ ./output/

golden:
	$(GO) test $(GOLDEN_PKGS) -update

clean:
	rm -rf bin out
