"""One static HTML page of charts for the CRM team, made from the exported marts.

`crm-marts report` (and `crm-marts run`) reads the Parquet files and manifest.json
that `crm-marts export` writes, never the DuckDB build file: a reader must not hold
the file a build is writing. Charts are Vega-Lite specifications made with Altair;
the Vega, Vega-Lite and Vega-Embed JavaScript (bundled by vl-convert) is inlined,
so the page opens offline, from a file or an e-mail attachment, with no server.

The page is deterministic: the same exports give the same bytes. Nothing in it
reads the wall clock; the only dates are the manifest's as-of date and build time.
"""

from __future__ import annotations

import html
import json
import os
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from decimal import Decimal
from pathlib import Path
from string import Template
from typing import Any

from crm_marts.errors import InputError
from crm_marts.export import MANIFEST_NAME

REPORT_NAME = "report.html"
# Vega-Lite version of the inlined JavaScript: the one Altair writes specs for.
VEGA_LITE_VERSION = "6.4"

Row = dict[str, Any]

# Every mart the report reads. The crm_report exposure (models/_exposures.yml)
# lists the same ones (customer_predictions once that mart is in the project).
REPORT_MARTS = (
    "customers",
    "purchase_intervals",
    "repurchase_cycle",
    "customer_lifecycle",
    "customer_rfm",
    "vip_summary",
    "customer_seasons",
    "category_season_affinity",
    "churn_rate_daily",
    "cohort_retention",
    "customer_predictions",
)

LIFECYCLE_STAGES = ("prospect", "new", "repeat", "loyal", "churned", "inactive")
CHURN_TYPES = ("short_term", "long_term", "seasonal")
SEASONAL_GROUPS = (
    "four_season",
    "three_season",
    "two_season",
    "one_season",
    "returning",
    "new_this_season",
    "about_to_churn",
    "churned",
)
SEASONS = ("spring", "summer", "autumn", "winter")
TIERS = ("top", "high", "medium", "low")
MEASURE_ORDER = ["share of purchasers", "share of net revenue"]
CLV_BINS = 30


@dataclass(frozen=True)
class Panel:
    """One section of the page: a chart, or a note saying why there is none."""

    key: str
    title: str
    caption: str
    sources: tuple[str, ...]
    spec: dict[str, Any] | None = None
    unavailable: str = ""
    summary: str = ""


class Exports:
    """The exported marts of one folder, queryable by name through DuckDB views."""

    def __init__(self, folder: Path) -> None:
        import duckdb

        manifest_path = folder / MANIFEST_NAME
        if not manifest_path.is_file():
            raise InputError(
                f"{manifest_path}: no export manifest. Run `crm-marts export "
                f"--out {folder}` (or `crm-marts run`) first."
            )
        try:
            self.manifest: dict[str, Any] = json.loads(manifest_path.read_text())
        except json.JSONDecodeError as exc:
            raise InputError(f"{manifest_path} is not valid JSON: {exc}") from exc
        if self.manifest.get("format") != "parquet":
            raise InputError(
                f"{folder}: the report reads Parquet exports, these are "
                f"{self.manifest.get('format')!r}. Run `crm-marts export "
                f"--format parquet --out {folder}`."
            )
        self.row_counts: dict[str, int] = {}
        self._con = duckdb.connect()
        # One thread: aggregates come out the same to the last bit every time.
        self._con.execute("set threads = 1")
        for mart in self.manifest.get("marts", []):
            path = folder / mart["file"]
            if not path.is_file():
                raise InputError(
                    f"{path}: listed in {MANIFEST_NAME} but missing. Export again."
                )
            quoted = str(path).replace("'", "''")
            self._con.execute(
                f'create view "{mart["mart"]}" as '
                f"select * from read_parquet('{quoted}')"
            )
            self.row_counts[mart["mart"]] = int(mart["rows"])

    def close(self) -> None:
        self._con.close()

    def has_rows(self, mart: str) -> bool:
        return self.row_counts.get(mart, 0) > 0

    def columns(self, mart: str) -> set[str]:
        for entry in self.manifest.get("marts", []):
            if entry["mart"] == mart:
                return {column["name"] for column in entry["columns"]}
        return set()

    def rows(self, sql: str, params: Sequence[Any] = ()) -> list[Row]:
        """Query the marts; values made JSON-ready (floats, ISO dates)."""
        cursor = self._con.execute(sql, list(params))
        names = [description[0] for description in cursor.description]
        return [
            {name: _json_value(value) for name, value in zip(names, row, strict=True)}
            for row in cursor.fetchall()
        ]


