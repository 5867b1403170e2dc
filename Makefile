# Two commands do everything on a fresh machine: `make run` and `make test`.
# Each builds its own virtual environment in .venv first.

PYTHON ?= python3
VENV   ?= .venv
# torch is pinned here, not in pyproject.toml (which accepts torch>=2.4): an unpinned
# `pip install torch` on a machine without it fetches a multi-GB CUDA build.
TORCH  ?= torch==2.13.0
BIN    := $(VENV)/bin

.PHONY: run test conformance clean

$(BIN)/opsuite: pyproject.toml Makefile
	$(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --disable-pip-version-check "$(TORCH)"
	$(BIN)/python -m pip install --quiet --disable-pip-version-check -e ".[bench]"
	@touch $@

## run: conformance on every backend this machine has; matrix on screen, JSON under results/
run: $(BIN)/opsuite
	$(BIN)/opsuite conformance --backend all -- -n auto

## test: the project's own tests plus conformance on cpu and meta
test: $(BIN)/opsuite
	$(BIN)/python -m pytest tests conformance --backend cpu --backend meta -p no:cacheprovider

clean:
	rm -rf $(VENV) build *.egg-info
