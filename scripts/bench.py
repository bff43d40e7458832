"""Benchmark: generate, load and build shops of ~1M and ~10M orders.

Prints wall time and peak memory (max RSS) per step, and for the load and the build
the peak disk of the warehouse (file, WAL and DuckDB's spill, sampled every 2 s).
The load is set beside DuckDB's own read of the same files into a scratch database
(`create table as select * from read_parquet(...)`, or `read_csv(..., all_varchar =
true)` for CSV files), which the loader should stay within 2x of. It also compares
the dbt build of the customer marts with one hand-written DuckDB query computing the
same customer facts from the same raw tables (the reference a build should stay
within 1.5x of, plus dbt's fixed start-up, which is measured separately with an
empty selection).

    python scripts/bench.py                  # ~1M and ~10M orders
    python scripts/bench.py --sizes 300000   # customers per shop, any list
    python scripts/bench.py --load-only      # the load lines alone
    python scripts/bench.py --sizes 30000000 --build-only   # 100M orders: load, build
    python scripts/bench.py --incremental    # also: a day appended, built again

--incremental splits the shop's last day of orders off, builds the history, appends
the day (`crm-marts load --append`) and times the build after it (the incremental
staging models parse only the day) beside a full rebuild of the same rows
(`--full-refresh`).

Each step runs in its own process so its peak memory is its own. The shops are kept
in --work (default warehouse/bench) so a second run can skip generation.
"""

from __future__ import annotations

import argparse
import contextlib
import json
import os
import subprocess
import sys
import threading
import time
from dataclasses import dataclass
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
# ~3.3 orders per customer on the sample shop: 300k customers ~ 1M orders.
DEFAULT_SIZES = (300_000, 3_000_000)

# DuckDB's own read of a shop's files: every table in full, nothing checked.
READ_REFERENCE = """
import duckdb, pathlib, sys
shop, database = pathlib.Path(sys.argv[1]), pathlib.Path(sys.argv[2])
database.unlink(missing_ok=True)
con = duckdb.connect(str(database))
con.execute("set enable_progress_bar = false")
for path in sorted(shop.iterdir()):
    if path.suffix == ".parquet":
        scan = f"read_parquet('{path}')"
    elif path.suffix == ".csv":
        scan = f"read_csv('{path}', all_varchar = true)"
    else:
        continue
    con.execute(f"create table {path.stem} as select * from {scan}")
con.close()
database.unlink()
"""

REFERENCE_QUERY = """
create or replace table bench_reference as
with orders as (
    select
        trim(order_id) as order_id,
        trim(customer_id) as customer_id,
        cast(created_at as timestamp) as created_at,
        cast(paid_at as timestamp) as paid_at,
        lower(trim(status)) as status,
        cast(paid_amount as decimal(18, 2)) as paid_amount,
        coalesce(cast(refund_amount as decimal(18, 2)), 0) as refund_amount,
        promotion_tag is not null as is_promotion,
        lower(is_presale) = 'true' as is_presale
    from raw.orders
),
as_of as (select max(cast(created_at as date)) as as_of_date from orders),
valid as (
    select o.*, cast(o.created_at as date) as created_date
    from orders o, as_of
    where o.paid_at is not null and cast(o.paid_at as date) <= as_of.as_of_date
      and o.status in ('paid', 'shipped', 'completed', 'refunded')
      and o.refund_amount < o.paid_amount
),
items as (
    select trim(order_id) as order_id, sum(cast(quantity as integer)) as units
    from raw.order_items group by 1
),
purchases as (
    select customer_id, created_date,
        created_date - lag(created_date) over (
            partition by customer_id order by created_date) as gap
    from (select distinct customer_id, created_date from valid)
),
intervals as (
    select customer_id, count(*) as purchases, avg(gap) as mean_gap,
        median(gap) as median_gap, min(created_date) as first_date,
        max(created_date) as last_date
    from purchases group by 1
),
facts as (
    select v.customer_id, count(*) as orders, sum(i.units) as units,
        sum(v.paid_amount - v.refund_amount) as net_revenue,
        avg(case when v.is_promotion then 1.0 else 0 end) as promotion_share,
        bool_or(v.is_presale) as presale_buyer
    from valid v left join items i using (order_id)
    group by 1
)
select c.customer_id, f.orders, f.units, f.net_revenue,
    f.net_revenue / f.orders as aov, f.promotion_share, f.presale_buyer,
    n.purchases, n.mean_gap, n.median_gap, n.first_date, n.last_date,
    as_of.as_of_date - n.last_date as recency_days
from raw.customers c
cross join as_of
left join facts f on trim(c.customer_id) = f.customer_id
left join intervals n on trim(c.customer_id) = n.customer_id
"""


