# PMFKit: the two commands of the README and a few helpers.
SWIFT ?= swift
PMF = .build/release/pmf

.PHONY: all deps build release test slurm-test run bench clean

all: run

deps:
	@scripts/install-deps.sh

build: deps
	$(SWIFT) build

release: deps
	$(SWIFT) build -c release --product pmf

## The test command: installs what is missing, builds, runs every test.
test: deps
	$(SWIFT) build --build-tests
	$(SWIFT) test
	@$(MAKE) --no-print-directory slurm-test

## pmf sweep on a real single-node Slurm cluster started on this machine (scripts/slurm-test.sh):
## runs when CI=true or as root (installs slurm-wlm and munge); otherwise it says it skipped.
slurm-test:
	scripts/slurm-test.sh .build/debug/pmf

## The main job on built-in defaults.
run: release
	$(PMF) --version
	$(PMF) project --projection softmax --beta 2 --levels ternary -- 0.3 -0.5 0.8
	$(PMF) bench sgemm

bench: release
	$(PMF) bench sgemm
	$(PMF) bench mrf

clean:
	rm -rf .build
