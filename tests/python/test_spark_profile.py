"""The spark target without starting Spark: its settings, and the CLI without it.

The loader (src/crm_marts/spark.py) and dbt (profiles/profiles.yml) must open the
same local Spark warehouse; these tests keep the two lists of settings equal.
"""

from __future__ import annotations

import importlib.util
from pathlib import Path

import jinja2
import pytest
import yaml
from conftest import BROKEN_SHOP, run_cli

from crm_marts import spark

ROOT = Path(__file__).resolve().parents[2]


def _render(value: str, env: dict[str, str]) -> str:
    def env_var(name: str, default: str | None = None) -> str:
        if name in env:
            return env[name]
        assert default is not None, f"{name} has no default"
        return default

    template = jinja2.Environment().from_string(str(value))
    return template.render(env_var=env_var)


def _spark_output() -> dict:
    profiles = yaml.safe_load((ROOT / "profiles" / "profiles.yml").read_text())
    return profiles["crm_marts"]["outputs"]["spark"]


def test_profile_and_loader_configure_spark_alike(tmp_path: Path) -> None:
    env = {"CRM_MARTS_SPARK_DIR": str(tmp_path)}
    profile = {
        key: _render(value, env)
        for key, value in _spark_output()["server_side_parameters"].items()
    }
    assert profile == spark.session_config(tmp_path)


def test_profile_and_loader_read_the_same_tunables(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    env = {"CRM_MARTS_SPARK_DIR": str(tmp_path)}
    for key, (variable, _default) in spark.TUNABLES.items():
        env[variable] = f"custom-{key}"
        monkeypatch.setenv(variable, f"custom-{key}")
    rendered = {
        key: _render(value, env)
        for key, value in _spark_output()["server_side_parameters"].items()
    }
    assert rendered == spark.session_config(tmp_path)


def test_session_target_keeps_spark_files_in_the_spark_dir() -> None:
    parameters = _spark_output()["server_side_parameters"]
    assert "CRM_MARTS_SPARK_DIR" in parameters["spark.sql.warehouse.dir"]
    assert "CRM_MARTS_SPARK_DIR" in parameters["spark.driver.extraJavaOptions"]
    ignored = (ROOT / ".gitignore").read_text().split()
    assert "warehouse/" in ignored


@pytest.mark.skipif(
    importlib.util.find_spec("pyspark") is not None,
    reason="pyspark is installed here",
)
def test_spark_target_without_the_extra_is_a_usage_error(tmp_path: Path) -> None:
    result = run_cli(
        "load", str(BROKEN_SHOP), "--target", "spark", database=tmp_path / "x.duckdb"
    )
    assert result.returncode == 2
    assert "spark extra" in result.stderr
    assert "Traceback" not in result.stderr


def test_unknown_target_is_a_usage_error(tmp_path: Path) -> None:
    result = run_cli("build", "--target", "snowflake", database=tmp_path / "x.duckdb")
    assert result.returncode == 2
