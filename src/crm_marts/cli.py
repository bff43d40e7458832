"""The `crm-marts` command line: parses arguments, calls the functions doing the work.

Exit codes: 0 ok, 1 a dbt model or test failed, 2 bad usage or bad input.
"""

from __future__ import annotations

import datetime as dt
import json
import sys
from pathlib import Path
from typing import Any

import click

from crm_marts import paths
from crm_marts.errors import CrmMartsError, InputError
from crm_marts.importers.shopify import CATEGORY_SOURCES

DEFAULT_SAMPLE_DIR = Path("data/sample")
DEFAULT_EXPORT_DIR = Path("exports")
DEFAULT_CUSTOMERS = 20_000
DEFAULT_SEED = 42

as_of_option = click.option(
    "--as-of",
    "as_of",
    type=click.DateTime(formats=["%Y-%m-%d"]),
    default=None,
    help="Compute the marts as of this date (YYYY-MM-DD). "
    "Default: the latest order date in the data.",
)
vars_option = click.option(
    "--vars",
    "dbt_vars",
    default=None,
    metavar="YAML",
    help="dbt vars as a YAML or JSON mapping, e.g. '{churn_days: 300}'.",
)
select_option = click.option(
    "--select", default=None, help="dbt selector, e.g. 'customers+'."
)
exclude_option = click.option(
    "--exclude", default=None, help="dbt selector of nodes to leave out."
)
target_option = click.option(
    "--target",
    type=click.Choice(paths.TARGETS),
    envvar=paths.TARGET_ENV,
    default=paths.DEFAULT_TARGET,
    show_default=True,
    help="Warehouse: duckdb (one local file) or spark (local Spark, under "
    "warehouse/spark; needs the spark extra). Default: $CRM_MARTS_TARGET, else duckdb.",
)
build_target_option = click.option(
    "--target",
    type=click.Choice(paths.TARGETS + paths.REMOTE_TARGETS),
    envvar=paths.TARGET_ENV,
    default=paths.DEFAULT_TARGET,
    show_default=True,
    help="duckdb, spark (local Spark), or spark_thrift / spark_http (a cluster, "
    "set up by CRM_MARTS_SPARK_* variables; see profiles/profiles.yml). "
    "Default: $CRM_MARTS_TARGET, else duckdb.",
)
full_refresh_option = click.option(
    "--full-refresh",
    is_flag=True,
    help="Rebuild the incremental staging models in full (done by itself after "
    "a load that replaced the raw tables or a change to the parsing SQL).",
)
unit_tests_option = click.option(
    "--unit-tests",
    is_flag=True,
    help="Also run the dbt unit tests (the rules checked on hand-made rows; "
    "`make test` runs them). Default: models, seeds and data tests only.",
)
format_option = click.option(
    "--format",
    "file_format",
    type=click.Choice(["parquet", "csv"]),
    default="parquet",
    show_default=True,
)


def parse_vars(text: str | None, as_of: dt.datetime | None) -> dict[str, Any]:
    """Merge --vars (YAML/JSON mapping) and --as-of into one dbt vars mapping."""
    import yaml

    dbt_vars: dict[str, Any] = {}
    if text:
        try:
            parsed = yaml.safe_load(text)
        except yaml.YAMLError as exc:
            raise InputError(f"--vars is not valid YAML/JSON: {exc}") from exc
        if not isinstance(parsed, dict):
            raise InputError(
                "--vars must be a mapping, e.g. --vars '{churn_days: 300}'."
            )
        dbt_vars.update(parsed)
    if as_of is not None:
        dbt_vars["as_of_date"] = as_of.date().isoformat()
    elif "as_of_date" in dbt_vars and dbt_vars["as_of_date"] is not None:
        try:
            dt.date.fromisoformat(str(dbt_vars["as_of_date"]))
        except ValueError as exc:
            raise InputError(
                f"as_of_date {dbt_vars['as_of_date']!r} is not a date (YYYY-MM-DD)."
            ) from exc
        dbt_vars["as_of_date"] = str(dbt_vars["as_of_date"])
    return dbt_vars


def _raw_schema(dbt_vars: dict[str, Any]) -> str:
    return str(dbt_vars.get("raw_schema") or "raw")


