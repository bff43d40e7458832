"""Build every mart with DuckDB and with Spark from the same shop; compare them.

    python scripts/parity.py                      # the default sample shop
    python scripts/parity.py --data DIR           # your shop's raw files
    python scripts/parity.py --customers 2000     # a smaller generated shop

Needs the spark extra (`make test-spark` sets up .venv-spark with it). Steps:
generate the sample shop (unless --data), load and `dbt build` it into a fresh
DuckDB file, then load and `dbt build` it into a fresh local Spark warehouse (both
builds run every unit and data test too), and compare every table of the `marts`
schema: the same marts, the same columns and types, and the same rows. Rows are
matched as multisets: exact for integers, strings, booleans, dates and timestamps,
decimals to the cent, doubles to a relative 1e-9, load times (loaded_at) as
which load of the warehouse the row came from. Prints rows compared and
differences per mart, writes the same as JSON (--report), and exits 1 on any
difference. Everything lands under --work (default warehouse/parity, git-ignored),
which is emptied first so every run starts from nothing.
"""

from __future__ import annotations

import argparse
import csv
import datetime as dt
import decimal
import json
import math
import os
import shutil
import subprocess
import sys
import time
from collections import Counter
from dataclasses import asdict, dataclass, field
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parents[1]
MARTS_SCHEMA = "marts"
FLOAT_RELATIVE_TOLERANCE = 1e-9
# When a row was loaded: compared as which load it came from (see _load_order).
LOAD_TIME_COLUMNS = {"loaded_at"}
# Below this a double counts as zero (sums of shares that should cancel).
FLOAT_ABSOLUTE_TOLERANCE = 1e-12
CENT = decimal.Decimal("0.01")
SHOWN_DIFFERENCES = 5


@dataclass
class MartResult:
    mart: str
    duckdb_rows: int | None
    spark_rows: int | None
    compared_rows: int
    differences: int
    schema_differences: list[str] = field(default_factory=list)
    examples: list[str] = field(default_factory=list)


def _run(args: list[str], env: dict[str, str]) -> bool:
    """Run a crm-marts command in a child process; whether it succeeded."""
    completed = subprocess.run(
        [sys.executable, "-m", "crm_marts", *args], env=env, check=False
    )
    if completed.returncode != 0:
        print(f"parity: `crm-marts {' '.join(args)}` failed", flush=True)
    return completed.returncode == 0


def _canonical_type(data_type: str) -> str:
    """One spelling per type: DuckDB's VARCHAR is Spark's string, and so on."""
    spelled = data_type.lower().replace(" ", "")
    return {"varchar": "string", "integer": "int"}.get(spelled, spelled)


def _normalise(value: Any) -> Any:
    """A value as compared: decimals to the cent, timestamps as naive UTC."""
    if isinstance(value, decimal.Decimal):
        return value.quantize(CENT, rounding=decimal.ROUND_HALF_UP)
    if isinstance(value, dt.datetime) and value.tzinfo is not None:
        return value.astimezone(dt.UTC).replace(tzinfo=None)
    if isinstance(value, float) and math.isnan(value):
        return "NaN"
    return value


def _exact_key(value: Any) -> Any:
    """Doubles to 9 significant digits, so equal-enough rows land together."""
    if isinstance(value, float) and value != 0 and math.isfinite(value):
        return float(f"{value:.9g}")
    return value


def _sort_key(row: tuple[Any, ...]) -> tuple[Any, ...]:
    # None first, then values; the type name keeps mixed columns comparable.
    return tuple(
        (0, "", 0) if v is None else (1, type(v).__name__, _exact_key(v)) for v in row
    )


def _values_equal(left: Any, right: Any) -> bool:
    if isinstance(left, float) and isinstance(right, float):
        return math.isclose(
            left,
            right,
            rel_tol=FLOAT_RELATIVE_TOLERANCE,
            abs_tol=FLOAT_ABSOLUTE_TOLERANCE,
        )
    return left == right


