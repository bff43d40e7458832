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


# `make test` builds and exports the sample shop (dbt-test) before pytest and
# passes it on through these variables, so pytest does not build it again.
SAMPLE_DB_ENV = "CRM_MARTS_TEST_SAMPLE_DB"
SAMPLE_EXPORTS_ENV = "CRM_MARTS_TEST_SAMPLE_EXPORTS"


@pytest.fixture(scope="session")
def built_sample_shop(tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, Path]:
    """A generated shop loaded, built and exported: (database, exports folder).

    The sample `make test` has just built when it says so; otherwise a
    1,000-customer shop generated, built and exported here (`crm-marts run`).
    """
    database, exports = (
        os.environ.get(SAMPLE_DB_ENV),
        os.environ.get(SAMPLE_EXPORTS_ENV),
    )
    if database and exports:
        given = Path(database).resolve(), Path(exports).resolve()
        assert given[0].is_file() and (given[1] / "manifest.json").is_file(), (
            f"{SAMPLE_DB_ENV}={database} / {SAMPLE_EXPORTS_ENV}={exports}: no "
            "built sample there; run `make dbt-test` first or unset them."
        )
        return given
    workdir = tmp_path_factory.mktemp("sample_build")
    database_path, exports_dir = workdir / "crm.duckdb", workdir / "exports"
    built = run_cli(
        "run",
        "--customers",
        "1000",
        "--seed",
        "7",
        "--out",
        str(exports_dir),
        database=database_path,
        cwd=workdir,
    )
    assert built.returncode == 0, built.stdout[-3000:] + built.stderr
    return database_path, exports_dir
