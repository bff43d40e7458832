"""When a build may parse only the new loads, and when it must rebuild in full.

The staging models that type the raw text of orders and order lines
(`base_shop__orders_parsed`, `base_shop__order_items_parsed`) are incremental:
each build parses only the rows loaded after the last one they hold (`crm-marts
load --append`). Every other model depends on the as-of date (which purchases
count, recency, the shop's percentiles) or on all rows at once (duplicates,
unknown customers) and is rebuilt each time.

An incremental model is only right while it holds exactly the raw rows of the
loads it has seen. `crm-marts build` checks that before building and passes
`--full-refresh` when it is not so: a load that replaced the raw tables, a raw
table changed by another tool, or a change to the parsing SQL or the macros
(recorded as a fingerprint in the build info beside the warehouse).
"""

from __future__ import annotations

import hashlib
import json
from pathlib import Path
from typing import Any

from crm_marts import paths

# Incremental model -> the raw table it parses.
PARSED_MODELS = {
    "base_shop__orders_parsed": "orders",
    "base_shop__order_items_parsed": "order_items",
}
STAGING_SCHEMA = "staging"
FINGERPRINT_KEY = "parse_fingerprint"


def parse_fingerprint(raw_schema: str) -> str:
    """A hash of what the incremental models' rows depend on: their SQL, every
    macro (they call the parsing macros) and the raw schema they read."""
    project = paths.project_dir()
    digest = hashlib.sha256(raw_schema.encode())
    files = sorted(project.glob("models/staging/shop/base/*_parsed.sql"))
    files += sorted(project.glob("macros/**/*.sql"))
    for path in files:
        digest.update(str(path.relative_to(project)).encode())
        digest.update(path.read_bytes())
    return digest.hexdigest()


def previous_fingerprint(database: Path) -> str | None:
    info_file = paths.build_info_path(database)
    if not info_file.is_file():
        return None
    return json.loads(info_file.read_text()).get(FINGERPRINT_KEY)


def full_refresh_reason(database: Path, raw_schema: str) -> str | None:
    """Why the DuckDB warehouse's incremental models must be rebuilt in full;
    None when they can take the new loads alone (or do not exist yet)."""
    import duckdb

    con = duckdb.connect(str(database), read_only=True)
    try:
        existing = {
            name
            for (name,) in con.execute(
                "select table_name from information_schema.tables "
                "where table_schema = ?",
                [STAGING_SCHEMA],
            ).fetchall()
        }
        built = [model for model in PARSED_MODELS if model in existing]
        if not built:
            return None
        if previous_fingerprint(database) != parse_fingerprint(raw_schema):
            return "the parsing SQL or the macros changed since the last build"
        for model in built:
            reason = _loads_differ(con, model, f"{raw_schema}.{PARSED_MODELS[model]}")
            if reason:
                return reason
    finally:
        con.close()
    return None


def _loads_differ(con: Any, model: str, raw_table: str) -> str | None:
    """A reason when the model's rows per load are not the raw table's for the
    loads the model has seen (a replacing load gives every raw row a new
    _loaded_at, so the old loads are gone from the raw table)."""
    parsed = dict(
        con.execute(
            f"select loaded_at, count(*) from {STAGING_SCHEMA}.{model} group by 1"
        ).fetchall()
    )
    if not parsed:
        return None
    latest = max((t for t in parsed if t is not None), default=None)
    raw = dict(
        con.execute(
            f"select _loaded_at, count(*) from {raw_table} "
            "where _loaded_at is null or _loaded_at <= ? group by 1",
            [latest],
        ).fetchall()
    )
    if parsed != raw:
        return f"{raw_table} was replaced or changed since {model} was built"
    return None