def compare_rows(
    columns: list[str],
    duckdb_rows: list[tuple[Any, ...]],
    spark_rows: list[tuple[Any, ...]],
) -> tuple[int, list[str]]:
    """Differences between two multisets of rows, and a few examples.

    Rows equal after rounding doubles to 9 significant digits match at once; the
    rest are paired in sorted order and compared with the tolerances, and rows
    left without a partner count one difference each.
    """
    left = Counter(tuple(map(_exact_key, row)) for row in duckdb_rows)
    right = Counter(tuple(map(_exact_key, row)) for row in spark_rows)
    if left == right:
        return 0, []
    only_left = _surplus(duckdb_rows, left - right)
    only_right = _surplus(spark_rows, right - left)
    differences = 0
    examples = []
    for left_row, right_row in zip(only_left, only_right, strict=False):
        unequal = [
            f"{name}: duckdb={a!r} spark={b!r}"
            for name, a, b in zip(columns, left_row, right_row, strict=True)
            if not _values_equal(a, b)
        ]
        if unequal:
            differences += 1
            if len(examples) < SHOWN_DIFFERENCES:
                examples.append("; ".join(unequal))
    paired = min(len(only_left), len(only_right))
    for label, rows in (("duckdb", only_left), ("spark", only_right)):
        differences += len(rows) - paired
        for row in rows[paired : paired + SHOWN_DIFFERENCES]:
            examples.append(f"only in {label}: {dict(zip(columns, row, strict=True))}")
    return differences, examples


def _surplus(
    rows: list[tuple[Any, ...]], surplus: Counter[tuple[Any, ...]]
) -> list[tuple[Any, ...]]:
    """The rows not matched exactly (each as often as it is surplus), sorted."""
    remaining = Counter(surplus)
    kept = []
    for row in rows:
        key = tuple(map(_exact_key, row))
        if remaining[key] > 0:
            remaining[key] -= 1
            kept.append(row)
    return sorted(kept, key=_sort_key)


def read_duckdb_marts(database: Path) -> dict[str, tuple[dict[str, str], list]]:
    """Every table of the marts schema: column types and normalised rows."""
    import duckdb

    if not database.is_file():
        return {}
    con = duckdb.connect(str(database), read_only=True)
    try:
        names = [
            name
            for (name,) in con.execute(
                "select table_name from information_schema.tables "
                "where table_schema = ? and table_type = 'BASE TABLE'",
                [MARTS_SCHEMA],
            ).fetchall()
        ]
        marts = {}
        for name in names:
            types = {
                column: _canonical_type(data_type)
                for column, data_type in con.execute(
                    "select column_name, data_type from information_schema.columns "
                    "where table_schema = ? and table_name = ? "
                    "order by ordinal_position",
                    [MARTS_SCHEMA, name],
                ).fetchall()
            }
            table = con.sql(f"select * from {MARTS_SCHEMA}.{name}").to_arrow_table()
            marts[name] = (types, _arrow_rows(table))
        return marts
    finally:
        con.close()


def read_spark_marts(session: Any) -> dict[str, tuple[dict[str, str], list]]:
    marts = {}
    if not session.catalog.databaseExists(MARTS_SCHEMA):
        return marts
    for table in session.catalog.listTables(MARTS_SCHEMA):
        if table.tableType == "VIEW" or table.isTemporary:
            continue
        frame = session.table(f"{MARTS_SCHEMA}.{table.name}")
        types = {
            column.name: _canonical_type(column.dataType.simpleString())
            for column in frame.schema.fields
        }
        marts[table.name] = (types, _arrow_rows(frame.toArrow()))
    return marts


def _arrow_rows(table: Any) -> tuple[list[str], list[tuple[Any, ...]]]:
    columns = table.column_names
    values = [table.column(name).to_pylist() for name in columns]
    rows = [tuple(_normalise(v) for v in row) for row in zip(*values, strict=True)]
    return columns, rows


def compare_marts(
    duckdb_marts: dict[str, Any], spark_marts: dict[str, Any]
) -> list[MartResult]:
    results = []
    for mart in sorted(set(duckdb_marts) | set(spark_marts)):
        if mart not in duckdb_marts or mart not in spark_marts:
            present = duckdb_marts.get(mart) or spark_marts[mart]
            rows = len(present[1][1])
            results.append(
                MartResult(
                    mart,
                    rows if mart in duckdb_marts else None,
                    rows if mart in spark_marts else None,
                    0,
                    rows or 1,
                    [f"missing on {'spark' if mart in duckdb_marts else 'duckdb'}"],
                )
            )
            continue
        duckdb_types, (duckdb_columns, duckdb_rows) = duckdb_marts[mart]
        spark_types, (spark_columns, spark_rows) = spark_marts[mart]
        schema_differences = [
            f"{column}: duckdb {duckdb_types.get(column)}, "
            f"spark {spark_types.get(column)}"
            for column in dict.fromkeys([*duckdb_columns, *spark_columns])
            if duckdb_types.get(column) != spark_types.get(column)
        ]
        common = [c for c in duckdb_columns if c in spark_columns]
        left = _load_order(
            [_pick(row, duckdb_columns, common) for row in duckdb_rows], common
        )
        right = _load_order(
            [_pick(row, spark_columns, common) for row in spark_rows], common
        )
        differences, examples = compare_rows(common, left, right)
        results.append(
            MartResult(
                mart,
                len(duckdb_rows),
                len(spark_rows),
                min(len(duckdb_rows), len(spark_rows)),
                differences + len(schema_differences),
                schema_differences,
                examples,
            )
        )
    return results