def _json_value(value: Any) -> Any:
    if isinstance(value, Decimal):
        return float(value)
    if hasattr(value, "isoformat"):
        return value.isoformat()
    return value


def _missing(mart: str, exports: Exports) -> str | None:
    """Why a mart cannot be charted, or None when it has rows."""
    if mart not in exports.row_counts:
        return f"The {mart} mart is not in these exports."
    if not exports.has_rows(mart):
        return f"The {mart} mart has no rows for this shop and as-of date yet."
    return None


def _percent(value: float | None) -> str:
    return "n/a" if value is None else f"{value:.1%}"


# --- charts -------------------------------------------------------------------


def _alt() -> Any:
    import altair as alt

    return alt


def interval_panel(exports: Exports) -> Panel:
    title = "Repurchase intervals and the shop's cycle"
    sources = ("purchase_intervals", "repurchase_cycle")
    reason = _missing("purchase_intervals", exports) or _missing(
        "repurchase_cycle", exports
    )
    caption = (
        "Time reminders to the shop's own cycle: a customer is silent once past "
        "the active threshold and sleeping past the silent one, so send the "
        "win-back before the sleeping threshold; a category with a shorter "
        "cycle needs its reminder earlier (pick it in the list)."
    )
    if reason:
        return Panel("intervals", title, caption, sources, unavailable=reason)
    alt = _alt()
    buckets = exports.rows(
        """
        select
            category,
            bucket_label,
            bucket_start_days,
            coalesce(bucket_end_days + 1, bucket_start_days + (
                select max(bucket_end_days - bucket_start_days) + 1
                from purchase_intervals
            )) as bucket_stop_days,
            interval_count,
            share,
            cumulative_share
        from purchase_intervals
        order by category, bucket_number
        """
    )
    thresholds = exports.rows(
        """
        select category, threshold_name, days, label
        from (
            select category, 'active' as threshold_name, active_max_days as days,
                concat('active <= ', active_max_days, ' d') as label,
                1 as position
            from repurchase_cycle
            union all
            select category, 'silent', silent_max_days,
                concat('silent <= ', silent_max_days, ' d'), 2
            from repurchase_cycle
            union all
            select category, 'sleeping', sleeping_max_days,
                concat('sleeping <= ', sleeping_max_days, ' d'), 3
            from repurchase_cycle
        )
        order by category, position
        """
    )
    (overall,) = exports.rows(
        "select active_max_days, silent_max_days, sleeping_max_days, cycle_method,"
        " repeat_customers_count from repurchase_cycle where category = 'all'"
    ) or [None]
    categories = sorted({row["category"] for row in buckets} - {"all"})
    category = alt.param(
        name="interval_category",
        value="all",
        bind=alt.binding_select(options=["all", *categories], name="Category "),
    )
    selected = alt.datum.category == category
    base = alt.Chart(alt.Data(values=buckets)).transform_filter(selected)
    x = alt.X(
        "bucket_start_days:Q",
        title="Days between two purchases of the same customer",
    )
    bars = base.mark_bar(color="#4c78a8", opacity=0.8).encode(
        x=x,
        x2="bucket_stop_days:Q",
        y=alt.Y("share:Q", title="Share of intervals", axis=alt.Axis(format="%")),
        y2=alt.datum(0),
        tooltip=[
            alt.Tooltip("bucket_label:N", title="Days"),
            alt.Tooltip("interval_count:Q", title="Intervals", format=","),
            alt.Tooltip("share:Q", title="Share", format=".1%"),
            alt.Tooltip("cumulative_share:Q", title="Cumulative", format=".1%"),
        ],
    )
    cumulative = base.mark_line(color="#e45756", interpolate="step-after").encode(
        x=x,
        y=alt.Y(
            "cumulative_share:Q",
            title="Cumulative share",
            axis=alt.Axis(format="%", titleColor="#e45756"),
            scale=alt.Scale(domain=[0, 1]),
        ),
    )
    threshold_base = alt.Chart(alt.Data(values=thresholds)).transform_filter(selected)
    rules = threshold_base.mark_rule(strokeDash=[4, 3], color="#333").encode(
        x="days:Q",
        tooltip=[alt.Tooltip("label:N", title="Threshold")],
    )
    labels = threshold_base.mark_text(
        align="left", dx=3, dy=-4, baseline="bottom", fontSize=11, angle=0
    ).encode(x="days:Q", y=alt.value(12), text="label:N")
    chart = (
        alt.layer(alt.layer(bars, rules, labels), cumulative, name="interval_layers")
        .resolve_scale(y="independent")
        .add_params(category)
        .properties(width="container", height=320)
    )
    facts = (
        f"Shop-wide thresholds ({overall['cycle_method']}, "
        f"{overall['repeat_customers_count']:,} repeat customers): active up "
        f"to {overall['active_max_days']} days since the last purchase, silent "
        f"up to {overall['silent_max_days']}, sleeping up to "
        f"{overall['sleeping_max_days']}, churned beyond."
        if overall
        else ""
    )
    return Panel(
        "intervals", title, caption, sources, spec=chart.to_dict(), summary=facts
    )


