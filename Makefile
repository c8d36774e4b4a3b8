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

install: $(VENV)/.installed

demo: $(VENV)/.installed
	$(BIN)/vitrina matting samples --out out/demo
	@echo "cutouts, masks and report.json are in out/demo/"

lint: $(VENV)/.installed
	$(BIN)/ruff check .

test: $(VENV)/.installed $(SAM_VENV)/.installed lint
	SAM_CLI=$(abspath $(SAM_VENV))/bin/sam $(BIN)/pytest -q

bench: $(VENV)/.installed
	$(BIN)/python bench/matting.py

clean:
	rm -rf $(VENV) $(SAM_VENV) .venv-rembg out .pytest_cache