def _load_order(
    rows: list[tuple[Any, ...]], columns: list[str]
) -> list[tuple[Any, ...]]:
    """Each load time (LOAD_TIME_COLUMNS) as its load's number, 1 = the first:
    the two warehouses load the same files at different moments, so the same
    load has another _loaded_at on each."""
    positions = [i for i, name in enumerate(columns) if name in LOAD_TIME_COLUMNS]
    if not positions:
        return rows
    numbers = [
        {t: n for n, t in enumerate(sorted({row[i] for row in rows} - {None}), 1)}
        for i in positions
    ]
    renumbered = []
    for row in rows:
        values = list(row)
        for i, number in zip(positions, numbers, strict=True):
            values[i] = number.get(values[i])
        renumbered.append(tuple(values))
    return renumbered


def _pick(
    row: tuple[Any, ...], columns: list[str], wanted: list[str]
) -> tuple[Any, ...]:
    if columns == wanted:
        return row
    index = {name: i for i, name in enumerate(columns)}
    return tuple(row[index[name]] for name in wanted)


def print_results(results: list[MartResult]) -> None:
    width = max((len(r.mart) for r in results), default=4)
    print(
        f"\n{'mart':<{width}}  {'duckdb rows':>11}  {'spark rows':>10}  "
        f"{'compared':>9}  differences"
    )
    for r in results:
        duckdb_rows = "-" if r.duckdb_rows is None else f"{r.duckdb_rows:,}"
        spark_rows = "-" if r.spark_rows is None else f"{r.spark_rows:,}"
        print(
            f"{r.mart:<{width}}  {duckdb_rows:>11}  {spark_rows:>10}  "
            f"{r.compared_rows:>9,}  {r.differences}"
        )
        for line in [*r.schema_differences, *r.examples]:
            print(f"{'':<{width}}    {line}")
    total = sum(r.differences for r in results)
    print(f"{len(results)} marts compared, {total} differences")


def write_report(
    report: Path | None,
    failures: list[str],
    timings: dict[str, float],
    results: list[MartResult],
) -> None:
    if report is None:
        return
    report.parent.mkdir(parents=True, exist_ok=True)
    report.write_text(
        json.dumps(
            {
                "failures": failures,
                "seconds": timings,
                "marts": [asdict(r) for r in results],
            },
            indent=2,
            default=str,
        )
    )


def compare_only(work: Path, report: Path | None) -> int:
    from crm_marts import spark

    session = spark.get_session(work / "spark")
    results = compare_marts(
        read_duckdb_marts(work / "crm.duckdb"), read_spark_marts(session)
    )
    print_results(results)
    write_report(report, [], {}, results)
    return 1 if any(r.differences for r in results) else 0


