"""Generate a realistic sample shop export: orders, order items, products, customers.

The sample exists to exercise every rule of the CRM marts (see docs on the domain):
consumables that run out, seasonal goods, promotions with presale and a Double 11
spike, late and missing payments, refunds, prospects and opted-out customers. Buyers
follow personas (one-time, occasional, heavy, consumable re-buyer, seasonal, promotion
hunter) whose purchase rate and drop-out hazard differ.

Everything is drawn from ``numpy.random.default_rng(seed)`` and vectorised (no Python
loop per customer or per order), so the same arguments give byte-identical files and
millions of orders take seconds. All values are written as text in the layout of
``crm_marts.contract``; Parquet files carry the very same strings as the CSV files.
"""

from __future__ import annotations

import datetime as dt
import os
from dataclasses import dataclass
from pathlib import Path

import numpy as np
import pyarrow as pa
import pyarrow.compute as pc
import pyarrow.csv as pa_csv
import pyarrow.parquet as pq

from crm_marts.contract import (
    CUSTOMERS,
    DATE_FORMAT,
    FILE_FORMATS,
    ORDER_ITEMS,
    ORDERS,
    PRODUCTS,
    TIMESTAMP_FORMAT,
    Table,
)

__all__ = ["generate_shop"]

SECONDS_PER_DAY = 86_400
DAYS_PER_YEAR = 365

# Relative order volume by hour of day: quiet nights, busy lunch and evenings.
HOUR_WEIGHTS = np.array(
    [2.0, 1.2, 0.6, 0.3, 0.2, 0.2, 0.4, 1.0, 2.0, 3.0, 4.0, 4.5]
    + [4.0, 3.5, 3.8, 4.0, 3.8, 3.5, 3.8, 4.5, 5.5, 6.5, 6.0, 4.0]
)
# Share of a peak promotion day's orders placed in the first hour (the midnight rush).
MIDNIGHT_RUSH_SHARE = 0.3


@dataclass(frozen=True)
class Category:
    """A product category: how many products, prices, consumption and seasonality."""

    name: str
    label: str
    product_count: int
    consumption_days: int | None
    price_range: tuple[int, int]
    demand: float
    month_weights: tuple[float, ...] = (1.0,) * 12


CATEGORIES: tuple[Category, ...] = (
    Category("pet_food", "Pet food", 24, 7, (39, 199), 1.0),
    Category("coffee", "Coffee beans", 22, 14, (29, 159), 0.9),
    Category("face_mask", "Face mask", 20, 30, (49, 229), 0.8),
    Category("skincare", "Skincare", 28, 60, (89, 699), 1.0),
    Category(
        "t_shirt",
        "T-shirt",
        26,
        None,
        (39, 199),
        1.0,
        (0.1, 0.1, 0.2, 0.6, 1.6, 2.0, 2.0, 1.6, 0.6, 0.2, 0.1, 0.1),
    ),
    Category(
        "down_jacket",
        "Down jacket",
        16,
        None,
        (299, 1599),
        0.8,
        (1.8, 1.0, 0.3, 0.1, 0.05, 0.05, 0.05, 0.05, 0.2, 0.9, 2.2, 2.2),
    ),
    Category(
        "quick_dry_wear",
        "Quick-dry wear",
        18,
        None,
        (79, 399),
        0.7,
        (0.3, 0.6, 1.4, 1.6, 1.0, 0.4, 0.3, 0.6, 1.4, 1.5, 0.5, 0.3),
    ),
    Category("electronics", "Electronics", 22, None, (99, 4999), 0.8),
    Category("home", "Home", 30, None, (19, 499), 1.2),
)
CATEGORY_INDEX = {category.name: i for i, category in enumerate(CATEGORIES)}
CONSUMABLE_SHARES = {
    "pet_food": 0.3,
    "coffee": 0.25,
    "face_mask": 0.2,
    "skincare": 0.25,
}

# Seasons by the solar terms (approximate start dates) and what a seasonal buyer buys.
SEASONS: tuple[tuple[str, tuple[int, int], str, float], ...] = (
    ("spring", (2, 4), "quick_dry_wear", 0.15),
    ("summer", (5, 5), "t_shirt", 0.35),
    ("autumn", (8, 7), "quick_dry_wear", 0.15),
    ("winter", (11, 7), "down_jacket", 0.35),
)

# Share of customers per persona; "prospect" registers and never buys.
PERSONA_SHARES: dict[str, float] = {
    "prospect": 0.10,
    "one_time": 0.25,
    "occasional": 0.24,
    "consumable": 0.20,
    "heavy": 0.04,
    "seasonal": 0.08,
    "promotion_hunter": 0.09,
}
PERSONAS = tuple(PERSONA_SHARES)
# Chance that a renewal buyer comes back after each order (1 - drop-out hazard).
COMEBACK_PROBABILITY = {"occasional": 0.62, "consumable": 0.85, "heavy": 0.965}
SEASONAL_COMEBACK_PROBABILITY = 0.62
HUNTER_MEAN_LIFETIME_DAYS = 420
ADD_ON_ORDER_SHARE = 0.02

PROMOTION_TAGS = (None, "618", "double11", "double12", "juhuasuan")
TAG_618, TAG_DOUBLE11, TAG_DOUBLE12, TAG_JUHUASUAN = 1, 2, 3, 4
# Juhuasuan flash days (month, day), each year.
JUHUASUAN_DAYS = ((3, 9), (7, 9), (9, 9))
PRESALE_SHARE = 0.5

STATUSES = (
    "pending",
    "paid",
    "shipped",
    "completed",
    "refunded",
    "cancelled",
    "closed",
)
PENDING, PAID, SHIPPED, COMPLETED, REFUNDED, CANCELLED, CLOSED = range(7)
CHANNELS = ("app", "web", "mini_program", "live_stream")
CHANNEL_SHARES = (0.5, 0.15, 0.22, 0.13)
MEMBER_LEVELS = (None, "bronze", "silver", "gold")
MOBILE_PREFIXES = ("130", "131", "135", "136", "137", "138", "139", "150", "151")
MOBILE_PREFIXES += ("152", "158", "159", "176", "186", "187", "188", "189")


