# Two commands for a newcomer: `make demo` and `make test`. Both set up .venv themselves.
PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
STAMP := $(VENV)/.installed
# Browser tests drive Debian's chromium; Playwright must never download a browser of its own.
export PLAYWRIGHT_SKIP_BROWSER_DOWNLOAD := 1

.PHONY: demo test lint typecheck pytest bench golden clean lock image-smoke

# .venv gets exactly the versions in requirements-dev.lock (hash-checked), as CI and the image
# do (requirements.lock holds the same versions). After editing dependencies in
# pyproject.toml, run `make lock` and commit the three requirements*.lock files.
$(STAMP): pyproject.toml requirements-dev.lock
	test -d $(VENV) || $(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --require-hashes --no-deps -r requirements-dev.lock
	$(BIN)/python -m pip install --quiet --no-deps --no-build-isolation -e .
	@$(BIN)/python -m pip check >/dev/null || { $(BIN)/python -m pip check; \
	    echo "requirements-dev.lock does not match pyproject.toml: run make lock"; exit 1; }
	touch $(STAMP)

demo: $(STAMP)
	@rm -rf demo-data
	$(BIN)/digestbot --config config/demo.toml publish --file samples/2026-04-20.txt
	$(BIN)/digestbot --config config/demo.toml log

test: lint typecheck pytest

lint: $(STAMP)
	$(BIN)/ruff check src tests benchmarks

typecheck: $(STAMP)
	$(BIN)/mypy --strict src benchmarks

pytest: $(STAMP)
	$(BIN)/pytest $(PYTEST_ARGS)

bench: $(STAMP)
	$(BIN)/python -m benchmarks

golden: $(STAMP)
	$(BIN)/pytest tests -k golden --update-golden

# Resolved for the image's platform (CPython 3.11, Linux x86_64; every file's hash is kept, so
# other architectures verify too). The runtime and build locks are constrained by the dev lock:
# the image runs the versions CI tested. Existing pins are kept; `make lock LOCK_FLAGS=--upgrade`
# moves everything to the newest allowed versions.
LOCK_FLAGS ?=
UV_COMPILE = $(BIN)/uv pip compile --quiet --generate-hashes --python-version 3.11 \
	--python-platform x86_64-unknown-linux-gnu --custom-compile-command "make lock"
lock:
	@test -x $(BIN)/uv || { echo "no $(BIN)/uv: run make test once first"; exit 1; }
	$(UV_COMPILE) $(LOCK_FLAGS) pyproject.toml --extra dev -o requirements-dev.lock
	$(UV_COMPILE) pyproject.toml -c requirements-dev.lock -o requirements.lock
	$(BIN)/python -c 'import tomllib; print(*tomllib.load(open("pyproject.toml", "rb"))["build-system"]["requires"], sep="\n")' \
	    | $(UV_COMPILE) - -c requirements-dev.lock -o requirements-build.lock

# Builds the Dockerfile on a Debian base made here with debootstrap and runs it with buildah
# (no registry, no Docker engine); skips with a message when those tools are missing.
image-smoke:
	deploy/image-smoke.sh

clean:
	rm -rf $(VENV) demo-data build dist .mypy_cache .pytest_cache .ruff_cache