def lifecycle_panel(exports: Exports) -> Panel:
    title = "Lifecycle funnel"
    sources = ("customer_lifecycle",)
    caption = (
        "Work on the narrowest step: new -> repeat is usually the biggest drop, "
        "so nurture first-time buyers in their first 30-90 days; size the "
        "win-back budget by the churned bar (short-term churners are the "
        "cheapest to win back, seasonal ones only need a reminder before "
        "their season)."
    )
    reason = _missing("customer_lifecycle", exports)
    if reason:
        return Panel("lifecycle", title, caption, sources, unavailable=reason)
    alt = _alt()
    rows = exports.rows(
        """
        select
            lifecycle_stage,
            coalesce(churn_type, lifecycle_stage) as part,
            case churn_type
                when 'short_term' then 1 when 'long_term' then 2 else 3
            end as part_order,
            count(*) as customers,
            count(*) / sum(count(*)) over () as share
        from customer_lifecycle
        group by all
        order by all
        """
    )
    chart = (
        alt.Chart(alt.Data(values=rows))
        .mark_bar()
        .encode(
            y=alt.Y("lifecycle_stage:N", sort=list(LIFECYCLE_STAGES), title=None),
            x=alt.X("customers:Q", title="Customers", stack="zero"),
            color=alt.Color(
                "part:N",
                title="Stage / churn type",
                sort=[*LIFECYCLE_STAGES[:4], *CHURN_TYPES, "inactive"],
                scale=alt.Scale(scheme="tableau10"),
            ),
            order=alt.Order("part_order:Q"),
            tooltip=[
                alt.Tooltip("lifecycle_stage:N", title="Stage"),
                alt.Tooltip("part:N", title="Part"),
                alt.Tooltip("customers:Q", title="Customers", format=","),
                alt.Tooltip("share:Q", title="Share of customers", format=".1%"),
            ],
        )
        .properties(width="container", height=240)
    )
    return Panel("lifecycle", title, caption, sources, spec=chart.to_dict())


def rfm_panel(exports: Exports) -> Panel:
    title = "RFM grid: recency x frequency"
    sources = ("customer_rfm",)
    caption = (
        "Protect the top right (champions, loyal) with early access and "
        "service rather than discounts; send win-back offers to the top left "
        "(at risk, can't lose them: frequent buyers who stopped) before they "
        "slide into lost."
    )
    reason = _missing("customer_rfm", exports)
    if reason:
        return Panel("rfm", title, caption, sources, unavailable=reason)
    alt = _alt()
    rows = exports.rows(
        """
        select
            recency_score,
            frequency_score,
            min(rfm_segment) as rfm_segment,
            count(*) as purchasers,
            count(*) / sum(count(*)) over () as share,
            avg(net_revenue) as average_net_revenue
        from customer_rfm
        group by all
        order by all
        """
    )
    largest = max(row["purchasers"] for row in rows)
    for row in rows:
        row["label"] = f"{row['rfm_segment'].replace('_', ' ')}\n{row['purchasers']:,}"
        row["is_dark"] = row["purchasers"] >= 0.6 * largest
    base = alt.Chart(alt.Data(values=rows)).encode(
        x=alt.X(
            "recency_score:O",
            title="Recency score (5 = bought most recently)",
            axis=alt.Axis(labelAngle=0),
        ),
        y=alt.Y(
            "frequency_score:O",
            title="Frequency score (5 = most purchases)",
            sort="descending",
        ),
    )
    cells = base.mark_rect().encode(
        color=alt.Color(
            "purchasers:Q", title="Purchasers", scale=alt.Scale(scheme="blues")
        ),
        tooltip=[
            alt.Tooltip("rfm_segment:N", title="Segment"),
            alt.Tooltip("recency_score:O", title="R"),
            alt.Tooltip("frequency_score:O", title="F"),
            alt.Tooltip("purchasers:Q", title="Purchasers", format=","),
            alt.Tooltip("share:Q", title="Share", format=".1%"),
            alt.Tooltip(
                "average_net_revenue:Q", title="Avg net revenue", format=",.2f"
            ),
        ],
    )
    text = base.mark_text(lineBreak="\n", fontSize=11).encode(
        text="label:N",
        color=alt.condition(alt.datum.is_dark, alt.value("white"), alt.value("black")),
    )
    chart = alt.layer(cells, text).properties(width="container", height=360)
    return Panel("rfm", title, caption, sources, spec=chart.to_dict())


