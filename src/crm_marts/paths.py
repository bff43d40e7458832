"""Where the dbt project, the warehouse file and the outputs live."""

from __future__ import annotations

import os
from pathlib import Path

DUCKDB_PATH_ENV = "CRM_MARTS_DUCKDB_PATH"
PROJECT_DIR_ENV = "CRM_MARTS_PROJECT_DIR"
TARGET_ENV = "CRM_MARTS_TARGET"
SPARK_DIR_ENV = "CRM_MARTS_SPARK_DIR"
# dbt targets of profiles/profiles.yml the wrapper can load into and build.
TARGETS = ("duckdb", "spark")
# Remote Spark targets: built with `crm-marts build`, their raw tables loaded by
# the user's own pipeline (see the README's "Running on Spark").
REMOTE_TARGETS = ("spark_thrift", "spark_http")
DEFAULT_TARGET = "duckdb"


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


def spark_dir() -> Path:
    """Local Spark's metastore, table files and logs: $CRM_MARTS_SPARK_DIR, else
    warehouse/spark (git-ignored, so nothing Spark writes lands in the repo)."""
    configured = os.environ.get(SPARK_DIR_ENV)
    if configured:
        return Path(configured).resolve()
    return project_dir() / "warehouse" / "spark"


def build_info_path(database: Path) -> Path:
    """Small JSON written beside the warehouse after each successful build."""
    return database.with_suffix(".build.json")