def _write_build_info(database: Path, dbt_vars: dict[str, Any]) -> None:
    from crm_marts import incremental

    info = {
        "built_at": dt.datetime.now(dt.UTC).replace(microsecond=0).isoformat(),
        "vars": dbt_vars,
        incremental.FINGERPRINT_KEY: incremental.parse_fingerprint(
            _raw_schema(dbt_vars)
        ),
    }
    paths.build_info_path(database).write_text(json.dumps(info, sort_keys=True))


def do_generate(
    out: Path, customers: int, seed: int, file_format: str, **shape: Any
) -> None:
    """shape: generate_shop's history and shape options (end_date, years, ...)."""
    from crm_marts.generate import generate_shop

    def report_block(block: int, blocks: int, rows: dict[str, int]) -> None:
        counts = ", ".join(f"{name} {count:,}" for name, count in rows.items())
        click.echo(f"block {block}/{blocks} written: {counts}", err=True)

    try:
        rows = generate_shop(
            out,
            customers=customers,
            seed=seed,
            file_format=file_format,
            on_block=report_block,
            **shape,
        )
    except ValueError as exc:
        raise InputError(str(exc)) from exc
    counts = ", ".join(f"{name} {count:,}" for name, count in rows.items())
    click.echo(f"generated sample shop in {out}: {counts}")


def _echo_loaded(table: str, file_name: str | None, rows: int, seconds: float) -> None:
    source = file_name or "(no file)"
    click.echo(f"  {table:<12} {source:<20} {rows:>12,} rows  {seconds:6.1f} s")


def do_load(
    data_dir: Path,
    database: Path,
    target: str = paths.DEFAULT_TARGET,
    append: bool = False,
) -> None:
    from crm_marts.load import load_shop, load_shop_spark

    click.echo(f"{'appending' if append else 'loading'} {data_dir}:")
    if target == "spark":
        database = paths.spark_dir()
        result = load_shop_spark(
            data_dir, database, progress=_echo_loaded, append=append
        )
    else:
        result = load_shop(data_dir, database, progress=_echo_loaded, append=append)
    counts = ", ".join(f"{name} {count:,}" for name, count in result.rows.items())
    verb = "appended" if append else "loaded"
    click.echo(f"{verb} {data_dir} into {database}: {counts}")
    if result.defaults:
        click.echo("left out of the files, so the data contract's defaults apply:")
        for line in result.defaults:
            click.echo(f"  {line}")
    if result.ignored:
        click.echo("not in the data contract, so not loaded:")
        for line in result.ignored:
            click.echo(f"  {line}")


def _check_warehouse(database: Path, target: str) -> None:
    if target == "spark":
        from crm_marts.spark import has_warehouse

        if not has_warehouse(paths.spark_dir()):
            raise InputError(
                f"{paths.spark_dir()}: no Spark warehouse yet. "
                "Run `crm-marts load DIR --target spark` first."
            )
    elif target == paths.DEFAULT_TARGET and not database.is_file():
        raise InputError(
            f"{database}: no warehouse yet. Run `crm-marts load DIR` first."
        )


def report_build(
    database: Path,
    dbt_vars: dict[str, Any],
    outcomes: list[Any],
    target: str = paths.DEFAULT_TARGET,
) -> None:
    """After a build: the data tests that warned and the rows that were rejected."""
    from crm_marts import dbt_runner, rejections

    for outcome in dbt_runner.warnings(outcomes):
        click.echo(f"warning: {outcome.name}: {outcome.message.strip()}")
    if not any(o.name == rejections.REJECTED_ROWS_MODEL for o in outcomes):
        return  # a partial build: the rejected_rows mart may be stale
    counts = rejections.read_counts(database, _raw_schema(dbt_vars), target)
    if counts is not None:
        for line in rejections.format_counts(*counts):
            click.echo(line)