@dataclass
class Step:
    name: str
    seconds: float
    peak_mb: float
    # Peak disk of the warehouse (its file, WAL and spill directory), when watched.
    peak_disk_gb: float | None = None


def run_step(
    name: str, command: list[str], env: dict[str, str], disk: Path | None = None
) -> Step:
    """Run one step in a child process; measure its wall time and max RSS, and
    with disk (a warehouse file) the peak size of the warehouse and its spill."""
    started = time.perf_counter()
    process = subprocess.Popen(command, env=env, cwd=ROOT)
    sampler = _DiskSampler(disk) if disk is not None else None
    _, status, usage = os.wait4(process.pid, 0)
    seconds = time.perf_counter() - started
    peak_disk_gb = sampler.stop() if sampler is not None else None
    process.returncode = os.waitstatus_to_exitcode(status)
    if process.returncode != 0:
        sys.exit(f"{name} failed with exit code {process.returncode}")
    step = Step(name, seconds, usage.ru_maxrss / 1024, peak_disk_gb)
    line = f"  {name:<28} {seconds:8.1f} s   peak {step.peak_mb:8.0f} MB"
    if peak_disk_gb is not None:
        line += f"   disk peak {peak_disk_gb:6.2f} GB"
    print(line, flush=True)
    return step


class _DiskSampler:
    """Samples the bytes of a DuckDB warehouse (file, WAL, temp directory) on disk
    every few seconds in a thread: the spill comes and goes within a step."""

    def __init__(self, database: Path, interval: float = 2.0) -> None:
        self.database = database
        self.interval = interval
        self.peak = 0
        self._stopped = threading.Event()
        self._thread = threading.Thread(target=self._run, daemon=True)
        self._thread.start()

    def _bytes(self) -> int:
        total = 0
        paths = [self.database, Path(f"{self.database}.wal")]
        temp = Path(os.environ.get("CRM_MARTS_TEMP_DIRECTORY", f"{self.database}.tmp"))
        if temp.is_dir():
            paths += [path for path in temp.rglob("*") if path.is_file()]
        for path in paths:
            # A spill file may go between the listing and the stat.
            with contextlib.suppress(FileNotFoundError):
                total += path.stat().st_blocks * 512
        return total

    def _run(self) -> None:
        while True:
            self.peak = max(self.peak, self._bytes())
            if self._stopped.wait(self.interval):
                return

    def stop(self) -> float:
        self._stopped.set()
        self._thread.join()
        self.peak = max(self.peak, self._bytes())
        return self.peak / 1e9


def python_step(code: str) -> list[str]:
    return [sys.executable, "-c", code]


