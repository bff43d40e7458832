"""The fitting step of `crm-marts build`: dbt, then the fits in Python, then dbt.

The prediction marts score customers in SQL, so that DuckDB and Spark give the
same rows, but maximum likelihood needs an optimizer: scipy, in this process.
A build that selects any model downstream of the fit (`tag:prediction_fit+`,
i.e. prediction_parameters and what reads it) therefore runs in three steps:

1. `dbt build` of the selection without those models, which makes the summaries
   the fits read (customer_lifetimes_summary, int_customer_calibration_summarized);
2. the fits (clv_models), on the summaries grouped by distinct row and sorted, so
   the same data gives the same parameters to the last bit on every engine;
3. `dbt build` of the selected downstream models, the fits passed as the
   prediction_fit var, which prediction_parameters publishes and judges.

A build that selects none of them is the one dbt build it always was. A
prediction_fit given with --vars is used as it is, without fitting (e.g. to
score Spark with a fit made on DuckDB). On the remote Spark targets this process
cannot read the summaries, so the fit is skipped and the predictions say
not_fitted.
"""

from __future__ import annotations

import warnings
from pathlib import Path
from typing import Any

import click
import numpy as np

from crm_marts import clv_models, dbt_runner, paths
from crm_marts.errors import InputError

FIT_VAR = "prediction_fit"
FITTED_SELECTOR = "tag:prediction_fit+"
# The fits' inputs: one row per distinct summary row with its customer count,
# sorted, so that the fit sees the same arrays whichever engine built them.
PURCHASE_QUERY = (
    "select frequency, recency_days, t_days, count(*) as customers "
    "from {relation} group by frequency, recency_days, t_days "
    "order by frequency, recency_days, t_days"
)
SPEND_QUERY = (
    "select frequency, cast(monetary_value as double) as monetary_value, "
    "count(*) as customers from marts.customer_lifetimes_summary "
    "where frequency > 0 and monetary_value > 0 "
    "group by frequency, monetary_value order by frequency, monetary_value"
)
SUMMARY_RELATION = "marts.customer_lifetimes_summary"
CALIBRATION_RELATION = "intermediate.int_customer_calibration_summarized"


def build(
    database: Path,
    dbt_vars: dict[str, Any],
    select: str | None = None,
    exclude: str | None = None,
    target: str = paths.DEFAULT_TARGET,
    unit_tests: bool = False,
    full_refresh: bool = False,
) -> tuple[dict[str, Any], list[dbt_runner.NodeOutcome]]:
    """`dbt build` with the fitting step when the selection needs it; returns the
    vars the downstream models were built with (the fit included) and the
    outcomes of every node built."""

    def run(
        run_vars: dict[str, Any],
        run_select: str | None,
        run_exclude: str | None,
        indirect_selection: str = "cautious",
    ) -> list[dbt_runner.NodeOutcome]:
        return dbt_runner.build(
            database,
            run_vars,
            run_select,
            run_exclude,
            target,
            indirect_selection=indirect_selection,
            unit_tests=unit_tests,
            full_refresh=full_refresh,
        )

    if dbt_vars.get(FIT_VAR) is not None:
        return dbt_vars, run(dbt_vars, select, exclude)
    scored = dbt_runner.list_models(
        database,
        dbt_vars,
        select=_intersect(select, FITTED_SELECTOR),
        exclude=exclude,
        target=target,
    )
    if not scored:
        return dbt_vars, run(dbt_vars, select, exclude)
    outcomes = run(
        dbt_vars,
        select,
        " ".join(part for part in (exclude, FITTED_SELECTOR) if part),
    )
    fit = fit_warehouse(database, target)
    fitted_vars = {**dbt_vars, FIT_VAR: fit}
    outcomes += run(fitted_vars, " ".join(scored), None, "buildable")
    return fitted_vars, outcomes


def _intersect(select: str | None, selector: str) -> str:
    """dbt's intersection of a selection (space = union) with one selector."""
    if not select:
        return selector
    return " ".join(f"{term},{selector}" for term in select.split())


def fit_warehouse(database: Path, target: str) -> dict[str, Any] | None:
    """Fit every model on the summaries in the warehouse; None on a target this
    process cannot read (the predictions then say not_fitted)."""
    if target not in paths.TARGETS:
        click.echo(
            f"predictions: cannot read the summaries through {target}; "
            "not fitted (pass a prediction_fit with --vars to score)"
        )
        return None
    purchases = _read(
        database, target, PURCHASE_QUERY.format(relation=SUMMARY_RELATION)
    )
    spend = _read(database, target, SPEND_QUERY)
    calibration = _read(
        database, target, PURCHASE_QUERY.format(relation=CALIBRATION_RELATION)
    )
    fits = fit_summaries(purchases, spend, calibration)
    for fit in fits:
        click.echo(f"predictions: {_describe(fit)}")
    return {fit.model: fit.as_var() for fit in fits}


def fit_summaries(
    purchases: list[tuple[Any, ...]],
    spend: list[tuple[Any, ...]],
    calibration: list[tuple[Any, ...]],
) -> list[clv_models.Fit]:
    """The three fits from grouped rows: (frequency, recency, T, customers) for
    BG/NBD and the calibration BG/NBD, (frequency, monetary value, customers)
    for Gamma-Gamma."""

    def columns(rows: list[tuple[Any, ...]], width: int) -> list[np.ndarray]:
        array = np.array(rows, dtype=np.float64).reshape(-1, width)
        return [array[:, i] for i in range(width)]

    # The optimizer may try parameters where the likelihood overflows; the fit
    # is judged on where it ends (clv_models._judge), not on its warnings.
    with warnings.catch_warnings(), np.errstate(all="ignore"):
        warnings.simplefilter("ignore", RuntimeWarning)
        x, t_x, t, w = columns(purchases, 4)
        bg_nbd = clv_models.fit_bg_nbd(x, t_x, t, w, model="bg_nbd")
        x, m, w = columns(spend, 3)
        gamma_gamma = clv_models.fit_gamma_gamma(x, m, w, model="gamma_gamma")
        x, t_x, t, w = columns(calibration, 4)
        calibrated = clv_models.fit_bg_nbd(x, t_x, t, w, model="bg_nbd_calibration")
    return [bg_nbd, gamma_gamma, calibrated]


def _describe(fit: clv_models.Fit) -> str:
    values = ", ".join(
        f"{name}={value:.4g}" for name, value in fit.parameters.items() if value
    )
    return (
        f"{fit.model} on {fit.customers:,} customers ({fit.repeat_customers:,} "
        f"repeat): {fit.status}{'; ' + values if values else ''}"
    )


def _read(database: Path, target: str, sql: str) -> list[tuple[Any, ...]]:
    """Rows of a query on the summaries; InputError when they are not built."""
    missing = (
        "predictions: the summaries the fit reads are not built ({error}); "
        "build them too, e.g. --select +customer_predictions"
    )
    if target == "spark":
        from pyspark.errors import AnalysisException

        from crm_marts import spark

        try:
            return [tuple(row) for row in spark.get_session().sql(sql).collect()]
        except AnalysisException as exc:
            raise InputError(missing.format(error=str(exc).splitlines()[0])) from exc
    import duckdb

    from crm_marts.export import connect_for_reading

    con = connect_for_reading(database)
    try:
        return con.execute(sql).fetchall()
    except duckdb.CatalogException as exc:
        raise InputError(missing.format(error=str(exc).splitlines()[0])) from exc
    finally:
        con.close()
