"""What a build prints: a few progress lines instead of dbt's log, the rejected
rows, and unit tests only when asked for."""

from __future__ import annotations

import io
import re
import shutil
from pathlib import Path
from types import SimpleNamespace

from conftest import BROKEN_SHOP, run_cli

from crm_marts.progress import BuildProgress

ROOT = Path(__file__).resolve().parents[2]


def _event(name: str, **data: object) -> SimpleNamespace:
    return SimpleNamespace(
        info=SimpleNamespace(name=name), data=SimpleNamespace(**data)
    )


def _node(name: str, status: str, resource_type: str = "model") -> SimpleNamespace:
    return SimpleNamespace(
        unique_id=f"{resource_type}.crm_marts.{name}",
        node_name=name,
        node_status=status,
        resource_type=resource_type,
    )


def _feed(progress: BuildProgress, nodes: list[SimpleNamespace]) -> None:
    progress(_event("MainReportVersion"))
    progress(_event("ConcurrencyLine", node_count=len(nodes), num_threads=2))
    for node in nodes:
        progress(_event("NodeStart", node_info=node))
        progress(_event("NodeFinished", node_info=node))
    progress.finish("logs/dbt.log")


def test_progress_without_a_terminal_is_a_few_plain_lines() -> None:
    stream = io.StringIO()
    nodes = [_node(f"m{i}", "success") for i in range(7)]
    nodes += [_node("t1", "pass", "test"), _node("t2", "fail", "test")]
    _feed(BuildProgress("build", stream=stream, tty=False), nodes)
    lines = stream.getvalue().splitlines()
    assert "\r" not in stream.getvalue() and "\x1b" not in stream.getvalue()
    assert lines[0] == "dbt build: parsing the project"
    assert re.fullmatch(
        r"dbt build: parsed in \d+s; running 9 nodes on 2 threads", lines[1]
    )
    assert "  failed: t2 (test)" in lines
    # One line per quarter, however many nodes.
    assert [line.split(":")[1].split()[0] for line in lines if "%" in line] == [
        "33%",
        "56%",
        "78%",
    ]
    assert re.fullmatch(
        r"dbt build: 9 nodes in \d+s \(7 models, 2 data tests\): 1 failed, "
        r"0 warnings, 0 skipped\. Full log: logs/dbt\.log",
        lines[-1],
    )


def test_progress_on_a_terminal_redraws_one_line() -> None:
    stream = io.StringIO()
    nodes = [_node(f"m{i}", "success") for i in range(3)]
    _feed(BuildProgress("build", stream=stream, tty=True), nodes)
    output = stream.getvalue()
    # parsing, running, the redrawn line closed, the closing line
    assert output.count("\n") == 4
    assert "\rdbt build: 3/3 nodes (100%)" in output


def test_build_prints_progress_and_rejected_rows_not_dbt_log(
    built_broken_shop: Path,
) -> None:
    output = (built_broken_shop.parent / "build_output.txt").read_text()
    lines = output.splitlines()
    assert "\r" not in output
    assert lines[0] == "dbt build: parsing the project"
    # A few lines per dbt build; the prediction fit runs a second, small one.
    builds = lines.count("dbt build: parsing the project")
    assert builds in (1, 2)
    assert len([line for line in lines if line.startswith("dbt build:")]) <= 7 * builds
    assert "START sql" not in output  # dbt's per-node log lines
    assert "rejected rows: 12 of 31 raw rows could not be used" in output
    assert re.search(r"\n  orders +non_positive_paid_amount +1 ", output)
    # The full log is still written.
    log = built_broken_shop.parent / "logs" / "dbt.log"
    assert "START sql table model staging.base_shop__orders" in log.read_text()


def test_production_build_skips_unit_tests_unless_asked(tmp_path: Path) -> None:
    database = tmp_path / "crm.duckdb"
    shop = tmp_path / "shop"
    shutil.copytree(BROKEN_SHOP, shop)
    assert run_cli("load", str(shop), database=database).returncode == 0
    production = run_cli("build", "--select", "base_shop__products", database=database)
    assert production.returncode == 0, production.stderr
    assert "(1 model, 2 data tests)" in production.stdout
    with_units = run_cli(
        "build", "--select", "base_shop__products", "--unit-tests", database=database
    )
    assert with_units.returncode == 0, with_units.stderr
    assert "(1 model, 2 data tests, 3 unit tests)" in with_units.stdout
    alone = run_cli("test-unit", "--select", "base_shop__products", database=database)
    assert alone.returncode == 0, alone.stderr
    assert "(3 unit tests): 0 failed" in alone.stdout


def test_make_test_runs_every_unit_test() -> None:
    makefile = (ROOT / "Makefile").read_text()
    recipe = makefile.split("\ndbt-test:", 1)[1].split("\n\n", 1)[0]
    assert "crm-marts run --unit-tests" in recipe