def append_rows(shop: Path, extra: Path) -> None:
    """Append the data rows of extra/<table>.csv to shop/<table>.csv, by header."""
    for extra_file in sorted(extra.glob("*.csv")):
        target = shop / extra_file.name
        if not target.is_file():
            raise SystemExit(f"parity: {target} missing; --extra-rows needs CSV")
        with target.open(encoding="utf-8", newline="") as handle:
            header = next(csv.reader(handle))
        with extra_file.open(encoding="utf-8", newline="") as handle:
            rows = list(csv.DictReader(handle))
        with target.open("a", encoding="utf-8", newline="") as handle:
            writer = csv.writer(handle)
            for row in rows:
                writer.writerow([row.get(column, "") for column in header])
        print(f"appended {len(rows)} rows of {extra_file} to {target}", flush=True)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--data", type=Path, help="raw shop files; default: generate")
    parser.add_argument("--customers", type=int, default=20_000)
    parser.add_argument("--seed", type=int, default=42)
    parser.add_argument("--vars", default=None, help="dbt vars (YAML), both builds")
    parser.add_argument("--select", default=None, help="dbt selector, both builds")
    parser.add_argument("--exclude", default=None, help="dbt selector to leave out")
    parser.add_argument(
        "--work", type=Path, default=ROOT / "warehouse" / "parity", help="scratch"
    )
    parser.add_argument("--report", type=Path, help="write results as JSON here")
    parser.add_argument(
        "--extra-rows",
        type=Path,
        action="append",
        default=[],
        help="folder of CSV rows to append to the shop's files (repeatable)",
    )
    parser.add_argument(
        "--compare-only",
        action="store_true",
        help="compare the marts an earlier run left in --work; build nothing",
    )
    args = parser.parse_args(argv)

    work = args.work.resolve()
    if args.compare_only:
        return compare_only(work, args.report)
    if work.exists():
        shutil.rmtree(work)
    work.mkdir(parents=True)
    timings: dict[str, float] = {}
    env = {
        **os.environ,
        "CRM_MARTS_PROJECT_DIR": str(ROOT),
        "CRM_MARTS_DUCKDB_PATH": str(work / "crm.duckdb"),
        "CRM_MARTS_SPARK_DIR": str(work / "spark"),
    }
    build_args = []
    for option in ("vars", "select", "exclude"):
        if getattr(args, option):
            build_args += [f"--{option}", getattr(args, option)]
    failures = []

    started = time.perf_counter()
    data = args.data
    if data is None:
        data = work / "sample"
        generated = _run(
            [
                "generate",
                "--customers",
                str(args.customers),
                "--seed",
                str(args.seed),
                "--out",
                str(data),
            ],
            env,
        )
        if not generated:
            return 2
    if args.extra_rows:
        if data != work / "sample":
            shutil.copytree(data, work / "shop")
            data = work / "shop"
        for extra in args.extra_rows:
            append_rows(data, extra)
    timings["generate"] = time.perf_counter() - started

    started = time.perf_counter()
    duckdb_env = {
        **env,
        "DBT_TARGET_PATH": str(work / "target-duckdb"),
        "DBT_LOG_PATH": str(work / "logs-duckdb"),
    }
    if not (
        _run(["load", str(data), "--target", "duckdb"], duckdb_env)
        and _run(
            ["build", "--target", "duckdb", "--unit-tests", *build_args], duckdb_env
        )
    ):
        failures.append("the DuckDB load or build failed; see above")
    timings["duckdb load + build"] = time.perf_counter() - started

    # Spark in this process: load, dbt build (dbt-spark reuses this session),
    # then read the marts back through the same session.
    started = time.perf_counter()
    os.environ.update(env)
    os.environ["DBT_TARGET_PATH"] = str(work / "target-spark")
    os.environ["DBT_LOG_PATH"] = str(work / "logs-spark")
    from crm_marts import predictions, spark
    from crm_marts.cli import parse_vars
    from crm_marts.errors import CrmMartsError
    from crm_marts.load import load_shop_spark

    session = spark.get_session(work / "spark")
    timings["spark start"] = time.perf_counter() - started
    started = time.perf_counter()
    loaded = load_shop_spark(data, work / "spark")
    print(f"loaded {data} into Spark: {loaded.rows}", flush=True)
    timings["spark load"] = time.perf_counter() - started
    started = time.perf_counter()
    try:
        # as `crm-marts build`: with the fitting step of the prediction marts
        predictions.build(
            work / "unused.duckdb",
            parse_vars(args.vars, None),
            select=args.select,
            exclude=args.exclude,
            target="spark",
            unit_tests=True,
        )
    except CrmMartsError as exc:
        failures.append(f"the Spark build failed: {exc}")
        print(f"parity: the Spark build failed:\n{exc}", flush=True)
    timings["spark build"] = time.perf_counter() - started

    started = time.perf_counter()
    results = compare_marts(
        read_duckdb_marts(work / "crm.duckdb"), read_spark_marts(session)
    )
    timings["compare"] = time.perf_counter() - started
    print_results(results)
    print("seconds: " + ", ".join(f"{k} {v:.0f}" for k, v in timings.items()))
    write_report(args.report, failures, timings, results)
    failed = bool(failures) or any(r.differences for r in results)
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main())