def do_build(
    database: Path,
    dbt_vars: dict[str, Any],
    select: str | None = None,
    target: str = paths.DEFAULT_TARGET,
    exclude: str | None = None,
    unit_tests: bool = False,
    full_refresh: bool = False,
) -> list[Any]:
    """full_refresh: rebuild the incremental models in full; without it they
    take the new loads alone unless crm_marts.incremental finds a reason not to."""
    from crm_marts import incremental, predictions

    _check_warehouse(database, target)
    if target == "spark":
        # The local Spark loader always replaces the raw tables.
        full_refresh = True
    elif target == paths.DEFAULT_TARGET and not full_refresh:
        reason = incremental.full_refresh_reason(database, _raw_schema(dbt_vars))
        if reason is not None:
            click.echo(f"dbt build: full refresh of the incremental models: {reason}")
            full_refresh = True
    # dbt build, with the fitting step of the prediction marts when selected
    built_vars, outcomes = predictions.build(
        database,
        dbt_vars,
        select,
        exclude,
        target,
        unit_tests=unit_tests,
        full_refresh=full_refresh,
    )
    if target == paths.DEFAULT_TARGET:
        _write_build_info(database, built_vars)
    return outcomes


def do_export(database: Path, out: Path, file_format: str) -> list[Any]:
    from crm_marts.export import export_marts

    exported = export_marts(database, out, file_format)
    click.echo(f"exported {len(exported)} marts to {out}/")
    return exported


def do_report(exports_dir: Path, out: Path | None = None) -> Path:
    from crm_marts.report import write_report

    written = write_report(exports_dir, out)
    click.echo(f"report: {written}")
    return written


@click.group(context_settings={"help_option_names": ["-h", "--help"]})
@click.version_option(package_name="crm_marts")
def cli() -> None:
    """Customer marts for an online shop's CRM team, built with dbt."""


@cli.command()
@click.option("--customers", type=click.IntRange(min=1), default=DEFAULT_CUSTOMERS)
@click.option("--seed", type=int, default=DEFAULT_SEED)
@click.option("--out", type=click.Path(path_type=Path), default=DEFAULT_SAMPLE_DIR)
@click.option(
    "--format",
    "file_format",
    type=click.Choice(["csv", "parquet"]),
    default="csv",
    show_default=True,
)
@click.option(
    "--end-date",
    type=click.DateTime(formats=["%Y-%m-%d"]),
    default="2025-12-31",
    show_default=True,
    help="Last day of the history (YYYY-MM-DD).",
)
@click.option(
    "--years",
    type=click.IntRange(min=1),
    default=3,
    show_default=True,
    help="Years of history up to --end-date.",
)
@click.option(
    "--no-costs",
    is_flag=True,
    help="Leave every product's unit_cost empty (margin unknown).",
)
@click.option(
    "--no-promotions",
    is_flag=True,
    help="No promotion tags, presale orders or promotion spikes.",
)
@click.option(
    "--free-order-share",
    type=click.FloatRange(min=0, max=1, max_open=True),
    default=0.0,
    show_default=True,
    help="Share of orders that are free (paid_amount 0.00).",
)
@click.option(
    "--chunk-customers",
    type=click.IntRange(min=0),
    default=None,
    metavar="N",
    help="Generate the customers in blocks of N, appending each block to the files: "
    "peak memory follows N (about 2 GB for a million), not the shop. 0: one pass. "
    "Default: one pass up to 5,000,000 customers, blocks of 1,000,000 above.",
)
def generate(
    customers: int,
    seed: int,
    out: Path,
    file_format: str,
    end_date: dt.datetime,
    years: int,
    no_costs: bool,
    no_promotions: bool,
    free_order_share: float,
    chunk_customers: int | None,
) -> None:
    """Generate a realistic sample shop (deterministic per seed and options)."""
    do_generate(
        out,
        customers,
        seed,
        file_format,
        end_date=end_date.date(),
        years=years,
        with_costs=not no_costs,
        with_promotions=not no_promotions,
        free_order_share=free_order_share,
        chunk_customers=chunk_customers,
    )


@cli.group("import")
def import_group() -> None:
    """Convert a shop platform's own export into the contract files."""


def _report_import(source: Path, result: Any) -> None:
    counts = ", ".join(f"{name} {count:,}" for name, count in result.rows.items())
    click.echo(f"imported {source} into {result.out_dir}: {counts}")
    for note in result.notes:
        click.echo(f"note: {note}")
    click.echo(f"next: crm-marts run --data {result.out_dir}")