def read_membership_tiers(exports: Exports) -> list[Row]:
    """Purchasers and revenue per RFM tier (customer_rfm.rfm_tier)."""
    if "rfm_tier" not in exports.columns("customer_rfm"):
        return []
    return exports.rows(
        """
        select
            rfm_tier as tier,
            count(*) as purchasers,
            count(*) / sum(count(*)) over () as purchaser_share,
            sum(net_revenue) / sum(sum(net_revenue)) over () as revenue_share
        from customer_rfm
        group by all
        order by all
        """
    )


def tier_panel(exports: Exports) -> Panel:
    title = "RFM tiers (from R, F and M together)"
    sources = ("customer_rfm",)
    caption = (
        "Set tier benefits against what each tier brings: a tier whose revenue "
        "share is far above its customer share earns richer perks; the low "
        "tier's size tells how many buyers an upgrade push could reach."
    )
    reason = _missing("customer_rfm", exports)
    tiers = [] if reason else read_membership_tiers(exports)
    if not reason and not tiers:
        reason = "customer_rfm has no rfm_tier column in these exports."
    if reason:
        return Panel("tiers", title, caption, sources, unavailable=reason)
    alt = _alt()
    long_rows = [
        {"tier": row["tier"], "measure": measure, "share": row[key]}
        for row in tiers
        for measure, key in (
            ("share of purchasers", "purchaser_share"),
            ("share of net revenue", "revenue_share"),
        )
    ]
    chart = (
        alt.Chart(alt.Data(values=long_rows))
        .mark_bar()
        .encode(
            x=alt.X(
                "tier:N", sort=list(TIERS), title=None, axis=alt.Axis(labelAngle=0)
            ),
            xOffset=alt.XOffset("measure:N", sort=MEASURE_ORDER),
            y=alt.Y("share:Q", title=None, axis=alt.Axis(format="%")),
            color=alt.Color(
                "measure:N",
                title=None,
                sort=MEASURE_ORDER,
                scale=alt.Scale(range=["#bab0ac", "#4c78a8"]),
            ),
            tooltip=[
                alt.Tooltip("tier:N", title="Tier"),
                alt.Tooltip("measure:N", title="Measure"),
                alt.Tooltip("share:Q", title="Share", format=".1%"),
            ],
        )
        .properties(width="container", height=260)
    )
    return Panel("tiers", title, caption, sources, spec=chart.to_dict())


def vip_panel(exports: Exports) -> Panel:
    title = "VIPs: the 80/20 rule"
    sources = ("vip_summary", "customer_rfm")
    caption = (
        "Give this small group priority service and keep it out of blanket "
        "discounts; a VIP leaving costs as much revenue as many ordinary "
        "buyers, so watch VIPs in the at-risk segments first."
    )
    reason = _missing("vip_summary", exports) or _missing("customer_rfm", exports)
    if reason:
        return Panel("vip", title, caption, sources, unavailable=reason)
    alt = _alt()
    (summary,) = exports.rows("select * from vip_summary")
    facts = (
        f"{summary['vip_customers_count']:,} of {summary['purchasers_count']:,} "
        f"purchasers ({_percent(summary['vip_customer_share'])}) bring "
        f"{_percent(summary['vip_revenue_share'])} of net revenue (target "
        f"{_percent(summary['vip_revenue_share_target'])})."
    )
    vip_share = summary["vip_customer_share"] or 0.0
    revenue_share = summary["vip_revenue_share"] or 0.0
    rows = [
        {"measure": "purchasers", "group": "VIP", "position": 1, "share": vip_share},
        {
            "measure": "purchasers",
            "group": "others",
            "position": 2,
            "share": 1 - vip_share,
        },
        {
            "measure": "net revenue",
            "group": "VIP",
            "position": 1,
            "share": revenue_share,
        },
        {
            "measure": "net revenue",
            "group": "others",
            "position": 2,
            "share": 1 - revenue_share,
        },
    ]
    chart = (
        alt.Chart(alt.Data(values=rows))
        .mark_bar()
        .encode(
            y=alt.Y("measure:N", title=None, sort=["purchasers", "net revenue"]),
            x=alt.X(
                "share:Q",
                title=None,
                stack="normalize",
                axis=alt.Axis(format="%"),
            ),
            color=alt.Color(
                "group:N",
                title=None,
                sort=["VIP", "others"],
                scale=alt.Scale(range=["#f58518", "#bab0ac"]),
            ),
            order=alt.Order("position:Q"),
            tooltip=[
                alt.Tooltip("measure:N", title="Of all"),
                alt.Tooltip("group:N", title="Group"),
                alt.Tooltip("share:Q", title="Share", format=".1%"),
            ],
        )
        .properties(width="container", height=120)
    )
    return Panel("vip", title, caption, sources, spec=chart.to_dict(), summary=facts)


