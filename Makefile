# crm_marts: two commands for a newcomer.
#   make run   - set up .venv, generate the sample shop, load, build, export, summary
#   make test  - set up .venv, lint the SQL, dbt-score the metadata, build + test
#                the dbt project, run pytest (the report in headless Chromium too)
PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
STAMP := $(VENV)/.installed
SAMPLE_DIR := data/sample
TEST_DB := warehouse/test.duckdb
TEST_EXPORTS := exports/test

.PHONY: run test install lint score dbt-test reference-data pytest bench clean

install: $(STAMP)

$(STAMP): pyproject.toml constraints.txt
	$(PYTHON) -m venv $(VENV)
	$(BIN)/pip install --quiet --upgrade "pip>=24"
	$(BIN)/pip install --quiet -c constraints.txt -e ".[dev]"
	touch $(STAMP)

run: $(STAMP)
	$(BIN)/crm-marts run

test: $(STAMP) lint score dbt-test reference-data pytest

lint: $(STAMP)
	$(BIN)/ruff check src tests scripts
	$(BIN)/ruff format --check src tests scripts
	mkdir -p warehouse
	CRM_MARTS_DUCKDB_PATH=warehouse/lint.duckdb $(BIN)/sqlfluff lint --processes 2 models tests

# dbt-score on the project's metadata; fails under 9.0 ([tool.dbt-score] in
# pyproject.toml).
score: $(STAMP)
	DBT_PROFILES_DIR=profiles $(BIN)/dbt-score lint --run-dbt-parse

# Build every model and run every unit and data test on a fresh sample shop,
# in a separate warehouse file so `make run`'s output is left alone. (Production
# builds, `crm-marts build` and `run`, leave the unit tests out.)
dbt-test: $(STAMP)
	CRM_MARTS_DUCKDB_PATH=$(TEST_DB) $(BIN)/crm-marts run --unit-tests --out $(TEST_EXPORTS)

# The CDNOW summaries the prediction tests fit (from the lifetimes 0.11.3 wheel,
# pinned and hash-checked; cached in data/reference, git-ignored).
reference-data: $(STAMP)
	$(BIN)/python scripts/fetch_reference_data.py

# Tests reuse dbt-test's sample (warehouse and exports) when it is there,
# instead of building one of their own.
pytest: $(STAMP) reference-data
	$(if $(wildcard $(TEST_DB)),CRM_MARTS_TEST_SAMPLE_DB=$(TEST_DB) \
		CRM_MARTS_TEST_SAMPLE_EXPORTS=$(TEST_EXPORTS)) $(BIN)/pytest -q

bench: $(STAMP)
	$(BIN)/python scripts/bench.py --incremental

clean:
	rm -rf $(VENV) target logs warehouse exports data audiences

# --- Spark -------------------------------------------------------------------
# make test-spark - set up .venv-spark (dev + the spark extra: dbt-spark, pyspark;
#   kept out of .venv), then build every mart on the sample shop with DuckDB and
#   with local Spark and compare them row for row (tests/spark, scripts/parity.py;
#   the warehouses land in warehouse/parity). Needs Java 17.
SPARK_VENV := .venv-spark
SPARK_BIN := $(SPARK_VENV)/bin
SPARK_STAMP := $(SPARK_VENV)/.installed

.PHONY: install-spark test-spark

install-spark: $(SPARK_STAMP)

$(SPARK_STAMP): pyproject.toml constraints.txt
	$(PYTHON) -m venv $(SPARK_VENV)
	$(SPARK_BIN)/pip install --quiet --upgrade "pip>=24"
	$(SPARK_BIN)/pip install --quiet -c constraints.txt -e ".[dev,spark]"
	touch $(SPARK_STAMP)

test-spark: $(SPARK_STAMP)
	@command -v java >/dev/null 2>&1 || { \
		echo "test-spark: Spark needs Java 17 (apt-get install openjdk-17-jre-headless)" >&2; \
		exit 2; }
	$(SPARK_BIN)/pytest tests/spark -q -s -p no:cacheprovider
