"""Shared fixtures: a hand-made broken shop, built once per test session."""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

FIXTURES = Path(__file__).parent / "fixtures"
BROKEN_SHOP = FIXTURES / "broken_shop"
TRANSACTION_LOG = FIXTURES / "transaction_log"


def run_cli(
    *args: str, database: Path, cwd: Path | None = None
) -> subprocess.CompletedProcess[str]:
    """Run `crm-marts ARGS` in a fresh process against the given warehouse file."""
    env = {**os.environ, "CRM_MARTS_DUCKDB_PATH": str(database)}
    env["DBT_TARGET_PATH"] = str(database.parent / "target")
    env["DBT_LOG_PATH"] = str(database.parent / "logs")
    return subprocess.run(
        [sys.executable, "-m", "crm_marts", *args],
        capture_output=True,
        text=True,
        env=env,
        cwd=cwd,
        check=False,
    )


@pytest.fixture
def broken_shop(tmp_path: Path) -> Path:
    """A writable copy of the broken shop."""
    target = tmp_path / "shop"
    shutil.copytree(BROKEN_SHOP, target)
    (target / "README.md").unlink()
    return target


@pytest.fixture
def transaction_log(tmp_path: Path) -> Path:
    """A writable copy of the orders-only, CDNOW-shaped transaction log."""
    target = tmp_path / "log"
    shutil.copytree(TRANSACTION_LOG, target)
    (target / "README.md").unlink()
    return target


@pytest.fixture(scope="session")
def built_broken_shop(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """The broken shop loaded and built (dbt build) once; returns the database.
    The build's console output is kept beside it, in build_output.txt."""
    workdir = tmp_path_factory.mktemp("broken_build")
    database = workdir / "crm.duckdb"
    shop = workdir / "shop"
    shutil.copytree(BROKEN_SHOP, shop)
    loaded = run_cli("load", str(shop), database=database)
    assert loaded.returncode == 0, loaded.stderr
    built = run_cli("build", database=database)
    assert built.returncode == 0, built.stdout[-3000:] + built.stderr
    (workdir / "build_output.txt").write_text(built.stdout)
    return database