def seasons_panel(exports: Exports) -> Panel:
    title = "Season coverage of purchasers"
    sources = ("customer_seasons",)
    caption = (
        "Send the about-to-churn group a reminder with what the coming season "
        "sells before their next season passes; reward four-season customers, "
        "the best ones, with early access to the new season's range."
    )
    reason = _missing("customer_seasons", exports)
    if reason:
        return Panel("seasons", title, caption, sources, unavailable=reason)
    alt = _alt()
    rows = exports.rows(
        """
        select
            seasonal_group,
            count(*) as purchasers,
            count(*) / sum(count(*)) over () as share,
            min(window_start_date) as window_start_date,
            max(window_end_date) as window_end_date
        from customer_seasons
        group by all
        order by all
        """
    )
    window = f"{rows[0]['window_start_date']} to {rows[0]['window_end_date']}"
    facts = f"Seasons bought in the window {window}, one row per purchaser."
    chart = (
        alt.Chart(alt.Data(values=rows))
        .mark_bar()
        .encode(
            y=alt.Y("seasonal_group:N", sort=list(SEASONAL_GROUPS), title=None),
            x=alt.X("purchasers:Q", title="Purchasers"),
            color=alt.Color(
                "seasonal_group:N",
                sort=list(SEASONAL_GROUPS),
                legend=None,
                scale=alt.Scale(scheme="viridis"),
            ),
            tooltip=[
                alt.Tooltip("seasonal_group:N", title="Group"),
                alt.Tooltip("purchasers:Q", title="Purchasers", format=","),
                alt.Tooltip("share:Q", title="Share", format=".1%"),
            ],
        )
        .properties(width="container", height=180)
    )
    return Panel(
        "seasons", title, caption, sources, spec=chart.to_dict(), summary=facts
    )


def affinity_panel(exports: Exports) -> Panel:
    title = "Which categories sell in which season"
    sources = ("category_season_affinity",)
    caption = (
        "Build each season's push list from its red cells: an index above 1 "
        "means the category leans to that season more than the shop does "
        "(the numbers are the season's share of the category's revenue); "
        "advertise it in the weeks before that season starts."
    )
    reason = _missing("category_season_affinity", exports)
    if reason:
        return Panel("affinity", title, caption, sources, unavailable=reason)
    alt = _alt()
    rows = exports.rows(
        """
        select category, season_name, items_count, net_revenue, revenue_share,
            seasonality_index
        from category_season_affinity
        order by category, season_name
        """
    )
    base = alt.Chart(alt.Data(values=rows)).encode(
        x=alt.X(
            "season_name:N",
            sort=list(SEASONS),
            title=None,
            axis=alt.Axis(labelAngle=0, orient="top"),
        ),
        y=alt.Y("category:N", title=None),
    )
    cells = base.mark_rect().encode(
        color=alt.Color(
            "seasonality_index:Q",
            title="Seasonality index",
            scale=alt.Scale(scheme="redblue", domainMid=1, reverse=True),
        ),
        tooltip=[
            alt.Tooltip("category:N", title="Category"),
            alt.Tooltip("season_name:N", title="Season"),
            alt.Tooltip("revenue_share:Q", title="Share of its revenue", format=".1%"),
            alt.Tooltip("seasonality_index:Q", title="Index", format=".2f"),
            alt.Tooltip("items_count:Q", title="Units", format=","),
            alt.Tooltip("net_revenue:Q", title="Net revenue", format=",.2f"),
        ],
    )
    text = base.mark_text(fontSize=11).encode(
        text=alt.Text("revenue_share:Q", format=".0%")
    )
    categories = len({row["category"] for row in rows})
    chart = alt.layer(cells, text).properties(
        width="container", height=max(120, 24 * categories)
    )
    return Panel("affinity", title, caption, sources, spec=chart.to_dict())


