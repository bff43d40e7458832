"""Export: one file per mart, atomic, byte-identical on re-export."""

from __future__ import annotations

import hashlib
import json
from pathlib import Path

import pytest

from crm_marts import export as export_module
from crm_marts.errors import InputError
from crm_marts.export import export_marts


def _digests(folder: Path) -> dict[str, str]:
    return {
        path.name: hashlib.sha256(path.read_bytes()).hexdigest()
        for path in sorted(folder.iterdir())
    }


@pytest.mark.parametrize("file_format", ["parquet", "csv"])
def test_re_export_is_byte_identical(
    built_broken_shop: Path, tmp_path: Path, file_format: str
) -> None:
    export_marts(built_broken_shop, tmp_path / "a", file_format)
    export_marts(built_broken_shop, tmp_path / "b", file_format)
    first, second = _digests(tmp_path / "a"), _digests(tmp_path / "b")
    assert first == second
    assert f"customers.{file_format}" in first
    assert f"rejected_rows.{file_format}" in first
    assert not [name for name in first if name.startswith(".")]


def test_manifest_lists_rows_columns_and_as_of(
    built_broken_shop: Path, tmp_path: Path
) -> None:
    export_marts(built_broken_shop, tmp_path, "csv")
    manifest = json.loads((tmp_path / "manifest.json").read_text())
    assert manifest["as_of_date"] == "2024-08-10"
    marts = {mart["mart"]: mart for mart in manifest["marts"]}
    assert marts["customers"]["rows"] == 4
    assert marts["rejected_rows"]["rows"] == 12
    assert marts["customers"]["columns"][0] == {
        "name": "customer_id",
        "type": "VARCHAR",
    }
    lines = (tmp_path / "customers.csv").read_text().splitlines()
    assert len(lines) == 1 + 4
    assert lines[0].startswith("customer_id,member_level,")


def test_failed_write_leaves_the_previous_file_whole(
    built_broken_shop: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    export_marts(built_broken_shop, tmp_path, "parquet")
    before = _digests(tmp_path)

    def crash(source: object, target: object) -> None:
        raise OSError("disk full")

    monkeypatch.setattr(export_module.os, "replace", crash)
    with pytest.raises(OSError, match="disk full"):
        export_marts(built_broken_shop, tmp_path, "parquet")
    assert _digests(tmp_path) == before


def test_export_without_a_build_is_a_clear_error(tmp_path: Path) -> None:
    with pytest.raises(InputError, match="no warehouse yet"):
        export_marts(tmp_path / "missing.duckdb", tmp_path / "out")


def test_export_after_a_build_in_the_same_process(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    # `crm-marts run` exports while dbt-duckdb still holds the warehouse open,
    # read-write with the profile's config_options: the export shares that.
    import duckdb

    from crm_marts import load

    monkeypatch.delenv(load.TEMP_DIRECTORY_ENV, raising=False)
    database = tmp_path / "crm.duckdb"
    held = duckdb.connect(
        str(database),
        read_only=False,
        config=load.duckdb_open_config(database),
    )
    try:
        held.execute("create schema marts")
        held.execute("create table marts.customers as select 'c1' as customer_id")
        held.execute("create schema intermediate")
        held.execute(
            "create table intermediate.int_as_of_date_resolved as "
            "select date '2026-06-30' as as_of_date"
        )
        exported = export_marts(database, tmp_path / "out", "csv")
    finally:
        held.close()
    assert [(mart.name, mart.rows) for mart in exported] == [("customers", 1)]
    assert (tmp_path / "out" / "customers.csv").read_text() == "customer_id\nc1\n"
    manifest = json.loads((tmp_path / "out" / "manifest.json").read_text())
    assert manifest["as_of_date"] == "2026-06-30"