def bench_size(
    customers: int, work: Path, load_only: bool = False, build_only: bool = False
) -> dict[str, object]:
    shop = work / f"shop_{customers}"
    database = work / f"crm_{customers}.duckdb"
    env = _env(work, database)
    cli = [sys.executable, "-m", "crm_marts"]
    steps = []
    generated = _generate(customers, shop)
    if generated is not None:
        steps.append(generated)
    orders = _count_orders(shop)
    print(f"shop: {customers:,} customers, {orders:,} orders")
    steps.append(run_step("load", [*cli, "load", str(shop)], env, database))
    if build_only:
        steps.append(run_step("crm-marts build", [*cli, "build"], env, database))
        return {
            "customers": customers,
            "orders": orders,
            "steps": [step.__dict__ for step in steps],
        }
    steps.append(
        run_step(
            "DuckDB read (reference)",
            python_step(READ_REFERENCE) + [str(shop), str(work / "read.duckdb")],
            env,
        )
    )
    load_step, read_step = steps[-2:]
    print(
        f"  load / DuckDB's own read = {load_step.seconds / read_step.seconds:.1f}x "
        f"time, {load_step.peak_mb / read_step.peak_mb:.1f}x peak memory "
        "(target: within 2x)"
    )
    if load_only:
        return {
            "customers": customers,
            "orders": orders,
            "steps": [step.__dict__ for step in steps],
            "load_over_read": round(load_step.seconds / read_step.seconds, 2),
        }
    steps.append(
        run_step(
            "dbt start-up (empty select)",
            [*cli, "build", "--select", "tag:no_such_tag"],
            env,
        )
    )
    steps.append(run_step("dbt build (all)", [*cli, "build"], env))
    dbt = str(Path(sys.executable).parent / "dbt")
    steps.append(
        run_step(
            "dbt run +customers (models)",
            [dbt, "run", "--quiet", "--profiles-dir", "profiles", "-s", "+customers"],
            env,
        )
    )
    steps.append(
        run_step(
            "reference query (DuckDB)",
            python_step(
                "import duckdb, sys; con = duckdb.connect(sys.argv[1]); "
                'con.execute("set enable_progress_bar = false"); '
                "con.execute(sys.argv[2]); con.close()"
            )
            + [str(database), REFERENCE_QUERY],
            env,
        )
    )
    by_name = {step.name: step for step in steps}
    build = by_name["dbt build (all)"].seconds
    startup = by_name["dbt start-up (empty select)"].seconds
    reference = by_name["reference query (DuckDB)"].seconds
    customers_run = by_name["dbt run +customers (models)"].seconds
    ratio = (build - startup) / reference
    like_for_like = (customers_run - startup) / reference
    print(
        f"  customers mart (run minus start-up) / reference query = "
        f"{like_for_like:.1f}x (the same facts; target 1.5x)\n"
        f"  full build minus start-up / reference query = {ratio:.1f}x "
        "(every mart, unit test and data test)"
    )
    return {
        "customers": customers,
        "orders": orders,
        "steps": [step.__dict__ for step in steps],
        "load_over_read": round(load_step.seconds / read_step.seconds, 2),
        "build_over_reference": round(ratio, 2),
        "customers_run_over_reference": round(like_for_like, 2),
    }


# The shop's last day of orders (and their lines) apart from the rest.
SPLIT_LAST_DAY = """
import duckdb, pathlib, shutil, sys
shop, history, day = (pathlib.Path(p) for p in sys.argv[1:4])
for folder in (history, day):
    shutil.rmtree(folder, ignore_errors=True)
    folder.mkdir(parents=True)
con = duckdb.connect()
con.execute("set enable_progress_bar = false")
orders = f"read_parquet('{shop / 'orders.parquet'}')"
items = f"read_parquet('{shop / 'order_items.parquet'}')"
(last,) = con.execute(
    f"select max(cast(created_at as date)) from {orders}").fetchone()
con.execute(f"create temp table day_ids as select order_id from {orders} "
            f"where cast(created_at as date) = date '{last}'")
for name, scan, keep in (
    ("orders", orders, "order_id"),
    ("order_items", items, "order_id"),
):
    for folder, test in ((history, "not in"), (day, "in")):
        con.execute(
            f"copy (select * from {scan} where {keep} {test} "
            f"(select order_id from day_ids)) to '{folder / (name + '.parquet')}' "
            "(format parquet)")
for name in ("customers", "products"):
    shutil.copy(shop / f"{name}.parquet", history / f"{name}.parquet")
(appended,) = con.execute("select count(*) from day_ids").fetchone()
print(f"  last day {last}: {appended:,} orders appended")
"""