def churn_panel(exports: Exports) -> Panel:
    title = "Churn rate (365 days), daily"
    sources = ("churn_rate_daily",)
    caption = (
        "A rising line means new and returning buyers do not make up for the "
        "ones lost: look up which cohorts fade in the retention heatmap and "
        "move win-back budget there; the line is flat at 0 for the first "
        "year of history, when nobody can be 365 days gone."
    )
    reason = _missing("churn_rate_daily", exports)
    if reason:
        return Panel("churn", title, caption, sources, unavailable=reason)
    alt = _alt()
    rows = exports.rows(
        """
        select calendar_date, churn_rate, churned_customers,
            customers_with_purchase_before
        from churn_rate_daily
        order by calendar_date
        """
    )
    latest = rows[-1]
    facts = (
        f"On {latest['calendar_date']}: {_percent(latest['churn_rate'])} "
        f"({latest['churned_customers']:,} of "
        f"{latest['customers_with_purchase_before']:,} customers who had "
        "bought before the day)."
    )
    chart = (
        alt.Chart(alt.Data(values=rows))
        .mark_line(color="#e45756")
        .encode(
            x=alt.X("calendar_date:T", title=None, scale=alt.Scale(type="utc")),
            y=alt.Y("churn_rate:Q", title="Churn rate", axis=alt.Axis(format="%")),
            tooltip=[
                alt.Tooltip("calendar_date:N", title="Day"),
                alt.Tooltip("churn_rate:Q", title="Churn rate", format=".1%"),
                alt.Tooltip("churned_customers:Q", title="Churned", format=","),
                alt.Tooltip(
                    "customers_with_purchase_before:Q",
                    title="Had bought",
                    format=",",
                ),
            ],
        )
        .properties(width="container", height=260)
    )
    return Panel("churn", title, caption, sources, spec=chart.to_dict(), summary=facts)


def cohort_panel(exports: Exports) -> Panel:
    title = "Cohort retention"
    sources = ("cohort_retention",)
    caption = (
        "Compare rows: a cohort that fades faster than its neighbours (often "
        "one won in a big promotion) needs an earlier second-purchase offer; "
        "month 1 and 2 are where a nurture flow pays. Month 0 (always 100%) "
        "is left out; the outlined cells are months still running."
    )
    reason = _missing("cohort_retention", exports)
    if reason:
        return Panel("cohorts", title, caption, sources, unavailable=reason)
    alt = _alt()
    rows = exports.rows(
        """
        select
            strftime(cohort_month, '%Y-%m') as cohort,
            months_since_first_purchase,
            cohort_size,
            active_customers,
            retention_share,
            is_partial_month
        from cohort_retention
        where months_since_first_purchase > 0
        order by cohort_month, months_since_first_purchase
        """
    )
    if not rows:
        return Panel(
            "cohorts",
            title,
            caption,
            sources,
            unavailable="No cohort has reached its second month yet.",
        )
    cohorts = len({row["cohort"] for row in rows})
    chart = (
        alt.Chart(alt.Data(values=rows))
        .mark_rect()
        .encode(
            x=alt.X(
                "months_since_first_purchase:O",
                title="Months since the first purchase",
                axis=alt.Axis(labelAngle=0),
            ),
            y=alt.Y("cohort:O", title="First-purchase month"),
            color=alt.Color(
                "retention_share:Q",
                title="Bought again",
                scale=alt.Scale(scheme="greens"),
                legend=alt.Legend(format="%"),
            ),
            stroke=alt.condition(
                alt.datum.is_partial_month, alt.value("#333"), alt.value(None)
            ),
            tooltip=[
                alt.Tooltip("cohort:O", title="Cohort"),
                alt.Tooltip("months_since_first_purchase:O", title="Month"),
                alt.Tooltip("cohort_size:Q", title="Cohort size", format=","),
                alt.Tooltip("active_customers:Q", title="Bought", format=","),
                alt.Tooltip("retention_share:Q", title="Share", format=".1%"),
                alt.Tooltip("is_partial_month:N", title="Month still running"),
            ],
        )
        .properties(width="container", height=max(120, 14 * cohorts))
    )
    return Panel("cohorts", title, caption, sources, spec=chart.to_dict())


