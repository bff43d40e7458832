"""DuckDB/Spark parity: every mart, built from the same shop on both engines, is
identical (scripts/parity.py does the work; `make test-spark` runs this file).

The shop is the default sample (20,000 customers, seed 42) plus two sets of rows
appended to its files: the broken shop of the Python tests and edge_rows, texts
the engines' own casts read differently and values that trip SQL quoting (see
fixtures/edge_rows/README.md), so rejected_rows has rows to compare too. For a
quicker local run pass more arguments to parity.py, e.g.
CRM_MARTS_PARITY_ARGS="--customers 2000" make test-spark.
"""

from __future__ import annotations

import json
import os
import shlex
import subprocess
import sys
from pathlib import Path
from typing import Any

import pytest

ROOT = Path(__file__).resolve().parents[2]
WORK = ROOT / "warehouse" / "parity"
# Every model under models/marts is a mart table; new marts are compared as soon
# as their file exists.
MARTS = sorted(path.stem for path in (ROOT / "models" / "marts").rglob("*.sql"))
EXTRA_ROWS = [
    ROOT / "tests" / "python" / "fixtures" / "broken_shop",
    Path(__file__).parent / "fixtures" / "edge_rows",
]


@pytest.fixture(scope="session")
def parity_report() -> dict[str, Any]:
    report = WORK / "report.json"
    extra = shlex.split(os.environ.get("CRM_MARTS_PARITY_ARGS", ""))
    subprocess.run(
        [
            sys.executable,
            str(ROOT / "scripts" / "parity.py"),
            "--work",
            str(WORK),
            "--report",
            str(report),
            *[argument for rows in EXTRA_ROWS for argument in ("--extra-rows", rows)],
            # The sample's as-of date (2025-12-31) has no double11 within the
            # default 60-day lead window: a year's window gives the campaign
            # marts rows to compare (as in tests/python/test_audiences.py).
            "--vars",
            "{campaign_lead_window_days: 366}",
            *extra,
        ],
        check=False,
    )
    assert report.is_file(), "parity.py stopped before comparing; see its output"
    return json.loads(report.read_text())


def _result(report: dict[str, Any], mart: str) -> dict[str, Any]:
    results = {r["mart"]: r for r in report["marts"]}
    assert mart in results, f"{mart} was built on neither engine"
    return results[mart]


def test_both_builds_pass_every_model_and_test(parity_report: dict) -> None:
    assert not parity_report["failures"], "\n".join(parity_report["failures"])


@pytest.mark.parametrize("mart", MARTS)
def test_mart_is_identical_on_spark(parity_report: dict, mart: str) -> None:
    result = _result(parity_report, mart)
    assert result["duckdb_rows"] is not None, "missing on DuckDB"
    assert result["spark_rows"] is not None, "missing on Spark"
    assert result["duckdb_rows"] > 0, "empty on the sample: nothing was compared"
    details = "\n".join(result["schema_differences"] + result["examples"])
    assert result["differences"] == 0, details


def test_no_table_in_marts_schema_without_a_model(parity_report: dict) -> None:
    unexpected = {r["mart"] for r in parity_report["marts"]} - set(MARTS)
    assert not unexpected
