# Two commands do all the set-up on a fresh machine: `make demo` and `make test`.
# Each step is skipped when already done (the venv is rebuilt only when pyproject.toml changes).
PYTHON ?= python3
VENV   := .venv
BIN    := $(VENV)/bin
STAMP  := $(VENV)/.installed

.PHONY: demo test lint format system-packages venv clean bench faults

$(STAMP): pyproject.toml
	@$(PYTHON) -c 'import sys; sys.exit(0 if sys.version_info >= (3, 11) else "MSS needs Python 3.11 or newer")'
	test -x $(BIN)/python || $(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install -q --upgrade pip
	$(BIN)/python -m pip install -q -e '.[dev]'
	# pycanon, the tests' independent k-anonymity and l-diversity checker, pins exact
	# versions of everything it uses (numpy==2.0.2, pandas==2.3.3, typer, ...), which would
	# downgrade the project's own: installed without them; its checks need only numpy, pandas
	# and scipy, which the project has.
	$(BIN)/python -m pip install -q --no-deps 'pycanon==1.3.6'
	touch $@

venv: $(STAMP)

system-packages:
	@bash deploy/system-packages.sh

lint: $(STAMP)
	$(BIN)/ruff check .
	$(BIN)/ruff format --check .
	$(BIN)/lint-imports

format: $(STAMP)
	$(BIN)/ruff format .
	$(BIN)/ruff check --fix .

test: system-packages $(STAMP) lint
	$(BIN)/python -m pytest $(PYTEST_ARGS)

demo: $(STAMP)
	$(BIN)/python -m mss.demo $(DEMO_ARGS)

BENCHES := wire ingest processing kiosk anonymise release free_text utility report

bench: system-packages $(STAMP)
	@for b in $(BENCHES); do echo "== bench/$$b.py"; $(BIN)/python bench/$$b.py || exit 1; done

# Schemathesis against the OpenAPI document, 1,000 cases per operation on SQLite and PostgreSQL.
.PHONY: fuzz
fuzz: $(STAMP)
	$(BIN)/python bench/fuzz_api.py $(FUZZ_ARGS)

# The sqlcipher3 Android recipe's build, run for this machine (minutes: SQLCipher compiles).
.PHONY: android-recipe-check
android-recipe-check: $(STAMP)
	$(BIN)/python deploy/android/check_recipe_on_host.py

# The attacks and faults of issue 9 against the real components (minutes on 2 cores).
faults: $(STAMP)
	$(BIN)/python -m bench.faults $(FAULTS_ARGS)

clean:
	rm -rf $(VENV) build *.egg-info .pytest_cache .ruff_cache demo-work
