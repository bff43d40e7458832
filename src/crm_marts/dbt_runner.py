"""The one module that talks to dbt (through dbtRunner, imported lazily).

It passes the project and profiles folders and the target, points the DuckDB
profile at the warehouse file (or starts this process's SparkSession for the
`spark` target, which dbt-spark's session method then reuses), and turns dbt's
results into typed errors: a failing model or test raises BuildError (exit 1)
with the failing nodes' messages, or InputError (exit 2) when every failing node
is a check of the input data (a model whose config has `meta: {input_check:
true}`, e.g. int_calendar_span_checked: the data reach beyond the calendars).

dbt's console log is off; progress.BuildProgress prints a few lines per command
instead, and dbt's full log still goes to its log file (logs/dbt.log).
Production builds (`build`) run the models, seeds and data tests; the unit
tests, which check the SQL's rules on hand-made rows whatever the shop, run when
asked for (`unit_tests=True`, `crm-marts build --unit-tests`, `make test`) or
alone (`unit_test`).
"""

from __future__ import annotations

import json
import os
import threading
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from crm_marts import paths
from crm_marts.errors import BuildError, InputError
from crm_marts.progress import FAILED_STATUSES, BuildProgress

# dbtRunner is not safe to run twice at once in one process.
_DBT_LOCK = threading.Lock()


@dataclass(frozen=True)
class NodeOutcome:
    name: str
    resource_type: str
    status: str
    message: str
    is_input_check: bool = False


def log_file() -> Path:
    """dbt's full log: $DBT_LOG_PATH/dbt.log, else logs/dbt.log in the project."""
    configured = os.environ.get("DBT_LOG_PATH")
    folder = Path(configured) if configured else paths.project_dir() / "logs"
    return folder / "dbt.log"


def invoke(
    args: list[str],
    database: Path,
    target: str = paths.DEFAULT_TARGET,
    show_progress: bool = True,
) -> list[NodeOutcome]:
    """Run one dbt command; raise BuildError if any node (or dbt itself) failed.

    `database` is the DuckDB file of the duckdb target; the spark target keeps its
    tables under paths.spark_dir(), and remote Spark targets on their cluster.
    """
    from dbt.cli.main import dbtRunner

    if target == "spark":
        from crm_marts import spark

        spark.get_session()
    elif target == paths.DEFAULT_TARGET:
        os.environ[paths.DUCKDB_PATH_ENV] = str(database)
        database.parent.mkdir(parents=True, exist_ok=True)
    full_args = [*args, *_project_args(target)]
    callbacks = []
    progress = None
    if show_progress:
        # dbt's console log off (its file log is kept); our lines instead.
        full_args += ["--log-level", "none", "--log-level-file", "debug"]
        progress = BuildProgress(
            args[0], with_unit_tests="--exclude-resource-type" not in args
        )
        callbacks.append(progress)
    with _DBT_LOCK:
        result = dbtRunner(callbacks=callbacks).invoke(full_args)
    if progress is not None:
        progress.finish(str(log_file()))
    outcomes = [
        NodeOutcome(
            name=node_result.node.name,
            resource_type=str(node_result.node.resource_type),
            status=str(node_result.status),
            message=node_result.message or "",
            is_input_check=_is_input_check(node_result.node),
        )
        for node_result in getattr(result.result, "results", None) or []
    ]
    if result.exception is not None:
        raise BuildError(f"dbt {args[0]} could not run: {result.exception}")
    if not result.success:
        failed = [o for o in outcomes if o.status in FAILED_STATUSES]
        details = "\n".join(f"  - {o.name}: {o.message.strip()}" for o in failed)
        if failed and all(o.is_input_check for o in failed):
            raise InputError(f"dbt {args[0]} stopped on the input data:\n{details}")
        raise BuildError(
            f"dbt {args[0]} failed on {len(failed)} node(s):\n{details}"
            if failed
            else f"dbt {args[0]} failed; see {log_file()}."
        )
    return outcomes


def _is_input_check(node: Any) -> bool:
    config = getattr(node, "config", None)
    meta = getattr(config, "meta", None) or getattr(node, "meta", None) or {}
    return bool(meta.get("input_check"))


def warnings(outcomes: list[NodeOutcome]) -> list[NodeOutcome]:
    """The data tests that warned (severity warn), for the CLI to list."""
    return [o for o in outcomes if o.status == "warn"]


def build(
    database: Path,
    dbt_vars: dict[str, Any],
    select: str | None = None,
    exclude: str | None = None,
    target: str = paths.DEFAULT_TARGET,
    indirect_selection: str = "cautious",
    unit_tests: bool = False,
    full_refresh: bool = False,
) -> list[NodeOutcome]:
    """`dbt build` (seeds, models and data tests; unit tests too when asked for)
    with the given vars.

    With a selection, tests are picked by `indirect_selection`: by default only
    those whose every parent is selected, since a test that also reads an
    unselected model (e.g. rows_reconcile reads rejected_rows) would fail on a
    table that this build does not make; "buildable" also runs the tests whose
    other parents are ancestors, built earlier.
    """
    args = ["build", "--vars", json.dumps(dbt_vars, sort_keys=True)]
    if not unit_tests:
        args += ["--exclude-resource-type", "unit_test"]
    if full_refresh:
        args.append("--full-refresh")
    if select:
        args += ["--select", select, "--indirect-selection", indirect_selection]
    if exclude:
        args += ["--exclude", exclude]
    return invoke(args, database, target=target)


def list_models(
    database: Path,
    dbt_vars: dict[str, Any],
    select: str | None = None,
    exclude: str | None = None,
    target: str = paths.DEFAULT_TARGET,
) -> list[str]:
    """Names of the models `dbt ls` selects (quietly), sorted."""
    from dbt.cli.main import dbtRunner

    args = ["ls", "--resource-type", "model", "--output", "name"]
    args += ["--vars", json.dumps(dbt_vars, sort_keys=True), "--log-level", "none"]
    if select:
        args += ["--select", select]
    if exclude:
        args += ["--exclude", exclude]
    if target == paths.DEFAULT_TARGET:
        os.environ[paths.DUCKDB_PATH_ENV] = str(database)
    full_args = [*args, *_project_args(target)]
    with _DBT_LOCK:
        result = dbtRunner().invoke(full_args)
    if result.exception is not None or not result.success:
        raise BuildError(f"dbt ls could not run: {result.exception}")
    return sorted(str(name) for name in result.result or [])


def _project_args(target: str) -> list[str]:
    return [
        "--project-dir",
        str(paths.project_dir()),
        "--profiles-dir",
        str(paths.profiles_dir()),
        "--target",
        target,
    ]


def unit_test(
    database: Path,
    dbt_vars: dict[str, Any],
    select: str | None = None,
    target: str = paths.DEFAULT_TARGET,
) -> list[NodeOutcome]:
    """Run the unit tests alone (`dbt test`); the models' parents must exist in
    the warehouse already (a build made them), as dbt reads their columns."""
    args = ["test", "--vars", json.dumps(dbt_vars, sort_keys=True)]
    args += ["--resource-type", "unit_test"]
    if select:
        args += ["--select", select]
    return invoke(args, database, target=target)