@dataclass(frozen=True)
class _Calendar:
    """The history window and per-day lookups (index 0 = first day of history)."""

    start: dt.date
    days: int
    start_epoch: int
    month: np.ndarray
    promotion: np.ndarray
    presale: np.ndarray
    balance_due_day: np.ndarray
    pull_target: np.ndarray
    pull_share: np.ndarray
    peak: np.ndarray
    growth: np.ndarray

    @property
    def end_second(self) -> int:
        """Last second of the history, counted from its start."""
        return self.days * SECONDS_PER_DAY - 1

    def day(self, date: dt.date) -> int:
        """Day index of a date (0 = first day of the history)."""
        return (date - self.start).days

    def growth_days(self, rng: np.random.Generator, count: int) -> np.ndarray:
        """Days on which new buyers arrive, following the shop's growth."""
        return rng.choice(self.days, size=count, p=self.growth / self.growth.sum())


@dataclass(frozen=True)
class _PromotionEvent:
    """One promotion occurrence, as promotion hunters see it."""

    first_day: int
    last_day: int
    peak_share: float
    size: float
    participation: float


@dataclass(frozen=True)
class _Products:
    """The catalogue as parallel arrays, one entry per product."""

    category: np.ndarray
    price_cents: np.ndarray
    cost_cents: np.ndarray
    consumption_days: np.ndarray
    launch_day: np.ndarray
    popularity: np.ndarray
    is_traffic: np.ndarray
    is_profit: np.ndarray
    names: list[str]

    @property
    def count(self) -> int:
        return int(self.category.size)


@dataclass
class _Orders:
    """Orders as parallel arrays; times in seconds since the start of the history.

    main_product / main_category steer the first order line (-1 = no preference);
    main_quantity is its quantity (0 = draw one); pullable orders may be pulled
    forward into a promotion.
    """

    customer: np.ndarray
    created: np.ndarray
    main_product: np.ndarray
    main_category: np.ndarray
    main_quantity: np.ndarray
    pullable: np.ndarray

    @property
    def count(self) -> int:
        return int(self.customer.size)

    def take(self, index: np.ndarray) -> _Orders:
        return _Orders(*(getattr(self, name)[index] for name in _ORDER_FIELDS))

    @staticmethod
    def concat(parts: list[_Orders]) -> _Orders:
        return _Orders(
            *(
                np.concatenate([getattr(p, name) for p in parts])
                for name in _ORDER_FIELDS
            )
        )

    @staticmethod
    def new(
        customer: np.ndarray,
        created: np.ndarray,
        *,
        main_product: np.ndarray | int = -1,
        main_category: np.ndarray | int = -1,
        main_quantity: np.ndarray | int = 0,
        pullable: bool = True,
    ) -> _Orders:
        count = customer.size

        def column(value: np.ndarray | int, dtype: type) -> np.ndarray:
            return np.broadcast_to(np.asarray(value, dtype=dtype), count).copy()

        return _Orders(
            customer.astype(np.int64),
            created.astype(np.int64),
            column(main_product, np.int64),
            column(main_category, np.int64),
            column(main_quantity, np.int64),
            np.full(count, pullable),
        )


_ORDER_FIELDS = tuple(_Orders.__dataclass_fields__)


def generate_shop(
    out_dir: Path,
    customers: int,
    seed: int,
    file_format: str = "csv",
    end_date: dt.date = dt.date(2025, 12, 31),
    years: int = 3,
) -> dict[str, int]:
    """Write a sample shop export into out_dir and return rows written per table.

    Writes orders, order_items, products and customers as ``<table>.<file_format>``
    (each atomically) covering ``[end_date - years, end_date]``. Files of the same
    tables in the other format are removed, so a loader never reads a stale mix.
    The same arguments give byte-identical files.
    """
    if file_format not in FILE_FORMATS:
        raise ValueError(f"file_format must be one of {FILE_FORMATS}: {file_format!r}")
    if customers < 1:
        raise ValueError(f"customers must be at least 1: {customers}")
    if years < 1:
        raise ValueError(f"years must be at least 1: {years}")

    rng = np.random.default_rng(seed)
    calendar = _make_calendar(end_date, years)
    products = _make_products(rng, calendar)
    persona = rng.choice(len(PERSONAS), size=customers, p=list(PERSONA_SHARES.values()))
    orders = _make_orders(rng, calendar, products, persona)
    registered = _registration_times(rng, calendar, orders, customers)
    customer_number = np.empty(customers, dtype=np.int64)
    customer_number[np.argsort(registered, kind="stable")] = np.arange(1, customers + 1)
    orders = orders.take(np.lexsort((customer_number[orders.customer], orders.created)))

    order_table, item_table, paid_cents = _order_tables(
        rng, calendar, products, orders, customer_number
    )
    tables = (
        (ORDERS, order_table),
        (ORDER_ITEMS, item_table),
        (PRODUCTS, _product_table(calendar, products)),
        (
            CUSTOMERS,
            _customer_table(
                rng, calendar, registered, customer_number, orders, paid_cents
            ),
        ),
    )

    out_dir = Path(out_dir)
    out_dir.mkdir(parents=True, exist_ok=True)
    rows: dict[str, int] = {}
    for contract_table, table in tables:
        _write_table(table, contract_table, out_dir, file_format)
        rows[contract_table.name] = table.num_rows
    return rows


# --- calendar -------------------------------------------------------------------------


def _make_calendar(end_date: dt.date, years: int) -> _Calendar:
    """Per-day lookups for [end_date - years, end_date]: months, promotions, growth."""
    try:
        start = end_date.replace(year=end_date.year - years)
    except ValueError:  # 29 February
        start = end_date.replace(year=end_date.year - years, day=28)
    days = (end_date - start).days + 1
    dates = np.arange(np.datetime64(start), np.datetime64(end_date) + 1)
    calendar = _Calendar(
        start=start,
        days=days,
        start_epoch=(start - dt.date(1970, 1, 1)).days * SECONDS_PER_DAY,
        month=dates.astype("datetime64[M]").astype(np.int64) % 12 + 1,
        promotion=np.zeros(days, dtype=np.int64),
        presale=np.zeros(days, dtype=bool),
        balance_due_day=np.full(days, -1, dtype=np.int64),
        pull_target=np.full(days, -1, dtype=np.int64),
        pull_share=np.zeros(days),
        peak=np.zeros(days, dtype=bool),
        # The shop grows: twice as many new buyers a day at the end as at the start.
        growth=np.linspace(1.0, 2.0, days),
    )
    for year in range(start.year, end_date.year + 1):
        _mark_promotions(calendar, year)
    return calendar