def bench_incremental(customers: int, work: Path) -> dict[str, object]:
    """History built, a day appended, built again: the incremental build beside a
    full rebuild of the same rows."""
    shop = work / f"shop_{customers}"
    history, day = work / f"history_{customers}", work / f"day_{customers}"
    database = work / f"incremental_{customers}.duckdb"
    database.unlink(missing_ok=True)
    env = _env(work, database)
    cli = [sys.executable, "-m", "crm_marts"]
    subprocess.run(
        python_step(SPLIT_LAST_DAY) + [str(shop), str(history), str(day)],
        check=True,
    )
    steps = [
        run_step("load (history)", [*cli, "load", str(history)], env),
        run_step(
            "dbt start-up (empty select)",
            [*cli, "build", "--select", "tag:no_such_tag"],
            env,
        ),
        run_step("build (history)", [*cli, "build"], env),
        run_step("load --append (a day)", [*cli, "load", "--append", str(day)], env),
        run_step("build after the append", [*cli, "build"], env),
        run_step("full rebuild, same rows", [*cli, "build", "--full-refresh"], env),
    ]
    by_name = {step.name: step for step in steps}
    startup = by_name["dbt start-up (empty select)"].seconds
    incremental = by_name["build after the append"].seconds
    full = by_name["full rebuild, same rows"].seconds
    print(
        f"  build after the append / full rebuild = {incremental / full:.2f}x "
        f"(minus start-up: {(incremental - startup) / (full - startup):.2f}x; "
        "only the raw-text parsing is incremental, the rest depends on the "
        "as-of date)"
    )
    return {
        "customers": customers,
        "steps": [step.__dict__ for step in steps],
        "incremental_over_full": round(incremental / full, 2),
    }


def _env(work: Path, database: Path) -> dict[str, str]:
    """The steps' environment: the warehouse file, dbt's target and logs in --work."""
    return {
        **os.environ,
        "CRM_MARTS_DUCKDB_PATH": str(database),
        "DBT_TARGET_PATH": str(work / "target"),
        "DBT_LOG_PATH": str(work / "logs"),
    }


def _generate(customers: int, shop: Path) -> Step | None:
    """Generate the shop unless a previous run left it in --work."""
    if (shop / "orders.parquet").is_file():
        return None
    command = [sys.executable, "-m", "crm_marts", "generate", "--customers"]
    command += [str(customers), "--seed", "7", "--format", "parquet"]
    return run_step("generate", [*command, "--out", str(shop)], dict(os.environ))


def _count_orders(shop: Path) -> int:
    import pyarrow.parquet as pq

    return pq.ParquetFile(shop / "orders.parquet").metadata.num_rows


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--sizes", type=int, nargs="+", default=list(DEFAULT_SIZES))
    parser.add_argument("--work", type=Path, default=ROOT / "warehouse" / "bench")
    parser.add_argument(
        "--load-only", action="store_true", help="time the load steps only"
    )
    parser.add_argument(
        "--build-only",
        action="store_true",
        help="load and build only (a big shop's time and peak memory)",
    )
    parser.add_argument(
        "--incremental",
        action="store_true",
        help="also append the last day to the history and build incrementally",
    )
    parser.add_argument(
        "--incremental-only",
        action="store_true",
        help="the --incremental lines alone (the shop generated when missing)",
    )
    args = parser.parse_args()
    args.work.mkdir(parents=True, exist_ok=True)
    results = []
    for customers in args.sizes:
        print(f"\n== {customers:,} customers")
        if args.incremental_only:
            _generate(customers, args.work / f"shop_{customers}")
            results.append({"customers": customers})
        else:
            results.append(
                bench_size(customers, args.work, args.load_only, args.build_only)
            )
        if (args.incremental or args.incremental_only) and not (
            args.load_only or args.build_only
        ):
            print(f"-- a day appended to {customers:,} customers' history")
            results[-1]["incremental"] = bench_incremental(customers, args.work)
    (args.work / "results.json").write_text(json.dumps(results, indent=2) + "\n")
    print(f"\nfigures saved to {args.work / 'results.json'}")


if __name__ == "__main__":
    main()
