# The two commands a newcomer needs: `make run` and `make test`.
# Everything else is here for developers and CI.
PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin

.PHONY: run test lint bench clean

$(BIN)/python:
	@$(PYTHON) -c 'import sys; assert sys.version_info >= (3, 11), "Python 3.11+ is required (set PYTHON=python3.11)"'
	$(PYTHON) -m venv $(VENV)

# requirements-local.txt: the runtime set plus the local supervisor and embedded server.
$(VENV)/.run-deps: requirements.txt requirements-local.txt | $(BIN)/python
	$(BIN)/pip install --quiet -r requirements-local.txt
	@touch $@

$(VENV)/.dev-deps: requirements.txt requirements-local.txt requirements-dev.txt | $(BIN)/python
	$(BIN)/pip install --quiet -r requirements-dev.txt
	@touch $@ $(VENV)/.run-deps

## Start an embedded Redis, the RQ worker and the web server (sandbox mode without Zalo credentials).
run: $(VENV)/.run-deps
	$(BIN)/python -m bot.ops.localrun

## Run the whole test suite against a real redis-server started by the tests: in TEST_WORKERS
## pytest-xdist processes, each with its own redis-server (the tests mostly wait on I/O, so
## more processes than cores pay off; TEST_WORKERS=0 runs everything in one process). Then the
## few tests that load the whole machine (Redis restarts and a failover under load, marked
## `serial`), alone: beside the others they measure the machine's load, not the bot.
TEST_WORKERS ?= 4
test: $(VENV)/.dev-deps
	$(BIN)/python -m pytest -n $(TEST_WORKERS) --dist worksteal -m "not serial"
	$(BIN)/python -m pytest -m serial

## ruff and mypy, as CI runs them.
lint: $(VENV)/.dev-deps
	$(BIN)/ruff check .
	$(BIN)/ruff format --check .
	$(BIN)/mypy

## Benchmarks: figures against baselines measured in the same run.
bench: $(VENV)/.dev-deps
	$(BIN)/python -m bench

clean:
	rm -rf $(VENV) .local .pytest_cache .mypy_cache .ruff_cache