def _day_span(calendar: _Calendar, first: dt.date, last: dt.date) -> slice:
    """Day indexes of [first, last], clipped to the history (may be empty)."""
    low = min(max(calendar.day(first), 0), calendar.days)
    high = min(max(calendar.day(last) + 1, low), calendar.days)
    return slice(low, high)


def _mark_promotions(calendar: _Calendar, year: int) -> None:
    """Set promotion tags, presale days and pull-forward windows for one year.

    A pull-forward window holds ordinary orders that a share of customers delay (or
    advance) to the promotion day: the dip before a big promotion and its spike.
    """
    day = dt.timedelta(days=1)

    def mark(first: dt.date, last: dt.date, tag: int) -> None:
        calendar.promotion[_day_span(calendar, first, last)] = tag

    def pull(first: dt.date, last: dt.date, target: dt.date, share: float) -> None:
        target_day = calendar.day(target)
        if 0 <= target_day < calendar.days:
            calendar.pull_target[_day_span(calendar, first, last)] = target_day
            calendar.pull_share[_day_span(calendar, first, last)] = share

    for month, day_of_month in JUHUASUAN_DAYS:
        flash = dt.date(year, month, day_of_month)
        mark(flash, flash, TAG_JUHUASUAN)
        pull(flash - 4 * day, flash - day, flash, 0.2)

    june_18, nov_11, dec_12 = (
        dt.date(year, m, d) for m, d in ((6, 18), (11, 11), (12, 12))
    )
    mark(dt.date(year, 6, 1), june_18, TAG_618)
    pull(dt.date(year, 5, 16), june_18 - day, june_18, 0.22)

    presale_start = dt.date(year, 10, 21)
    mark(presale_start, nov_11, TAG_DOUBLE11)
    calendar.presale[_day_span(calendar, presale_start, nov_11 - day)] = True
    calendar.balance_due_day[_day_span(calendar, presale_start, nov_11 - day)] = (
        calendar.day(nov_11)
    )
    pull(dt.date(year, 10, 10), nov_11 - day, nov_11, 0.35)

    mark(dec_12, dec_12, TAG_DOUBLE12)
    pull(dt.date(year, 11, 25), dec_12 - day, dec_12, 0.15)

    for peak in (june_18, nov_11, dec_12):
        calendar.peak[_day_span(calendar, peak, peak)] = True


def _promotion_events(calendar: _Calendar) -> list[_PromotionEvent]:
    """Promotions inside the history, in date order, as promotion hunters see them.

    The last day of each event is its peak (June 18, November 11, ...).
    """
    events = []
    last_year = calendar.start.year + calendar.days // DAYS_PER_YEAR + 1
    for year in range(calendar.start.year, last_year + 1):
        flash_days = [dt.date(year, m, d) for m, d in JUHUASUAN_DAYS]
        specs = [(flash, flash, 1.0, 1.0, 0.2) for flash in flash_days]
        specs += [
            (dt.date(year, 6, 1), dt.date(year, 6, 18), 0.5, 3.0, 0.45),
            (dt.date(year, 10, 21), dt.date(year, 11, 11), 0.65, 5.0, 0.55),
            (dt.date(year, 12, 12), dt.date(year, 12, 12), 1.0, 2.0, 0.35),
        ]
        for first, last, peak_share, size, participation in specs:
            span = _day_span(calendar, first, last)
            if span.start >= span.stop:
                continue
            if span.stop - 1 != calendar.day(last):  # the peak is beyond the history
                peak_share = 0.0
            events.append(
                _PromotionEvent(
                    span.start, span.stop - 1, peak_share, size, participation
                )
            )
    return sorted(events, key=lambda event: event.first_day)


def _season_windows(calendar: _Calendar) -> list[tuple[int, int, int]]:
    """(season index, first day, last day) of each season inside the history."""
    windows = []
    last_year = calendar.start.year + calendar.days // DAYS_PER_YEAR + 1
    for year in range(calendar.start.year - 1, last_year + 1):
        for season, (_, (month, day), _, _) in enumerate(SEASONS):
            following = (season + 1) % len(SEASONS)
            next_month, next_day = SEASONS[following][1]
            next_start = dt.date(year + (following == 0), next_month, next_day)
            span = _day_span(
                calendar,
                dt.date(year, month, day),
                next_start - dt.timedelta(days=1),
            )
            if span.start < span.stop:
                windows.append((season, span.start, span.stop - 1))
    return sorted(windows, key=lambda window: window[1])


# --- products -------------------------------------------------------------------------


def _make_products(rng: np.random.Generator, calendar: _Calendar) -> _Products:
    """The catalogue: prices, margins (traffic and profit items), launch dates.

    Most products were launched before the history; some during its last year,
    with extra demand (the fast growers).
    """
    category = np.repeat(
        np.arange(len(CATEGORIES)), [c.product_count for c in CATEGORIES]
    )
    count = category.size
    low = np.array([c.price_range[0] for c in CATEGORIES])[category]
    high = np.array([c.price_range[1] for c in CATEGORIES])[category]
    role = rng.choice(3, size=count, p=[0.15, 0.2, 0.65])  # traffic, profit, other
    is_traffic, is_profit = role == 0, role == 1
    yuan = np.exp(rng.uniform(np.log(low), np.log(high)))
    yuan = np.where(is_traffic, np.maximum(yuan * 0.6, low), yuan)
    price_cents = np.round(yuan).astype(np.int64) * 100 - 10  # 59.90-style prices
    margin = np.select(
        [is_traffic, is_profit],
        [rng.uniform(0.03, 0.12, count), rng.uniform(0.55, 0.75, count)],
        rng.uniform(0.2, 0.45, count),
    )
    cost_cents = np.clip(np.round(price_cents * (1 - margin)), 1, price_cents - 1)

    base_days = np.array([c.consumption_days or 0 for c in CATEGORIES])[category]
    pack_factor = rng.choice([1, 1, 1, 2], size=count)  # some packs last twice as long
    consumption_days = base_days * pack_factor

    # Launch day relative to the history start: negative = before it.
    rank_in_category = np.arange(count) - np.searchsorted(category, category)
    is_new = (rng.random(count) < 0.15) & (rank_in_category >= 2)
    launch_day = np.where(
        is_new,
        rng.integers(calendar.days - DAYS_PER_YEAR, calendar.days - 30, count),
        rng.integers(-3 * DAYS_PER_YEAR, -30, count),
    )
    popularity = 1.0 / rng.permutation(count).astype(float).__add__(1.0) ** 0.3
    popularity *= rng.lognormal(0.0, 0.6, count) * np.where(is_new, 2.5, 1.0)
    popularity *= np.where(is_traffic, 2.0, 1.0)

    shuffle = rng.permutation(count)
    names = [
        f"{CATEGORIES[c].label} {int(n) + 1:02d}"
        for c, n in zip(category, rank_in_category, strict=True)
    ]
    return _Products(
        category=category[shuffle],
        price_cents=price_cents[shuffle],
        cost_cents=cost_cents[shuffle].astype(np.int64),
        consumption_days=consumption_days[shuffle],
        launch_day=launch_day[shuffle],
        popularity=popularity[shuffle],
        is_traffic=is_traffic[shuffle],
        is_profit=is_profit[shuffle],
        names=[names[i] for i in shuffle],
    )