@import_group.command("shopify")
@click.argument("export_file", type=click.Path(path_type=Path))
@click.option(
    "--out",
    type=click.Path(path_type=Path),
    required=True,
    help="Folder to write orders, order_items, products and customers .csv to.",
)
@click.option(
    "--timezone",
    default=None,
    metavar="IANA_NAME",
    help="Convert every timestamp to this time zone, e.g. Europe/Berlin. "
    "Default: keep the times as exported (Shopify writes the shop's time zone).",
)
@click.option(
    "--category-from",
    type=click.Choice(CATEGORY_SOURCES),
    default="uncategorized",
    show_default=True,
    help="Category of products not found in --products: 'uncategorized', or "
    "the line item's Vendor.",
)
@click.option(
    "--products",
    "products_file",
    type=click.Path(path_type=Path),
    default=None,
    help="A Shopify products export: its Type is the category and its Cost per "
    "item the unit_cost of each SKU.",
)
def import_shopify_command(
    export_file: Path,
    out: Path,
    timezone: str | None,
    category_from: str,
    products_file: Path | None,
) -> None:
    """Convert a Shopify orders export (CSV) into the contract files."""
    from crm_marts.importers import import_shopify

    result = import_shopify(
        export_file,
        out,
        timezone=timezone,
        category_from=category_from,
        products_file=products_file,
    )
    _report_import(export_file, result)


@import_group.command("mapping")
@click.argument("source_file", type=click.Path(path_type=Path))
@click.option(
    "--mapping",
    "mapping_file",
    type=click.Path(path_type=Path),
    required=True,
    help="YAML file mapping source columns to contract columns.",
)
@click.option(
    "--out",
    type=click.Path(path_type=Path),
    required=True,
    help="Folder to write the contract tables the mapping fills to.",
)
def import_mapping_command(source_file: Path, mapping_file: Path, out: Path) -> None:
    """Convert any delimited export into contract files with a YAML mapping."""
    from crm_marts.importers import import_mapping

    result = import_mapping(source_file, mapping_file, out)
    _report_import(source_file, result)


@cli.command()
@click.argument("data_dir", type=click.Path(path_type=Path))
@target_option
@click.option(
    "--append",
    is_flag=True,
    help="Add DATA_DIR's rows (e.g. a day of new orders) to the shop already "
    "loaded, instead of replacing it; the next build parses only them.",
)
def load(data_dir: Path, target: str, append: bool) -> None:
    """Check DATA_DIR's files against the contract and load them."""
    do_load(data_dir, paths.duckdb_path(), target, append=append)


@cli.command()
@as_of_option
@select_option
@exclude_option
@vars_option
@build_target_option
@unit_tests_option
@full_refresh_option
def build(
    as_of: dt.datetime | None,
    select: str | None,
    exclude: str | None,
    dbt_vars: str | None,
    target: str,
    unit_tests: bool,
    full_refresh: bool,
) -> None:
    """Build the dbt models and run the data tests (dbt build)."""
    database = {"duckdb": paths.duckdb_path(), "spark": paths.spark_dir()}.get(
        target, target
    )
    parsed_vars = parse_vars(dbt_vars, as_of)
    outcomes = do_build(
        paths.duckdb_path(),
        parsed_vars,
        select,
        target,
        exclude,
        unit_tests,
        full_refresh=full_refresh,
    )
    click.echo(f"build ok: {database}")
    report_build(paths.duckdb_path(), parsed_vars, outcomes, target)


@cli.command("test-unit")
@select_option
@vars_option
@build_target_option
def test_unit(select: str | None, dbt_vars: str | None, target: str) -> None:
    """Run the dbt unit tests alone (after a build: dbt reads the models' columns)."""
    from crm_marts import dbt_runner

    _check_warehouse(paths.duckdb_path(), target)
    dbt_runner.unit_test(
        paths.duckdb_path(), parse_vars(dbt_vars, None), select, target
    )
    click.echo("unit tests ok")


@cli.command()
@format_option
@click.option("--out", type=click.Path(path_type=Path), default=DEFAULT_EXPORT_DIR)
def export(file_format: str, out: Path) -> None:
    """Export every mart to one file each, plus manifest.json."""
    do_export(paths.duckdb_path(), out, file_format)


