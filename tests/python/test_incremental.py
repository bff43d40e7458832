"""A day of new orders appended (crm-marts load --append) and built incrementally
gives the same marts as rebuilding everything from the same raw tables."""

from __future__ import annotations

import csv
import shutil
from pathlib import Path

import duckdb
import pandas as pd
import pytest
from conftest import run_cli

from crm_marts.errors import InputError
from crm_marts.load import load_shop


def _read(path: Path) -> tuple[list[str], list[dict[str, str]]]:
    with path.open(newline="", encoding="utf-8") as handle:
        reader = csv.DictReader(handle)
        return list(reader.fieldnames or []), list(reader)


def _write(path: Path, header: list[str], rows: list[dict[str, str]]) -> None:
    with path.open("w", newline="", encoding="utf-8") as handle:
        writer = csv.DictWriter(handle, header)
        writer.writeheader()
        writer.writerows(rows)


def split_last_days(shop: Path, history: Path, day: Path, days: int) -> int:
    """history: the shop up to `days` days before its last order; day: the
    orders from then on, their lines and the customers registered since, plus
    one history order exported again (a duplicate in the later load).
    Returns the number of orders in `day` (the duplicate included)."""
    history.mkdir()
    day.mkdir()
    shutil.copy(shop / "products.csv", history / "products.csv")
    header, orders = _read(shop / "orders.csv")
    cut = max(row["created_at"][:10] for row in orders)
    cut = str(pd.Timestamp(cut) - pd.Timedelta(days=days - 1))[:10]
    new_orders = [row for row in orders if row["created_at"][:10] >= cut]
    new_ids = {row["order_id"] for row in new_orders}
    old_orders = [row for row in orders if row["order_id"] not in new_ids]
    _write(history / "orders.csv", header, old_orders)
    _write(day / "orders.csv", header, [*new_orders, old_orders[0]])
    header, items = _read(shop / "order_items.csv")
    _write(
        history / "order_items.csv",
        header,
        [row for row in items if row["order_id"] not in new_ids],
    )
    _write(
        day / "order_items.csv",
        header,
        [row for row in items if row["order_id"] in new_ids],
    )
    header, customers = _read(shop / "customers.csv")
    registered_since = [c for c in customers if c["registered_at"][:10] >= cut]
    _write(
        history / "customers.csv",
        header,
        [c for c in customers if c["registered_at"][:10] < cut],
    )
    _write(day / "customers.csv", header, registered_since)
    assert new_orders and registered_since, "the split must append something"
    return len(new_orders) + 1


def _marts(database: Path) -> dict[str, pd.DataFrame]:
    con = duckdb.connect(str(database), read_only=True)
    try:
        names = [
            name
            for (name,) in con.execute(
                "select table_name from information_schema.tables "
                "where table_schema = 'marts' order by 1"
            ).fetchall()
        ]
        return {
            name: con.execute(f"select * from marts.{name} order by all").df()
            for name in names
        }
    finally:
        con.close()


@pytest.fixture(scope="module")
def appended(tmp_path_factory: pytest.TempPathFactory) -> dict[str, object]:
    """A shop built on its history, then a week appended and built again, then
    the same warehouse rebuilt with --full-refresh in a copy."""
    workdir = tmp_path_factory.mktemp("incremental")
    shop, history, day = workdir / "shop", workdir / "history", workdir / "day"
    generated = run_cli(
        "generate",
        "--customers",
        "600",
        "--seed",
        "11",
        "--format",
        "csv",
        "--out",
        str(shop),
        database=workdir / "unused.duckdb",
    )
    assert generated.returncode == 0, generated.stderr
    day_orders = split_last_days(shop, history, day, days=7)
    database = workdir / "crm.duckdb"
    for step in (("load", str(history)), ("build",)):
        done = run_cli(*step, database=database)
        assert done.returncode == 0, done.stdout[-3000:] + done.stderr
    appended = run_cli("load", str(day), "--append", database=database)
    assert appended.returncode == 0, appended.stderr
    # Its own dbt log: it shows how the incremental models were written.
    shutil.rmtree(workdir / "logs")
    incremental = run_cli("build", database=database)
    assert incremental.returncode == 0, incremental.stdout[-3000:] + incremental.stderr
    incremental_log = (workdir / "logs" / "dbt.log").read_text()

    full_dir = workdir / "full"
    full_dir.mkdir()
    full = full_dir / "crm.duckdb"
    shutil.copy(database, full)
    rebuilt = run_cli("build", "--full-refresh", database=full)
    assert rebuilt.returncode == 0, rebuilt.stdout[-3000:] + rebuilt.stderr
    return {
        "database": database,
        "full": full,
        "day_orders": day_orders,
        "incremental_output": incremental.stdout,
        "incremental_log": incremental_log,
        "day": day,
        "history": history,
    }