def clv_panel(exports: Exports) -> Panel:
    title = "Predicted customer lifetime value"
    sources = ("customer_predictions",)
    caption = (
        "Spend retention effort in proportion to predicted value: the right "
        "tail is where a phone call, a gift or a personal offer pays for "
        "itself; the left is for low-cost automated messages."
    )
    if "customer_predictions" not in exports.row_counts:
        return Panel(
            "clv",
            title,
            caption,
            sources,
            unavailable=(
                "Not available: these exports have no customer_predictions "
                "mart. The chart appears once the predictions mart is built "
                "and exported (`crm-marts run`)."
            ),
        )
    reason = _missing("customer_predictions", exports)
    rows = (
        []
        if reason
        else exports.rows(
            """
            with values_ as (
                select cast(predicted_clv as double) as clv
                from customer_predictions
                where predicted_clv is not null
            ),
            bounds as (
                select
                    greatest(quantile_disc(clv, 0.99), 1e-9) as top,
                    count(*) as total_customers,
                    median(clv) as median_clv
                from values_
            ),
            binned as (
                select
                    least(floor(clv / (bounds.top / ?)), ? - 1) as bin,
                    bounds.top,
                    bounds.total_customers,
                    bounds.median_clv
                from values_, bounds
            )
            select
                bin * top / ? as bin_start,
                (bin + 1) * top / ? as bin_end,
                bin = ? - 1 as is_last_bin,
                count(*) as customers,
                count(*) / max(total_customers) as share,
                max(median_clv) as median_clv,
                max(total_customers) as predicted_customers
            from binned
            group by bin, top
            order by bin
            """,
            [CLV_BINS] * 5,
        )
    )
    if not rows:
        return Panel(
            "clv",
            title,
            caption,
            sources,
            unavailable=reason or "No customer has a predicted CLV yet.",
        )
    facts = (
        f"{rows[0]['predicted_customers']:,} customers with a predicted CLV, "
        f"median {rows[0]['median_clv']:,.2f}; the last bar also holds the top 1%."
    )
    alt = _alt()
    chart = (
        alt.Chart(alt.Data(values=rows))
        .mark_bar(color="#54a24b")
        .encode(
            x=alt.X("bin_start:Q", title="Predicted CLV"),
            x2="bin_end:Q",
            y=alt.Y("customers:Q", title="Customers"),
            y2=alt.datum(0),
            tooltip=[
                alt.Tooltip("bin_start:Q", title="From", format=",.2f"),
                alt.Tooltip("bin_end:Q", title="To", format=",.2f"),
                alt.Tooltip("is_last_bin:N", title="Top bin (open)"),
                alt.Tooltip("customers:Q", title="Customers", format=","),
                alt.Tooltip("share:Q", title="Share", format=".1%"),
            ],
        )
        .properties(width="container", height=260)
    )
    return Panel("clv", title, caption, sources, spec=chart.to_dict(), summary=facts)


PANELS: tuple[Callable[[Exports], Panel], ...] = (
    interval_panel,
    lifecycle_panel,
    rfm_panel,
    tier_panel,
    vip_panel,
    seasons_panel,
    affinity_panel,
    churn_panel,
    cohort_panel,
    clv_panel,
)


# --- the page -----------------------------------------------------------------


def _headline(exports: Exports) -> list[tuple[str, str]]:
    """The few numbers at the top of the page."""
    tiles: list[tuple[str, str]] = []
    if exports.has_rows("customers"):
        (facts,) = exports.rows(
            """
            select
                count(*) as customers,
                count(*) filter (where not is_prospect) as purchasers,
                count(*) filter (where is_repeat_buyer) as repeat_customers,
                sum(net_revenue) as net_revenue
            from customers
            """
        )
        purchasers = facts["purchasers"] or 0
        tiles += [
            ("customers", f"{facts['customers']:,}"),
            ("purchasers", f"{purchasers:,}"),
            (
                "repeat rate",
                _percent(
                    facts["repeat_customers"] / purchasers if purchasers else None
                ),
            ),
            ("net revenue", f"{facts['net_revenue'] or 0:,.2f}"),
        ]
    if exports.has_rows("churn_rate_daily"):
        (latest,) = exports.rows(
            "select churn_rate from churn_rate_daily "
            "order by calendar_date desc limit 1"
        )
        tiles.append(("churn rate (365 d)", _percent(latest["churn_rate"])))
    if exports.has_rows("vip_summary"):
        (vip,) = exports.rows("select vip_customer_share from vip_summary")
        tiles.append(("VIP share of purchasers", _percent(vip["vip_customer_share"])))
    return tiles


def _panel_html(panel: Panel) -> str:
    sources = ", ".join(f"<code>{html.escape(name)}</code>" for name in panel.sources)
    if panel.spec is not None:
        body = f'<div class="chart" id="chart-{panel.key}"></div>'
    else:
        body = (
            f'<div class="unavailable" id="chart-{panel.key}">'
            f"{html.escape(panel.unavailable)}</div>"
        )
    summary = (
        f'<p class="summary">{html.escape(panel.summary)}</p>\n'
        if panel.summary
        else ""
    )
    return (
        f'<section id="{panel.key}">\n'
        f"<h2>{html.escape(panel.title)}</h2>\n"
        f"{summary}"
        f'<p class="caption"><strong>What to do:</strong> '
        f"{html.escape(panel.caption)}</p>\n"
        f"{body}\n"
        f'<p class="source">From {sources}.</p>\n'
        "</section>"
    )


