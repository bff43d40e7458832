# crm_marts: two commands for a newcomer.
#   make run   - set up .venv, generate the sample shop, load, build, export, summary
#   make test  - set up .venv, lint the SQL, build + test the dbt project, run pytest
PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
STAMP := $(VENV)/.installed
SAMPLE_DIR := data/sample
TEST_DB := warehouse/test.duckdb

.PHONY: run test install lint dbt-test pytest bench clean

install: $(STAMP)

$(STAMP): pyproject.toml constraints.txt
	$(PYTHON) -m venv $(VENV)
	$(BIN)/pip install --quiet --upgrade "pip>=24"
	$(BIN)/pip install --quiet -c constraints.txt -e ".[dev]"
	touch $(STAMP)

run: $(STAMP)
	$(BIN)/crm-marts run

test: $(STAMP) lint dbt-test pytest

lint: $(STAMP)
	$(BIN)/ruff check src tests scripts
	$(BIN)/ruff format --check src tests scripts
	$(BIN)/sqlfluff lint models macros/tests

# Build every model and run every unit and data test on a fresh sample shop,
# in a separate warehouse file so `make run`'s output is left alone.
dbt-test: $(STAMP)
	CRM_MARTS_DUCKDB_PATH=$(TEST_DB) $(BIN)/crm-marts run --out exports/test

pytest: $(STAMP)
	$(BIN)/pytest -q

bench: $(STAMP)
	$(BIN)/python scripts/bench.py

clean:
	rm -rf $(VENV) target logs warehouse exports data audiences
