# Dasan: two commands for a newcomer.
#   make run   — set up (venv, install, migrate, demo city) and serve on http://127.0.0.1:8000 with a worker
#   make test  — the whole suite
PYTHON ?= $(shell command -v python3.11 || command -v python3)
VENV   := .venv
BIN    := $(VENV)/bin
RUN_STAMP  := $(VENV)/.installed-run
TEST_STAMP := $(VENV)/.installed-test
PYTEST_WORKERS ?= auto

.PHONY: run test install install-test browser bench messages check check-deploy lock audit clean

$(BIN)/python:
	$(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade pip

$(RUN_STAMP): pyproject.toml constraints.txt | $(BIN)/python
	$(BIN)/pip install --quiet --constraint constraints.txt --editable .
	touch $@

$(TEST_STAMP): pyproject.toml constraints.txt | $(BIN)/python
	$(BIN)/pip install --quiet --constraint constraints.txt --editable '.[dev,voice]'
	touch $@ $(RUN_STAMP)

install: $(RUN_STAMP)
install-test: $(TEST_STAMP)

run: export DASAN_DEBUG ?= 1
run: export DASAN_DEMO_SHOW_OTP ?= 1
run: export DASAN_SIGNING_P12 ?= var/signing.p12
run: $(RUN_STAMP)
	$(BIN)/dasan migrate --noinput
	$(BIN)/dasan demo
	@[ -f "$$DASAN_SIGNING_P12" ] || $(BIN)/dasan make_signing_cert --out "$$DASAN_SIGNING_P12"
	$(BIN)/dasan run

# Debian's Chromium for the browser tests (installed when missing and we may use apt).
browser:
	@bash scripts/ensure-chromium.sh

# PYTEST_ARGS narrows a run; CI's SQLite pass uses it (see .ci/run).
test: $(TEST_STAMP) browser
	$(BIN)/python -m pytest -n $(PYTEST_WORKERS) -p no:cacheprovider $(PYTEST_ARGS)

# House rules, fast, before the suite: lint and format, migrations in step with the models,
# the layer rules, the settings registry and the error-code list.
check: $(TEST_STAMP)
	$(BIN)/ruff check src tests bench scripts
	$(BIN)/ruff format --check src tests bench scripts
	$(BIN)/dasan makemigrations --check --dry-run
	$(BIN)/python -m pytest -q -p no:cacheprovider tests/test_layers.py tests/test_configuration.py tests/test_error_codes.py

# Benchmarks print tables of figures; they are never part of `make test`.
bench: $(TEST_STAMP)
	$(BIN)/python bench/assistant/run.py
	$(BIN)/python bench/assistant/languages.py
	$(BIN)/python bench/complaints/run.py
	$(BIN)/python bench/voice/run.py
	DATABASE_URL=$${BENCH_DATABASE_URL:-postgres://postgres@127.0.0.1:5432/dasan} $(BIN)/python bench/reservations/run.py
	$(BIN)/python bench/participation/tally.py
	DATABASE_URL=$${BENCH_DATABASE_URL:-postgres://postgres@127.0.0.1:5432/dasan} $(BIN)/python bench/participation/ballots.py --ballots $${BENCH_BALLOTS:-100000}
	DATABASE_URL=$${BENCH_DATABASE_URL:-postgres://postgres@127.0.0.1:5432/dasan} $(BIN)/python bench/wallet/run.py --entries 1000000 --residents 20000 --clients 200

# Re-extract and compile translation catalogues (needs GNU gettext).
messages: $(RUN_STAMP)
	bash scripts/messages.sh

# Pin what is installed now (after changing dependencies): constraints.txt, read by every install.
lock: $(TEST_STAMP)
	@head -n 4 constraints.txt > constraints.new
	$(BIN)/pip freeze --exclude-editable >> constraints.new
	mv constraints.new constraints.txt

# Known vulnerabilities in exactly the pinned versions (pip-audit asks the PyPI/OSV advisory
# database, so it needs that one address; offline, see docs/operations.md).
audit: $(RUN_STAMP)
	$(BIN)/pip install --quiet pip-audit
	$(BIN)/pip-audit --requirement constraints.txt --no-deps --disable-pip

check-deploy: $(RUN_STAMP)
	DASAN_DEBUG=0 DASAN_SECRET_KEY=$${DASAN_SECRET_KEY:-check-deploy-only-$$(head -c 32 /dev/urandom | od -An -tx1 | tr -d ' \n')} \
	DASAN_ALLOWED_HOSTS=dasan.example.go.kr $(BIN)/dasan check --deploy --fail-level WARNING

clean:
	rm -rf $(VENV) var