PAGE = Template(
    """<!DOCTYPE html>
<html lang="en">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>CRM report as of $as_of_date</title>
<style>
body { font-family: system-ui, -apple-system, "Segoe UI", sans-serif; margin: 0;
  color: #222; background: #fff; }
header, main { max-width: 1100px; margin: 0 auto; padding: 0 24px; }
header { padding-top: 24px; }
h1 { font-size: 1.6em; margin-bottom: 4px; }
.meta { color: #555; margin-top: 0; }
.tiles { display: flex; flex-wrap: wrap; gap: 12px; margin: 16px 0; padding: 0; }
.tiles li { list-style: none; border: 1px solid #ddd; border-radius: 6px;
  padding: 8px 14px; min-width: 120px; }
.tiles .value { display: block; font-size: 1.4em; font-weight: 600; }
.tiles .label { color: #555; font-size: 0.9em; }
nav ol { columns: 2; color: #555; }
section { border-top: 1px solid #eee; padding: 12px 0 20px; }
h2 { font-size: 1.25em; margin: 8px 0; }
.summary { margin: 4px 0; max-width: 900px; color: #333; }
.caption { margin: 4px 0 12px; max-width: 900px; }
.chart { width: 100%; min-height: 120px; }
.unavailable { border: 2px dashed #bbb; border-radius: 6px; padding: 28px;
  color: #555; background: #fafafa; text-align: center; }
.source { color: #777; font-size: 0.85em; }
</style>
</head>
<body>
<header>
<h1>CRM report</h1>
<p class="meta">Marts as of <strong>$as_of_date</strong>, built $built_at.
Every number comes from the exported marts in this folder.</p>
<ul class="tiles">
$tiles
</ul>
<nav><ol>
$toc
</ol></nav>
</header>
<main>
$panels
</main>
<script>
$bundle
</script>
<script>
(() => {
  const specs = $specs;
  const options = {renderer: "svg", actions: false};
  Promise.all(Object.entries(specs).map(([key, spec]) =>
    vegaEmbed("#chart-" + key, spec, options).catch((error) => {
      console.error("chart " + key + " could not be drawn: " + error);
      document.getElementById("chart-" + key).textContent =
        "This chart could not be drawn: " + error;
    })
  )).then(() => { document.body.dataset.chartsRendered = "true"; });
})();
</script>
</body>
</html>
"""
)


def _javascript_bundle() -> str:
    import vl_convert

    return vl_convert.javascript_bundle(vl_version=VEGA_LITE_VERSION)


def render_report(exports_dir: Path) -> str:
    """The report page for the exports in exports_dir, as one HTML string."""
    exports = Exports(exports_dir)
    try:
        panels = [make_panel(exports) for make_panel in PANELS]
        tiles = _headline(exports)
    finally:
        exports.close()
    specs = {panel.key: panel.spec for panel in panels if panel.spec is not None}
    specs_json = json.dumps(specs, sort_keys=True, separators=(",", ":"))
    manifest = exports.manifest
    return PAGE.substitute(
        as_of_date=html.escape(str(manifest.get("as_of_date"))),
        built_at=html.escape(str(manifest.get("built_at") or "at an unknown time")),
        tiles="\n".join(
            f'<li><span class="value">{html.escape(value)}</span>'
            f'<span class="label">{html.escape(label)}</span></li>'
            for label, value in tiles
        ),
        toc="\n".join(
            f'<li><a href="#{panel.key}">{html.escape(panel.title)}</a></li>'
            for panel in panels
        ),
        panels="\n".join(_panel_html(panel) for panel in panels),
        bundle=_javascript_bundle(),
        specs=specs_json.replace("</", "<\\/"),
    )


def write_report(exports_dir: Path, out: Path | None = None) -> Path:
    """Write the report for exports_dir atomically; returns its path."""
    target = out or exports_dir / REPORT_NAME
    page = render_report(exports_dir)
    target.parent.mkdir(parents=True, exist_ok=True)
    temporary = target.with_name(f".{target.name}.tmp")
    try:
        temporary.write_text(page, encoding="utf-8")
        os.replace(temporary, target)
    finally:
        temporary.unlink(missing_ok=True)
    return target
