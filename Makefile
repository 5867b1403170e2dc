# Two commands do everything on a fresh machine: `make run` and `make test`.
# Each builds its own virtual environment in .venv first.

PYTHON ?= python3
VENV   ?= .venv
# torch is pinned here, not in pyproject.toml (which accepts torch>=2.4): an unpinned
# `pip install torch` on a machine without it fetches a multi-GB CUDA build.
TORCH  ?= torch==2.13.0
BIN    := $(VENV)/bin
# tests/test_dashboard.py renders asv's dashboard in this browser (exported: the test reads it).
# asv's pages take their scripts from CDNs; `opsuite dashboard` copies Debian's instead, so the
# pages work with no network (CI has none), from these packages.
CHROMIUM ?= /usr/bin/chromium
SCRIPTS  := /usr/share/javascript
WEB_JS   := $(SCRIPTS)/jquery/jquery.min.js $(SCRIPTS)/jquery-flot/jquery.flot.min.js \
            $(SCRIPTS)/bootstrap/js/bootstrap.min.js $(SCRIPTS)/jquery-stupidtable/stupidtable.min.js \
            $(SCRIPTS)/blueimp-md5/md5.min.js
PACKAGES := chromium libjs-jquery libjs-jquery-flot libjs-bootstrap libjs-jquery-stupidtable node-blueimp-md5
export CHROMIUM
# sudo only where needed: CI and the project's machines run as root, without sudo installed
SUDO     := $(if $(filter 0,$(shell id -u)),,sudo)
APT_GET  := $(strip $(SUDO) env DEBIAN_FRONTEND=noninteractive apt-get)

# asv's machine record: the name the conformance results use, with CPU, GPU, RAM and OS
MACHINE = $(shell $(BIN)/python -c "from suite.machine import machine_name; print(machine_name())")
MACHINE_ARGS = $(shell $(BIN)/python -c "import shlex; from suite.bench import asv_machine_args; print(shlex.join(asv_machine_args()))")

.PHONY: run test bench bench-history bench-quick claims dashboard clean

$(BIN)/opsuite: pyproject.toml Makefile
	$(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --disable-pip-version-check "$(TORCH)"
	$(BIN)/python -m pip install --quiet --disable-pip-version-check -e ".[bench,focal,surface]"
	@touch $@

# Backends for `make run`: `make run BACKENDS="cpu meta"` skips the compile-* backends, whose
# first run on a machine compiles every spec (see README, Speed).
BACKENDS ?= all

## run: conformance on every backend this machine has; matrix on screen, JSON under results/,
## then results/README.md and its charts rewritten with this run beside every other machine's.
## The report is written whatever the specs found; make exits with conformance's status.
run: $(BIN)/opsuite
	status=0; $(BIN)/opsuite conformance $(addprefix --backend ,$(BACKENDS)) -- -n auto --dist worksteal || status=$$?; \
	  $(BIN)/opsuite report && exit $$status

# Installed only when missing, by one apt-get for all (`&:`). A failure stops `make test`:
# without them the dashboard test would skip, unnoticed on CI. apt-get update only if the
# install fails: a missing or stale package list is the usual cause.
$(CHROMIUM) $(WEB_JS) &:
	$(APT_GET) install -y --no-install-recommends $(PACKAGES) || \
	  { $(APT_GET) update && $(APT_GET) install -y --no-install-recommends $(PACKAGES); }

## test: the project's own tests, conformance on cpu and meta (recording what the specs exercise
## of each op's documented surface, every gap of which needs an exemption with a reason), and
## every benchmark case run once without timing (a smoke test: no timing gate on a shared CI machine)
SURFACE_RUN := .surface-run.json
test: $(BIN)/opsuite $(CHROMIUM) $(WEB_JS)
	rm -f $(SURFACE_RUN) $(SURFACE_RUN:.json=.partial.jsonl)
	$(BIN)/python -m pytest tests conformance --backend cpu --backend meta -p no:cacheprovider -n auto --dist worksteal \
	  --record-surface --output $(SURFACE_RUN)
	$(BIN)/opsuite coverage --check --surface $(SURFACE_RUN) $(SURFACE_RUN)
	$(BIN)/python -m pytest benchmarks --benchmark-disable -p no:cacheprovider -q
	$(BIN)/asv check -E existing:same

## bench: asv over the commits on main not yet measured here, in asv's own environments
## (torch pinned in asv.conf.json); results under results/asv/<machine>/
bench: $(BIN)/opsuite
	$(BIN)/asv machine --yes $(MACHINE_ARGS)
	$(BIN)/asv run NEW --machine $(MACHINE)

## bench-history: asv over every commit that changed a benchmark (benchmarks/, suite/cases/,
## suite/focal_loss/), in asv's own environments; commits measured before are skipped, and so
## are commits from before suite/asv_suite.py, which the benchmarks import (nothing to run there). One
## asv run per commit: a run over several discovers the benchmarks (and their parameters, such
## as the focal-loss implementations) once, at one commit, and measures only those at the others.
## Oldest first: each run rewrites results/asv/benchmarks.json, which the dashboard draws from,
## and the newest commit's benchmarks (fused included) must be the ones left there.
BENCHED := benchmarks suite/cases suite/focal_loss suite/asv_suite.py
bench-history: $(BIN)/opsuite
	$(BIN)/asv machine --yes $(MACHINE_ARGS)
	for commit in $$(git log --reverse --format=%H -- $(BENCHED)); do \
	  git cat-file -e $$commit:suite/asv_suite.py 2>/dev/null || continue; \
	  $(BIN)/asv run "$$commit^!" --skip-existing-successful --machine $(MACHINE) || exit 1; done

## bench-quick: every asv benchmark once, in this venv, nothing saved (about 3.5 min here, 5 with a cold compile cache)
bench-quick: $(BIN)/opsuite
	$(BIN)/asv machine --yes $(MACHINE_ARGS)
	$(BIN)/asv run -E existing:same --quick --dry-run --machine $(MACHINE)

## dashboard: asv's pages under results/html with every script they need, to open offline
dashboard: $(BIN)/opsuite $(WEB_JS)
	$(BIN)/opsuite dashboard

## claims: the seed articles' performance claims, measured here; JSON under results/claims/
claims: $(BIN)/opsuite
	$(BIN)/opsuite claims

clean:
	rm -rf $(VENV) build *.egg-info
