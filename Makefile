# Two commands set everything up: `make run` (environment + example build) and `make test`.
PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
INSTALLED := $(VENV)/.installed
CORES ?= 4

.PHONY: run test lint format clean-example evaluate slurm

$(INSTALLED): requirements.txt constraints.txt
	test -x $(BIN)/python || $(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --disable-pip-version-check -r requirements.txt -c constraints.txt
	touch $@

# Add the SLURM executor plugin for cluster runs (docs/slurm.md); CI runs the SLURM tests with it.
slurm: $(VENV)/.installed-slurm
$(VENV)/.installed-slurm: $(INSTALLED) requirements-slurm.txt
	$(BIN)/python -m pip install --quiet --disable-pip-version-check -r requirements-slurm.txt -c constraints.txt
	touch $@

# Build the bundled example (resources/example) into results/example.
run: $(INSTALLED)
	$(BIN)/snakemake --cores $(CORES)

test: $(INSTALLED)
	$(BIN)/python -m pytest

lint: $(INSTALLED)
	$(BIN)/snakemake --lint
	$(BIN)/snakefmt --check .

format: $(INSTALLED)
	$(BIN)/snakefmt .

clean-example:
	rm -rf results/example

# Compare our gene mapping with PFOCR's published gene IDs on the shared sample (issue notes quote it).
SHARED ?= ../shared
evaluate: $(INSTALLED)
	PYTHONPATH=scripts $(BIN)/python -m pfocr_etl.evaluate \
	  --pfocr-dir $(SHARED)/pfocr-sample \
	  --gene-info $(SHARED)/reference/ncbi-gene-human-2022/Homo_sapiens.gene_info.orgdb-2022-09-12.gz \
	  --famplex-dir $(SHARED)/reference/famplex \
	  --gene-history $(SHARED)/reference/ncbi-gene/ncbi_history_20260421.tsv
