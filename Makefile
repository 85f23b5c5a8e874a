# PMFKit: the two commands of the README and a few helpers.
SWIFT ?= swift
PMF = .build/release/pmf

.PHONY: all deps build release test slurm-test run figures figure-scripts bench clean

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

## The main job: regenerate the paper's figures and tables (quick schedule) into paper-figures/out.
figures: release
	$(PMF) figures --quick --out paper-figures/out

## Alias of `make figures`, kept for the README's older instructions and CI.
run: figures

## Refresh the versioned gnuplot scripts in paper-figures/ from a figures run.
figure-scripts: figures
	cp paper-figures/out/*.gp paper-figures/

bench: release
	$(PMF) bench sgemm
	$(PMF) bench mrf

clean:
	rm -rf .build