@cli.command()
@click.option(
    "--data",
    "data_dir",
    type=click.Path(path_type=Path),
    default=None,
    help="Your shop's raw files. Default: generate the sample shop.",
)
@click.option("--customers", type=click.IntRange(min=1), default=DEFAULT_CUSTOMERS)
@click.option("--seed", type=int, default=DEFAULT_SEED)
@as_of_option
@vars_option
@format_option
@click.option("--out", type=click.Path(path_type=Path), default=DEFAULT_EXPORT_DIR)
@unit_tests_option
def run(
    data_dir: Path | None,
    customers: int,
    seed: int,
    as_of: dt.datetime | None,
    dbt_vars: str | None,
    file_format: str,
    out: Path,
    unit_tests: bool,
) -> None:
    """The main job: (generate,) load, build, export, summary and HTML report."""
    from crm_marts.summary import print_summary

    parsed_vars = parse_vars(dbt_vars, as_of)
    database = paths.duckdb_path()
    if data_dir is None:
        data_dir = DEFAULT_SAMPLE_DIR
        do_generate(data_dir, customers, seed, "csv")
    do_load(data_dir, database)
    outcomes = do_build(database, parsed_vars, unit_tests=unit_tests)
    report_build(database, parsed_vars, outcomes)
    exported = do_export(database, out, file_format)
    print_summary(database, exported)
    click.echo("")
    if file_format == "parquet":
        do_report(out)
    else:
        click.echo("report skipped: it reads Parquet exports (--format parquet)")


@cli.command()
@click.option(
    "--exports",
    "exports_dir",
    type=click.Path(path_type=Path),
    default=DEFAULT_EXPORT_DIR,
    show_default=True,
    help="Folder of the Parquet exports and their manifest.json.",
)
@click.option(
    "--out",
    type=click.Path(path_type=Path),
    default=None,
    help="HTML file to write. Default: report.html in the exports folder.",
)
def report(exports_dir: Path, out: Path | None) -> None:
    """Write one static HTML page of charts from the exported marts."""
    do_report(exports_dir, out)


@cli.command()
@click.option(
    "--campaign",
    required=True,
    help="Promotion name of int_promotions_dated, e.g. double11.",
)
@as_of_option
@vars_option
@click.option("--out", type=click.Path(path_type=Path), required=True)
@click.option(
    "--include-contacts",
    is_flag=True,
    help="Write real e-mail addresses and phone numbers (default: masked).",
)
def audiences(
    campaign: str,
    as_of: dt.datetime | None,
    dbt_vars: str | None,
    out: Path,
    include_contacts: bool,
) -> None:
    """Build a campaign's audiences and write one CSV per audience and channel."""
    from crm_marts.audiences import campaign_status, write_audiences

    database = paths.duckdb_path()
    parsed_vars = {**parse_vars(dbt_vars, as_of), "campaign_name": campaign}
    do_build(database, parsed_vars, select="+campaign_audiences")
    written = write_audiences(database, campaign, out, include_contacts)
    click.echo(
        f"\n{campaign} audiences in {out}/ (capped rows and past send dates left out):"
    )
    for audience_file in written:
        click.echo(
            f"  {audience_file.audience:<16} {audience_file.channel:<6}"
            f" {audience_file.rows:>8,}  {audience_file.path.name}"
        )
    if not written:
        status = campaign_status(database, campaign)
        if status and status[0] == "no_promotion_in_lead_window":
            click.echo(
                f"  (no {campaign} occurrence starts within"
                f" campaign_lead_window_days of the as-of date {status[1]}:"
                " pass an --as-of closer to it, or --vars"
                " '{campaign_lead_window_days: N}')"
            )
        else:
            click.echo("  (no customer qualifies)")


def main() -> None:
    try:
        cli.main(standalone_mode=False)
    except click.exceptions.Abort:
        click.echo("aborted", err=True)
        sys.exit(130)
    except click.ClickException as exc:
        exc.show()
        sys.exit(exc.exit_code)
    except CrmMartsError as exc:
        click.echo(f"error: {exc}", err=True)
        sys.exit(exc.exit_code)
    sys.exit(0)