def test_the_build_after_an_append_parses_only_the_new_rows(appended) -> None:
    assert "full refresh" not in appended["incremental_output"]
    # Appended to, not created again (dbt's incremental insert).
    for model in ("base_shop__orders_parsed", "base_shop__order_items_parsed"):
        assert f'insert into "crm"."staging"."{model}"' in appended["incremental_log"]
        assert f"incremental model staging.{model}" in appended["incremental_log"]
    con = duckdb.connect(str(appended["database"]), read_only=True)
    try:
        (loads,) = con.execute(
            "select count(distinct loaded_at) from staging.base_shop__orders_parsed"
        ).fetchone()
        raw, parsed = con.execute(
            "select (select count(*) from raw.orders), "
            "(select count(*) from staging.base_shop__orders_parsed)"
        ).fetchone()
    finally:
        con.close()
    assert loads == 2
    assert parsed == raw


def test_incremental_marts_equal_a_full_rebuild(appended) -> None:
    incremental, full = _marts(appended["database"]), _marts(appended["full"])
    assert sorted(incremental) == sorted(full)
    assert len(incremental) >= 25
    for name, frame in incremental.items():
        # Prediction sums may differ in the last binary digit between builds
        # (threads add in any order): compared to 1e-9 relative.
        pd.testing.assert_frame_equal(
            frame, full[name], check_exact=False, rtol=1e-9, obj=name
        )


def test_the_repeated_order_of_the_later_load_is_the_rejected_one(appended) -> None:
    con = duckdb.connect(str(appended["database"]), read_only=True)
    try:
        rejected = con.execute(
            "select source_row_number, loaded_at = (select max(_loaded_at) "
            "from raw.orders) from marts.rejected_rows "
            "where reason_code = 'duplicate_order_id'"
        ).fetchall()
    finally:
        con.close()
    assert rejected == [(appended["day_orders"], True)]


def test_a_replacing_load_makes_the_next_build_a_full_refresh(
    appended, tmp_path: Path
) -> None:
    from crm_marts.incremental import full_refresh_reason

    database = tmp_path / "crm.duckdb"
    shutil.copy(appended["database"], database)
    shutil.copy(
        appended["database"].with_suffix(".build.json"),
        database.with_suffix(".build.json"),
    )
    assert full_refresh_reason(database, "raw") is None
    load_shop(appended["history"], database)
    reason = full_refresh_reason(database, "raw")
    assert reason is not None and "raw.orders was replaced" in reason


def test_an_appended_file_needs_the_loaded_columns(appended, tmp_path: Path) -> None:
    database = tmp_path / "crm.duckdb"
    shutil.copy(appended["database"], database)
    day = tmp_path / "day"
    day.mkdir()
    header, rows = _read(appended["day"] / "orders.csv")
    kept = [name for name in header if name != "refund_amount"]
    _write(day / "orders.csv", kept, [{k: r[k] for k in kept} for r in rows])
    with pytest.raises(
        InputError,
        match=r"orders\.csv: its columns differ .*"
        r"missing refund_amount",
    ):
        load_shop(day, database, append=True)


def test_append_needs_a_loaded_shop(appended, tmp_path: Path) -> None:
    with pytest.raises(InputError, match="no shop loaded yet"):
        load_shop(appended["day"], tmp_path / "none.duckdb", append=True)
    assert not (tmp_path / "none.duckdb").exists()