def _pick_in_categories(
    rng: np.random.Generator,
    products: _Products,
    category: np.ndarray,
    launched_only: bool = False,
) -> np.ndarray:
    """One product per entry of category, by popularity within the category."""
    picked = np.empty(category.size, dtype=np.int64)
    for index in range(len(CATEGORIES)):
        rows = np.flatnonzero(category == index)
        if rows.size == 0:
            continue
        candidates = np.flatnonzero(products.category == index)
        if launched_only:
            candidates = candidates[products.launch_day[candidates] <= 0]
        weights = products.popularity[candidates]
        picked[rows] = rng.choice(candidates, size=rows.size, p=weights / weights.sum())
    return picked


def _launched_by(
    rng: np.random.Generator, products: _Products, product: np.ndarray, day: np.ndarray
) -> np.ndarray:
    """Replace products not yet launched on day with older ones of the same category."""
    late = np.flatnonzero(products.launch_day[product] > day)
    product = product.copy()
    product[late] = _pick_in_categories(
        rng, products, products.category[product[late]], launched_only=True
    )
    return product


def _pick_for_months(
    rng: np.random.Generator,
    products: _Products,
    month: np.ndarray,
    first_order: np.ndarray,
) -> np.ndarray:
    """Products for order lines by the month's demand; first orders favour traffic
    items, repeat orders profit items."""
    month_weights = np.array([c.month_weights for c in CATEGORIES])
    demand = np.array([c.demand for c in CATEGORIES])
    share_in_category = (
        products.popularity
        / np.bincount(products.category, weights=products.popularity)[products.category]
    )
    key = (month - 1) * 2 + first_order
    order = np.argsort(key, kind="stable")
    bounds = np.searchsorted(key[order], np.arange(25))
    picked = np.empty(key.size, dtype=np.int64)
    for group in range(24):
        rows = order[bounds[group] : bounds[group + 1]]
        if rows.size == 0:
            continue
        weights = (
            share_in_category
            * (month_weights[:, group // 2] * demand)[products.category]
        )
        if group % 2:
            weights = weights * np.where(products.is_traffic, 3.0, 1.0)
        else:
            weights = weights * np.where(products.is_profit, 1.5, 1.0)
        picked[rows] = rng.choice(
            products.count, size=rows.size, p=weights / weights.sum()
        )
    return picked


# --- orders ---------------------------------------------------------------------------


def _make_orders(
    rng: np.random.Generator,
    calendar: _Calendar,
    products: _Products,
    persona: np.ndarray,
) -> _Orders:
    """All orders of all buyers, by persona, pulled into promotions, with add-ons."""

    def buyers(name: str) -> np.ndarray:
        return np.flatnonzero(persona == PERSONAS.index(name))

    parts = [
        _renewal_orders(rng, calendar, products, name, buyers(name))
        for name in ("one_time", "occasional", "consumable", "heavy")
    ]
    parts.append(_seasonal_orders(rng, calendar, buyers("seasonal")))
    parts.append(_hunter_orders(rng, calendar, buyers("promotion_hunter")))
    orders = _Orders.concat(parts)
    _pull_into_promotions(rng, calendar, orders)
    return _Orders.concat([orders, _add_on_orders(rng, orders)])


def _expand(counts: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """Repeat each index by its count: (owner index, position within the owner)."""
    owner = np.repeat(np.arange(counts.size), counts)
    starts = np.cumsum(counts) - counts
    return owner, np.arange(owner.size) - starts[owner]


def _time_of_day(
    rng: np.random.Generator, count: int, peak: np.ndarray | None = None
) -> np.ndarray:
    """Seconds after midnight; on peak days a share falls in the midnight rush."""
    hour = rng.choice(24, size=count, p=HOUR_WEIGHTS / HOUR_WEIGHTS.sum())
    seconds = hour * 3600 + rng.integers(0, 3600, count)
    if peak is not None:
        rush = peak & (rng.random(count) < MIDNIGHT_RUSH_SHARE)
        seconds = np.where(rush, rng.integers(0, 3600, count), seconds)
    return seconds


def _renewal_orders(
    rng: np.random.Generator,
    calendar: _Calendar,
    products: _Products,
    persona: str,
    buyers: np.ndarray,
) -> _Orders:
    """Orders of buyers who come back after a gap until they drop out.

    After each order a buyer comes back with a fixed probability (the drop-out
    hazard is its complement). Consumable re-buyers come back when what they bought
    runs out: consumption days x quantity x usage noise.
    """
    count = buyers.size
    first_day = calendar.growth_days(rng, count)
    if persona == "one_time":
        order_counts = np.ones(count, dtype=np.int64)
    else:
        comeback = COMEBACK_PROBABILITY[persona]
        order_counts = np.minimum(rng.geometric(1.0 - comeback, count), 400)
    owner, position = _expand(order_counts)
    size = owner.size

    main_product = np.full(size, -1)
    main_category = np.full(size, -1)
    main_quantity = np.zeros(size, dtype=np.int64)
    if persona == "consumable":
        names = list(CONSUMABLE_SHARES)
        category = np.array([CATEGORY_INDEX[name] for name in names])[
            rng.choice(len(names), size=count, p=list(CONSUMABLE_SHARES.values()))
        ]
        own = _launched_by(
            rng, products, _pick_in_categories(rng, products, category), first_day
        )
        main_quantity = rng.choice([1, 2, 3, 4, 6], size=size, p=CONSUMABLE_QUANTITY_P)
        previous_quantity = np.roll(main_quantity, 1)
        usage = rng.lognormal(np.log(1.15), 0.2, size)
        gaps = products.consumption_days[own][owner] * previous_quantity * usage
        # Mostly the same product again, sometimes another of the same category.
        main_product = np.where(rng.random(size) < 0.9, own[owner], -1)
        main_category = category[owner]
    elif persona == "occasional":
        mean_gap = 80.0 * rng.lognormal(0.0, 0.45, count)
        gaps = mean_gap[owner] * rng.gamma(2.0, 0.5, size)
    elif persona == "heavy":
        mean_gap = 18.0 * rng.lognormal(0.0, 0.35, count)
        gaps = mean_gap[owner] * rng.gamma(3.0, 1.0 / 3.0, size)
    else:
        gaps = np.zeros(size)
    gaps = np.where(position == 0, 0.0, np.maximum(gaps, 1.0))
    elapsed = np.cumsum(gaps)
    elapsed -= (elapsed - gaps)[np.cumsum(order_counts) - order_counts][owner]
    day = first_day[owner] + elapsed.astype(np.int64)
    created = day * SECONDS_PER_DAY + _time_of_day(rng, size)
    keep = day < calendar.days
    orders = _Orders.new(
        buyers[owner],
        created,
        main_product=main_product,
        main_category=main_category,
        main_quantity=main_quantity,
    )
    return orders.take(np.flatnonzero(keep))


CONSUMABLE_QUANTITY_P = [0.45, 0.3, 0.15, 0.06, 0.04]


def _seasonal_orders(
    rng: np.random.Generator, calendar: _Calendar, buyers: np.ndarray
) -> _Orders:
    """Orders of buyers who buy their season's goods in that season, year after year,
    until they drop out."""
    count = buyers.size
    windows = _season_windows(calendar)
    season = rng.choice(len(SEASONS), size=count, p=[s[3] for s in SEASONS])
    first_window = np.zeros(count, dtype=np.int64)
    for index in range(len(SEASONS)):
        own = [w for w in windows if w[0] == index]
        rows = np.flatnonzero(season == index)
        weights = np.array(
            [(last - first + 1) * calendar.growth[first] for _, first, last in own]
        )
        first_window[rows] = rng.choice(
            len(own), size=rows.size, p=weights / weights.sum()
        )
    seasons_active = rng.geometric(1.0 - SEASONAL_COMEBACK_PROBABILITY, count)

    parts = []
    for index, (_, _, category_name, _) in enumerate(SEASONS):
        own = [w for w in windows if w[0] == index]
        for rank, (_, first, last) in enumerate(own):
            active = (
                (season == index)
                & (first_window <= rank)
                & (rank < first_window + seasons_active)
            )
            rows = np.flatnonzero(active)
            order_counts = (
                1 + (rng.random(rows.size) < 0.35) + (rng.random(rows.size) < 0.1)
            )
            owner, _ = _expand(order_counts)
            day = rng.integers(first, last + 1, owner.size)
            created = day * SECONDS_PER_DAY + _time_of_day(rng, owner.size)
            parts.append(
                _Orders.new(
                    buyers[rows][owner],
                    created,
                    main_category=CATEGORY_INDEX[category_name],
                    pullable=False,
                )
            )
    return _Orders.concat(parts)


def _hunter_orders(
    rng: np.random.Generator, calendar: _Calendar, buyers: np.ndarray
) -> _Orders:
    """Orders of promotion hunters: won at a promotion, they come back for later
    promotions (not all of them) until their interest runs out."""
    count = buyers.size
    events = _promotion_events(calendar)
    sizes = np.array([e.size * calendar.growth[e.first_day] for e in events])
    first_event = rng.choice(len(events), size=count, p=sizes / sizes.sum())
    first_day = np.array([e.first_day for e in events])[first_event]
    interest_ends = first_day + rng.exponential(HUNTER_MEAN_LIFETIME_DAYS, count)

    parts = []
    for index, event in enumerate(events):
        joins = first_event == index
        returns = (
            (first_event < index)
            & (event.first_day <= interest_ends)
            & (rng.random(count) < event.participation)
        )
        rows = np.flatnonzero(joins | returns)
        on_peak = rng.random(rows.size) < event.peak_share
        last_ordinary = event.last_day - (event.peak_share > 0)
        ordinary_day = rng.integers(
            event.first_day, max(last_ordinary, event.first_day) + 1, rows.size
        )
        day = np.where(on_peak, event.last_day, ordinary_day)
        created = day * SECONDS_PER_DAY + _time_of_day(rng, rows.size, on_peak)
        parts.append(_Orders.new(buyers[rows], created, pullable=False))
    return _Orders.concat(parts)


def _pull_into_promotions(
    rng: np.random.Generator, calendar: _Calendar, orders: _Orders
) -> None:
    """Move a share of ordinary orders before a promotion onto its peak day."""
    day = orders.created // SECONDS_PER_DAY
    target = calendar.pull_target[day]
    moved = np.flatnonzero(
        orders.pullable
        & (target >= 0)
        & (rng.random(orders.count) < calendar.pull_share[day])
    )
    orders.created[moved] = target[moved] * SECONDS_PER_DAY + _time_of_day(
        rng, moved.size, calendar.peak[target[moved]]
    )


def _add_on_orders(rng: np.random.Generator, orders: _Orders) -> _Orders:
    """A second order the same day (forgot something): exercises same-day merging."""
    base = np.flatnonzero(rng.random(orders.count) < ADD_ON_ORDER_SHARE)
    created = orders.created[base] + rng.integers(120, 4 * 3600, base.size)
    same_day = created // SECONDS_PER_DAY == orders.created[base] // SECONDS_PER_DAY
    return _Orders.new(
        orders.customer[base][same_day], created[same_day], pullable=False
    )


def _registration_times(
    rng: np.random.Generator, calendar: _Calendar, orders: _Orders, customers: int
) -> np.ndarray:
    """Registration second of each customer: shortly or some weeks before the first
    order for buyers, any day of the history for prospects."""
    first_order = np.full(customers, np.iinfo(np.int64).max)
    np.minimum.at(first_order, orders.customer, orders.created)
    is_buyer = first_order < np.iinfo(np.int64).max
    same_session = rng.random(customers) < 0.55
    lead = np.where(
        same_session,
        rng.integers(0, 1800, customers),
        (rng.exponential(40.0, customers) * SECONDS_PER_DAY).astype(np.int64),
    )
    registered = np.where(is_buyer, first_order, 0) - lead
    early = is_buyer & (registered < 0)
    registered[early] = (first_order[early] * rng.random(int(early.sum()))).astype(
        np.int64
    )
    prospect_day = calendar.growth_days(rng, customers)
    prospect_time = prospect_day * SECONDS_PER_DAY + _time_of_day(rng, customers)
    return np.where(is_buyer, registered, prospect_time)


# --- order attributes and tables ------------------------------------------------------


def _order_tables(
    rng: np.random.Generator,
    calendar: _Calendar,
    products: _Products,
    orders: _Orders,
    customer_number: np.ndarray,
) -> tuple[pa.Table, pa.Table, np.ndarray]:
    """Orders and order items as text tables, plus each order's net paid cents
    (0 unless paid and not refunded) for member levels."""
    count = orders.count
    end = calendar.end_second
    day = orders.created // SECONDS_PER_DAY
    tag = calendar.promotion[day]
    is_presale = calendar.presale[day] & (rng.random(count) < PRESALE_SHARE)
    balance_due = np.where(
        is_presale, calendar.balance_due_day[day] * SECONDS_PER_DAY + 86_399, -1
    )
    first_order = np.full(customer_number.size, count)
    np.minimum.at(first_order, orders.customer, np.arange(count))
    is_first = np.zeros(count, dtype=bool)
    is_first[first_order[first_order < count]] = True

    line_order, line_product, quantity = _order_lines(
        rng, calendar, products, orders, is_first
    )
    unit_price = products.price_cents[line_product]
    gross = np.bincount(line_order, weights=quantity * unit_price, minlength=count)
    discount_rate = _discount_rates(rng, tag, is_presale)
    discount = np.floor(gross * discount_rate).astype(np.int64)
    paid_amount = gross.astype(np.int64) - discount

    paid_at = _payment_times(rng, orders.created, is_presale, balance_due, end)
    status, received_at = _fulfilment(
        rng, calendar, orders.created, paid_at, tag, is_presale, balance_due
    )
    status, refund = _refunds(rng, status, tag, paid_amount)
    received_at = np.where(status == COMPLETED, received_at, -1)
    channel = _channels(rng, orders.customer, customer_number.size, tag)

    order_width = max(9, len(str(count)))
    order_ids = _ids("O", np.arange(1, count + 1), order_width)
    customer_width = max(7, len(str(customer_number.size)))
    order_table = pa.table(
        {
            "order_id": order_ids,
            "customer_id": _ids("C", customer_number[orders.customer], customer_width),
            "created_at": _timestamps(calendar, orders.created),
            "paid_at": _timestamps(calendar, paid_at, paid_at >= 0),
            "status": _labels(STATUSES, status),
            "paid_amount": _money(paid_amount),
            "discount_amount": _money(discount),
            "refund_amount": _money(refund),
            "channel": _labels(CHANNELS, channel),
            "promotion_tag": _labels(PROMOTION_TAGS, tag),
            "is_presale": pa.array(is_presale).cast(pa.string()),
            "balance_due_at": _timestamps(calendar, balance_due, is_presale),
            "received_at": _timestamps(calendar, received_at, received_at >= 0),
        }
    )
    product_width = max(4, len(str(products.count)))
    item_table = pa.table(
        {
            "order_id": order_ids.take(pa.array(line_order)),
            "product_id": _ids("P", line_product + 1, product_width),
            "quantity": pa.array(quantity).cast(pa.string()),
            "unit_price": _money(unit_price),
        }
    )
    valid = np.isin(status, (PAID, SHIPPED, COMPLETED))
    net_paid = np.where(valid, paid_amount - refund, 0)
    return order_table, item_table, net_paid


def _order_lines(
    rng: np.random.Generator,
    calendar: _Calendar,
    products: _Products,
    orders: _Orders,
    is_first: np.ndarray,
) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """Order lines (order index, product, quantity): 1-4 distinct products an order.

    The first line follows the buyer's persona (own consumable, season's goods);
    the others follow the month's demand. Nothing is sold before its launch.
    """
    line_count = rng.choice([1, 2, 3, 4], size=orders.count, p=[0.56, 0.27, 0.11, 0.06])
    line_order, line_number = _expand(line_count)
    day = orders.created[line_order] // SECONDS_PER_DAY
    is_main = line_number == 0
    first_order = np.where(is_main, is_first[line_order], False)

    product = _pick_for_months(rng, products, calendar.month[day], first_order)
    main_category = np.where(is_main, orders.main_category[line_order], -1)
    by_category = np.flatnonzero(main_category >= 0)
    product[by_category] = _pick_in_categories(
        rng, products, main_category[by_category]
    )
    main_product = np.where(is_main, orders.main_product[line_order], -1)
    product = np.where(main_product >= 0, main_product, product)
    product = _launched_by(rng, products, product, day)

    quantity = rng.choice([1, 2, 3], size=line_order.size, p=[0.82, 0.13, 0.05])
    consumable_quantity = rng.choice(
        [1, 2, 3, 4, 6], size=line_order.size, p=CONSUMABLE_QUANTITY_P
    )
    quantity = np.where(
        products.consumption_days[product] > 0, consumable_quantity, quantity
    )
    main_quantity = np.where(is_main, orders.main_quantity[line_order], 0)
    quantity = np.where(main_quantity > 0, main_quantity, quantity)

    # Keep the first line of each (order, product): products are distinct per order.
    by_product = np.lexsort((line_number, product, line_order))
    repeated = (line_order[by_product][1:] == line_order[by_product][:-1]) & (
        product[by_product][1:] == product[by_product][:-1]
    )
    keep = np.ones(line_order.size, dtype=bool)
    keep[by_product[1:][repeated]] = False
    return line_order[keep], product[keep], quantity[keep]


def _discount_rates(
    rng: np.random.Generator, tag: np.ndarray, is_presale: np.ndarray
) -> np.ndarray:
    """Share of the gross taken off: coupons now and then, more at promotions."""
    count = tag.size
    draw = rng.random(count)
    ordinary = np.where(draw < 0.25, rng.uniform(0.03, 0.12, count), 0.0)
    promotion = np.where(draw < 0.85, rng.uniform(0.10, 0.30, count), 0.0)
    flash = np.where(draw < 0.9, rng.uniform(0.15, 0.40, count), 0.0)
    presale = rng.uniform(0.20, 0.35, count)
    return np.select(
        [is_presale, tag == TAG_JUHUASUAN, tag > 0],
        [presale, flash, promotion],
        ordinary,
    )


def _payment_times(
    rng: np.random.Generator,
    created: np.ndarray,
    is_presale: np.ndarray,
    balance_due: np.ndarray,
    end: int,
) -> np.ndarray:
    """Payment second (-1 = unpaid): mostly minutes after ordering, some hours, ~5%
    never; presale orders pay their balance on the due day, most in the first hour."""
    count = created.size
    kind = rng.choice(4, size=count, p=[0.74, 0.16, 0.05, 0.05])
    delay = np.select(
        [kind == 0, kind == 1, kind == 2],
        [
            5 + rng.exponential(100.0, count),
            300 + rng.exponential(1800.0, count),
            rng.uniform(3600.0, 23 * 3600.0, count),
        ],
        -1.0,
    )
    paid = np.where(kind == 3, -1, created + delay.astype(np.int64))
    balance_draw = rng.random(count)
    balance_day_start = balance_due - 86_399
    balance_paid = balance_day_start + np.where(
        balance_draw < 0.55,
        np.minimum(rng.exponential(900.0, count), 3599).astype(np.int64),
        rng.integers(0, 86_400, count),
    )
    paid = np.where(is_presale, np.where(balance_draw < 0.9, balance_paid, -1), paid)
    return np.where(paid > end, -1, paid)


def _fulfilment(
    rng: np.random.Generator,
    calendar: _Calendar,
    created: np.ndarray,
    paid_at: np.ndarray,
    tag: np.ndarray,
    is_presale: np.ndarray,
    balance_due: np.ndarray,
) -> tuple[np.ndarray, np.ndarray]:
    """Status and signed-for second (-1 = not received) of each order."""
    count = created.size
    end = calendar.end_second
    unpaid = paid_at < 0
    still_open = (created > end - SECONDS_PER_DAY) | (is_presale & (balance_due > end))
    unpaid_status = np.where(
        still_open, PENDING, np.where(rng.random(count) < 0.7, CLOSED, CANCELLED)
    )
    # Promotions, above all Double 11, clog the warehouse and the couriers.
    crunch = is_presale | calendar.peak[created // SECONDS_PER_DAY]
    ship_days = np.select(
        [crunch, tag > 0],
        [rng.uniform(1.0, 5.0, count), rng.uniform(0.5, 3.0, count)],
        rng.uniform(0.1, 1.5, count),
    )
    shipped_at = paid_at + (ship_days * SECONDS_PER_DAY).astype(np.int64)
    received_at = shipped_at + rng.integers(SECONDS_PER_DAY, 4 * SECONDS_PER_DAY, count)
    paid_status = np.select(
        [received_at <= end, shipped_at <= end], [COMPLETED, SHIPPED], PAID
    )
    status = np.where(unpaid, unpaid_status, paid_status)
    return status, np.where(status == COMPLETED, received_at, -1)


def _refunds(
    rng: np.random.Generator,
    status: np.ndarray,
    tag: np.ndarray,
    paid_amount: np.ndarray,
) -> tuple[np.ndarray, np.ndarray]:
    """New status and refund cents: full refunds (~4%, more after promotions) make
    the order refunded; partial ones (~2%) leave a completed order completed."""
    count = status.size
    draw = rng.random(count)
    is_paid = np.isin(status, (PAID, SHIPPED, COMPLETED))
    full = is_paid & (draw < np.where(tag > 0, 0.06, 0.035))
    partial = (status == COMPLETED) & ~full & (draw > 0.98)
    share = rng.uniform(0.1, 0.6, count)
    partial_cents = np.maximum(np.floor(paid_amount * share).astype(np.int64), 1)
    refund = np.select([full, partial], [paid_amount, partial_cents], 0)
    return np.where(full, REFUNDED, status), refund


def _channels(
    rng: np.random.Generator, customer: np.ndarray, customers: int, tag: np.ndarray
) -> np.ndarray:
    """Channel code per order: mostly the buyer's usual channel; live streams sell
    more during promotions."""
    count = customer.size
    usual = rng.choice(len(CHANNELS), size=customers, p=CHANNEL_SHARES)
    other = rng.choice(len(CHANNELS), size=count, p=CHANNEL_SHARES)
    channel = np.where(rng.random(count) < 0.7, usual[customer], other)
    live_stream = (tag > 0) & (rng.random(count) < 0.2)
    return np.where(live_stream, CHANNELS.index("live_stream"), channel)


def _product_table(calendar: _Calendar, products: _Products) -> pa.Table:
    """The catalogue as a text table, in product_id order."""
    width = max(4, len(str(products.count)))
    has_days = products.consumption_days > 0
    return pa.table(
        {
            "product_id": _ids("P", np.arange(1, products.count + 1), width),
            "product_name": pa.array(products.names, type=pa.string()),
            "category": _labels(tuple(c.name for c in CATEGORIES), products.category),
            "consumption_days": pa.array(
                products.consumption_days, mask=~has_days
            ).cast(pa.string()),
            "unit_cost": _money(products.cost_cents),
            "launch_date": _dates(calendar, products.launch_day),
        }
    )


def _customer_table(
    rng: np.random.Generator,
    calendar: _Calendar,
    registered: np.ndarray,
    customer_number: np.ndarray,
    orders: _Orders,
    net_paid: np.ndarray,
) -> pa.Table:
    """Customers as a text table, in customer_id (= registration) order."""
    customers = registered.size
    by_number = np.argsort(customer_number)
    registered = registered[by_number]
    number = customer_number[by_number]
    end = calendar.end_second

    has_birthday = rng.random(customers) < 0.3
    age_days = rng.integers(18 * DAYS_PER_YEAR, 65 * DAYS_PER_YEAR, customers)
    birthday = calendar.days - 1 - age_days

    spend = np.bincount(orders.customer, weights=net_paid, minlength=customers)
    spend = spend[by_number]
    level = np.select([spend >= 300_000, spend >= 80_000], [3, 2], 1)
    level = np.where(rng.random(customers) < 0.03, 0, level)  # never enrolled

    width = max(7, len(str(customers)))
    digits = pc.utf8_lpad(pa.array(number).cast(pa.string()), width, "0")
    has_email = rng.random(customers) < 0.92
    has_phone = rng.random(customers) < 0.95
    email = pc.binary_join_element_wise("c", digits, "@example.com", "")
    # An odd multiplier coprime with 10**8 keeps the 8 subscriber digits unique.
    subscriber = (number * 48_271_237 + int(rng.integers(0, 10**8))) % 10**8
    phone = pc.binary_join_element_wise(
        _labels(MOBILE_PREFIXES, rng.integers(0, len(MOBILE_PREFIXES), customers)),
        pc.utf8_lpad(pa.array(subscriber).cast(pa.string()), 8, "0"),
        "",
    )
    accepts_email = has_email & (rng.random(customers) < 0.8)
    accepts_sms = has_phone & (rng.random(customers) < 0.55)
    accepts_phone = has_phone & (rng.random(customers) < 0.25)
    unsubscribed = rng.random(customers) < 0.08
    unsubscribed_at = registered + ((end - registered) * rng.random(customers)).astype(
        np.int64
    )

    return pa.table(
        {
            "customer_id": pc.binary_join_element_wise("C", digits, ""),
            "registered_at": _timestamps(calendar, registered),
            "birthday": _dates(calendar, birthday, has_birthday),
            "member_level": _labels(MEMBER_LEVELS, level),
            "email": pc.if_else(
                pa.array(has_email), email, pa.scalar(None, pa.string())
            ),
            "phone": pc.if_else(
                pa.array(has_phone), phone, pa.scalar(None, pa.string())
            ),
            "accepts_email": pa.array(accepts_email).cast(pa.string()),
            "accepts_sms": pa.array(accepts_sms).cast(pa.string()),
            "accepts_phone": pa.array(accepts_phone).cast(pa.string()),
            "unsubscribed_at": _timestamps(calendar, unsubscribed_at, unsubscribed),
        }
    )


# --- text columns ---------------------------------------------------------------------


def _ids(prefix: str, numbers: np.ndarray, width: int) -> pa.Array:
    """Fixed-width keys such as O000000001."""
    digits = pc.utf8_lpad(pa.array(numbers).cast(pa.string()), width, "0")
    return pc.binary_join_element_wise(prefix, digits, "")


def _labels(labels: tuple[str | None, ...], codes: np.ndarray) -> pa.Array:
    """Text label for each code; a None label gives an empty value."""
    return pa.array(labels, type=pa.string()).take(pa.array(codes))


def _money(cents: np.ndarray) -> pa.Array:
    """Cents as decimal text with two places: 1234 -> "12.34"."""
    cents = np.ascontiguousarray(cents, dtype=np.int64)
    # Decimal128 is a little-endian 128-bit integer: the cents, then their sign.
    words = np.column_stack((cents, cents >> 63))
    decimals = pa.Array.from_buffers(
        pa.decimal128(18, 2), cents.size, [None, pa.py_buffer(words)]
    )
    return decimals.cast(pa.string())


def _timestamps(
    calendar: _Calendar, seconds: np.ndarray, valid: np.ndarray | None = None
) -> pa.Array:
    """Seconds since the history start as TIMESTAMP_FORMAT text (empty where not
    valid)."""
    mask = None if valid is None else ~np.asarray(valid)
    array = pa.array(seconds + calendar.start_epoch, type=pa.timestamp("s"), mask=mask)
    # Arrow's cast writes exactly this layout and is ten times faster than strftime.
    if TIMESTAMP_FORMAT == "%Y-%m-%d %H:%M:%S":
        return array.cast(pa.string())
    return pc.strftime(array, format=TIMESTAMP_FORMAT)


def _dates(
    calendar: _Calendar, day: np.ndarray, valid: np.ndarray | None = None
) -> pa.Array:
    """Day indexes (0 = history start) as DATE_FORMAT text."""
    mask = None if valid is None else ~np.asarray(valid)
    epoch_day = calendar.start_epoch // SECONDS_PER_DAY
    array = pa.array(day + epoch_day, type=pa.int32(), mask=mask).cast(pa.date32())
    if DATE_FORMAT == "%Y-%m-%d":
        return array.cast(pa.string())
    return pc.strftime(array, format=DATE_FORMAT)


# --- files ----------------------------------------------------------------------------


def _write_table(
    table: pa.Table, contract_table: Table, out_dir: Path, file_format: str
) -> None:
    """Write one table atomically (temp file in out_dir, then rename) and remove the
    same table in the other formats."""
    if tuple(table.column_names) != contract_table.column_names:
        raise AssertionError(f"{contract_table.name}: columns differ from the contract")
    path = out_dir / f"{contract_table.name}.{file_format}"
    temporary = out_dir / f".{path.name}.{os.getpid()}.tmp"
    try:
        if file_format == "parquet":
            pq.write_table(table, temporary, compression="zstd")
        else:
            with open(temporary, "wb") as sink:
                sink.write((",".join(table.column_names) + "\n").encode())
                pa_csv.write_csv(
                    table,
                    sink,
                    pa_csv.WriteOptions(include_header=False, quoting_style="none"),
                )
        os.replace(temporary, path)
    finally:
        temporary.unlink(missing_ok=True)
    for other in FILE_FORMATS:
        if other != file_format:
            (out_dir / f"{contract_table.name}.{other}").unlink(missing_ok=True)
