"""CLI exit codes: 0 ok, 1 a dbt node failed, 2 bad usage or input."""

from __future__ import annotations

import shutil
from pathlib import Path

from conftest import BROKEN_SHOP, run_cli


def test_invalid_as_of_date_is_a_usage_error(tmp_path: Path) -> None:
    result = run_cli("build", "--as-of", "2024-02-30", database=tmp_path / "x.duckdb")
    assert result.returncode == 2
    assert "2024-02-30" in result.stderr
    assert "Traceback" not in result.stderr


def test_invalid_as_of_in_vars_is_a_usage_error(tmp_path: Path) -> None:
    result = run_cli(
        "build", "--vars", "{as_of_date: yesterday}", database=tmp_path / "x.duckdb"
    )
    assert result.returncode == 2
    assert "'yesterday' is not a date" in result.stderr


def test_vars_must_be_a_mapping(tmp_path: Path) -> None:
    result = run_cli("build", "--vars", "[1, 2]", database=tmp_path / "x.duckdb")
    assert result.returncode == 2
    assert "--vars must be a mapping" in result.stderr


def test_build_before_load_is_a_usage_error(tmp_path: Path) -> None:
    result = run_cli("build", database=tmp_path / "x.duckdb")
    assert result.returncode == 2
    assert "crm-marts load" in result.stderr


def test_failing_model_exits_1_and_names_the_node(tmp_path: Path) -> None:
    database = tmp_path / "crm.duckdb"
    shop = tmp_path / "shop"
    shutil.copytree(BROKEN_SHOP, shop)
    assert run_cli("load", str(shop), database=database).returncode == 0
    result = run_cli(
        "build",
        "--select",
        "base_shop__products",
        "--vars",
        "{raw_schema: no_such_schema}",
        database=database,
    )
    assert result.returncode == 1
    assert "base_shop__products" in result.stderr
    assert "no_such_schema" in result.stderr


def test_unknown_command_is_a_usage_error(tmp_path: Path) -> None:
    result = run_cli("frobnicate", database=tmp_path / "x.duckdb")
    assert result.returncode == 2


def test_help_exits_0(tmp_path: Path) -> None:
    result = run_cli("--help", database=tmp_path / "x.duckdb")
    assert result.returncode == 0
    assert "generate" in result.stdout and "export" in result.stdout


def test_audiences_command_builds_and_writes_files(tmp_path: Path) -> None:
    database = tmp_path / "crm.duckdb"
    shop = tmp_path / "shop"
    shutil.copytree(BROKEN_SHOP, shop)
    assert run_cli("load", str(shop), database=database).returncode == 0
    out = tmp_path / "audiences"
    result = run_cli(
        "audiences",
        "--campaign",
        "double11",
        "--as-of",
        "2024-08-10",
        "--out",
        str(out),
        database=database,
    )
    assert result.returncode == 0, result.stdout[-2000:] + result.stderr
    summary = (out / "summary.csv").read_text().splitlines()
    assert summary[0] == "campaign,audience,channel,customers,file"
    # Build and file writing ran in one process: the warehouse was shared.
    assert "double11 audiences in" in result.stdout
    # Double 11 2024 starts Oct 21, 72 days on: outside the 60-day lead window.
    assert "no double11 occurrence starts within" in result.stdout
