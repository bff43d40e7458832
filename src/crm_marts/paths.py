"""Where the dbt project, the warehouse file and the outputs live."""

from __future__ import annotations

import os
from pathlib import Path

DUCKDB_PATH_ENV = "CRM_MARTS_DUCKDB_PATH"
PROJECT_DIR_ENV = "CRM_MARTS_PROJECT_DIR"


def project_dir() -> Path:
    """The dbt project: $CRM_MARTS_PROJECT_DIR, else the checkout this package is in."""
    configured = os.environ.get(PROJECT_DIR_ENV)
    if configured:
        return Path(configured).resolve()
    return Path(__file__).resolve().parents[2]


def profiles_dir() -> Path:
    return project_dir() / "profiles"


def duckdb_path() -> Path:
    """The DuckDB build file: $CRM_MARTS_DUCKDB_PATH, else warehouse/crm.duckdb."""
    configured = os.environ.get(DUCKDB_PATH_ENV)
    if configured:
        return Path(configured).resolve()
    return project_dir() / "warehouse" / "crm.duckdb"


def build_info_path(database: Path) -> Path:
    """Small JSON written beside the warehouse after each successful build."""
    return database.with_suffix(".build.json")
