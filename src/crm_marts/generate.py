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

One pass holds the whole shop in memory. A large shop is generated in blocks of
customers instead, each from its own random stream and appended to the files, so
memory follows the block size (see ``_write_in_blocks``).
"""

from __future__ import annotations

import datetime as dt
import os
from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, replace
from functools import cache, partial
from pathlib import Path
from typing import BinaryIO

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
    "one_time": 0.20,
    "occasional": 0.26,
    "consumable": 0.22,
    "heavy": 0.05,
    "seasonal": 0.08,
    "promotion_hunter": 0.09,
}
PERSONAS = tuple(PERSONA_SHARES)
# Without promotions there are no promotion hunters: they shop as occasional buyers.
NO_PROMOTION_PERSONA_SHARES = {
    **PERSONA_SHARES,
    "occasional": PERSONA_SHARES["occasional"] + PERSONA_SHARES["promotion_hunter"],
    "promotion_hunter": 0.0,
}
# Chance that a renewal buyer comes back after each order (1 - drop-out hazard).
COMEBACK_PROBABILITY = {"occasional": 0.73, "consumable": 0.9, "heavy": 0.965}
SEASONAL_COMEBACK_PROBABILITY = 0.62
HUNTER_MEAN_LIFETIME_DAYS = 420
ADD_ON_ORDER_SHARE = 0.02

PROMOTION_TAGS = (None, "618", "double11", "double12", "juhuasuan")
TAG_618, TAG_DOUBLE11, TAG_DOUBLE12, TAG_JUHUASUAN = 1, 2, 3, 4
# Juhuasuan flash days (month, day), each year.
JUHUASUAN_DAYS = ((3, 9), (7, 9), (9, 9))
PRESALE_SHARE = 0.5
# Free orders are drawn from their own random stream (seed, FREE_ORDER_STREAM), so a
# shop with free orders is the same shop as without, some of its orders made free.
FREE_ORDER_STREAM = 1
# A shop generated in blocks: block b (from 1) draws its customers from the stream
# (seed, CUSTOMER_BLOCK_STREAM, b) and its free orders from (seed, FREE_ORDER_STREAM,
# b). Block numbers start at 1: numpy seeds (7, 1, 0) and (7, 1) give one stream.
CUSTOMER_BLOCK_STREAM = 2
# One pass holds the whole shop in memory, about 1.6 GB per million customers (a
# 3M-customer shop peaks at 4.8 GB). Above AUTO_CHUNK_ABOVE customers (8 GB in one
# pass) the shop is generated in blocks of AUTO_CHUNK_CUSTOMERS by default.
AUTO_CHUNK_ABOVE = 5_000_000
AUTO_CHUNK_CUSTOMERS = 1_000_000

MAX_LINES = 4
LINE_COUNT_P = [0.56, 0.27, 0.11, 0.06]
CONSUMABLE_QUANTITIES = [1, 2, 3, 4, 6]
CONSUMABLE_QUANTITY_P = [0.45, 0.3, 0.15, 0.06, 0.04]

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

# Text columns with few distinct values: dictionary-encoded in Parquet.
FEW_VALUES = frozenset(
    ("status", "channel", "promotion_tag", "is_presale", "balance_due_at")
    + ("product_id", "quantity", "unit_price", "category", "consumption_days")
    + ("member_level", "accepts_email", "accepts_sms", "accepts_phone")
)

# Builders of a table's text columns, by column name, run on worker threads.
_Columns = dict[str, Callable[[], pa.Array]]


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
            customer.astype(np.int32),
            created.astype(np.int64),
            column(main_product, np.int32),
            column(main_category, np.int8),
            column(main_quantity, np.int8),
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
    *,
    with_costs: bool = True,
    with_promotions: bool = True,
    free_order_share: float = 0.0,
    chunk_customers: int | None = None,
    on_block: Callable[[int, int, dict[str, int]], None] | None = None,
) -> dict[str, int]:
    """Write a sample shop export into out_dir and return rows written per table.

    Writes orders, order_items, products and customers as ``<table>.<file_format>``
    (each atomically) covering ``[end_date - years, end_date]``. Files of the same
    tables in the other format are removed, so a loader never reads a stale mix.
    The same arguments give byte-identical files.

    Shapes of real shops: with_costs=False leaves every unit_cost empty (margin
    unknown); with_promotions=False gives no promotion tags, no presale and no
    promotion spikes (and no promotion hunters); free_order_share makes about that
    share of the ordinary orders free (discount = gross, paid_amount 0.00, paid
    when placed, never refunded).

    chunk_customers bounds the memory: the customers are generated in blocks of
    that many, each block appended to the files (see _write_in_blocks). 0 = one
    pass whatever the size; None = one pass up to AUTO_CHUNK_ABOVE customers,
    blocks of AUTO_CHUNK_CUSTOMERS above. on_block(block, blocks, rows written so
    far) is called after each block is written.
    """
    if file_format not in FILE_FORMATS:
        raise ValueError(f"file_format must be one of {FILE_FORMATS}: {file_format!r}")
    if customers < 1:
        raise ValueError(f"customers must be at least 1: {customers}")
    if years < 1:
        raise ValueError(f"years must be at least 1: {years}")
    if not 0.0 <= free_order_share < 1.0:
        raise ValueError(
            f"free_order_share must be at least 0 and below 1: {free_order_share}"
        )
    if chunk_customers is not None and chunk_customers < 0:
        raise ValueError(
            f"chunk_customers must be 0 (one pass) or more: {chunk_customers}"
        )
    if chunk_customers is None:
        chunk_customers = AUTO_CHUNK_CUSTOMERS if customers > AUTO_CHUNK_ABOVE else 0

    rng = np.random.default_rng(seed)
    calendar = _make_calendar(end_date, years, with_promotions)
    products = _make_products(rng, calendar)
    shop = _Shop(
        calendar=calendar,
        products=products,
        persona_shares=PERSONA_SHARES
        if with_promotions
        else NO_PROMOTION_PERSONA_SHARES,
        free_order_share=free_order_share,
    )
    out_dir = Path(out_dir)
    out_dir.mkdir(parents=True, exist_ok=True)
    product_table = (PRODUCTS, _product_columns(calendar, products, with_costs))
    with _TableFiles(out_dir, file_format) as files:
        if chunk_customers == 0:
            tables = _customer_block(
                rng, shop, customers, (seed, FREE_ORDER_STREAM), _Numbering(customers)
            )
            return files.append([*tables, product_table])
        return _write_in_blocks(
            files, shop, customers, seed, chunk_customers, rng, product_table, on_block
        )


@dataclass(frozen=True)
class _Shop:
    """What every block of customers shares: history, catalogue, persona mix."""

    calendar: _Calendar
    products: _Products
    persona_shares: dict[str, float]
    free_order_share: float


@dataclass(frozen=True)
class _Numbering:
    """How a block's customers and orders are numbered in the whole shop.

    Numbers count from 1 after the offset (the customers, orders of the blocks
    before). order_width None = as wide as this block's orders need (at least 9);
    phone_offset None = drawn from the block's own stream (one pass).
    """

    customers: int
    customer_offset: int = 0
    order_offset: int = 0
    order_width: int | None = None
    phone_offset: int | None = None

    @property
    def customer_width(self) -> int:
        return max(7, len(str(self.customers)))


def _customer_block(
    rng: np.random.Generator,
    shop: _Shop,
    customers: int,
    free_stream: tuple[int, ...],
    numbering: _Numbering,
) -> list[tuple[Table, _Columns]]:
    """Orders, order items and customers of a block of customers (the whole shop in
    one pass): customers numbered by registration, orders by creation."""
    calendar, products = shop.calendar, shop.products
    shares = list(shop.persona_shares.values())
    persona = rng.choice(len(PERSONAS), size=customers, p=shares)
    orders = _make_orders(rng, calendar, products, persona)
    registered = _registration_times(rng, calendar, orders, customers)
    customer_number = np.empty(customers, dtype=np.int64)
    customer_number[np.argsort(registered, kind="stable")] = np.arange(
        numbering.customer_offset + 1, numbering.customer_offset + customers + 1
    )
    orders = orders.take(_chronological(orders, customer_number, calendar))

    free = _free_orders(free_stream, orders.count, shop.free_order_share)
    order_columns, item_columns, net_paid = _order_columns(
        rng, calendar, products, orders, customer_number, free, numbering
    )
    customer_columns = _customer_columns(
        rng, calendar, registered, customer_number, orders, net_paid, numbering
    )
    return [
        (ORDERS, order_columns),
        (ORDER_ITEMS, item_columns),
        (CUSTOMERS, customer_columns),
    ]


def _write_in_blocks(
    files: _TableFiles,
    shop: _Shop,
    customers: int,
    seed: int,
    chunk_customers: int,
    rng: np.random.Generator,
    product_table: tuple[Table, _Columns],
    on_block: Callable[[int, int, dict[str, int]], None] | None = None,
) -> dict[str, int]:
    """Generate the customers in blocks of chunk_customers and append each block to
    the files, so memory follows the block size, not the shop size.

    Block b (from 1) draws from its own streams (seed, CUSTOMER_BLOCK_STREAM, b) and
    (seed, FREE_ORDER_STREAM, b); the catalogue, the calendar, the growth curve and
    the persona mix are the shop's, so the blocks are alike and together follow the
    shop's curves. Customer and order numbers run on across blocks; within a block
    customers are numbered by registration and orders by creation, so the files
    are in that order block by block, not across the whole shop.
    """
    numbering = _Numbering(
        customers,
        # Room for ten orders a customer (a shop averages about 3.4).
        order_width=max(9, len(str(10 * customers))),
        # One offset for the whole shop keeps phone numbers unique across blocks.
        phone_offset=int(rng.integers(0, 10**8)),
    )
    rows: dict[str, int] = {}
    blocks = -(-customers // chunk_customers)
    for block, first in enumerate(range(0, customers, chunk_customers), start=1):
        # No name holds a block's tables: they are freed before the next block.
        rows = files.append(
            _customer_block(
                np.random.default_rng((seed, CUSTOMER_BLOCK_STREAM, block)),
                shop,
                min(chunk_customers, customers - first),
                (seed, FREE_ORDER_STREAM, block),
                replace(
                    numbering,
                    customer_offset=first,
                    order_offset=rows.get(ORDERS.name, 0),
                ),
            )
            + ([product_table] if block == 1 else [])
        )
        if on_block is not None:
            on_block(block, blocks, rows)
    return rows


def _chronological(
    orders: _Orders, customer_number: np.ndarray, calendar: _Calendar
) -> np.ndarray:
    """Order positions sorted by created_at, then customer (stable on ties)."""
    numbers = customer_number[orders.customer]
    span = int(customer_number.max()) + 1
    if calendar.days * SECONDS_PER_DAY * span < np.iinfo(np.int64).max:
        # One int64 key sorts several times faster than lexsort on two.
        return np.argsort(orders.created * span + numbers, kind="stable")
    return np.lexsort((numbers, orders.created))


# --- calendar -------------------------------------------------------------------------


def _free_orders(stream: tuple[int, ...], count: int, share: float) -> np.ndarray:
    """Which orders are free (about share of them), from their own random stream."""
    if share <= 0:
        return np.zeros(count, dtype=bool)
    return np.random.default_rng(stream).random(count) < share


def _make_calendar(
    end_date: dt.date, years: int, with_promotions: bool = True
) -> _Calendar:
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
        if with_promotions:
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
        pull(flash - 4 * day, flash - day, flash, 0.1)

    june_18, nov_11, dec_12 = (
        dt.date(year, m, d) for m, d in ((6, 18), (11, 11), (12, 12))
    )
    mark(dt.date(year, 6, 1), june_18, TAG_618)
    pull(dt.date(year, 5, 16), june_18 - day, june_18, 0.12)

    presale_start = dt.date(year, 10, 21)
    mark(presale_start, nov_11, TAG_DOUBLE11)
    calendar.presale[_day_span(calendar, presale_start, nov_11 - day)] = True
    calendar.balance_due_day[_day_span(calendar, presale_start, nov_11 - day)] = (
        calendar.day(nov_11)
    )
    pull(dt.date(year, 10, 10), nov_11 - day, nov_11, 0.35)

    mark(dec_12, dec_12, TAG_DOUBLE12)
    pull(dt.date(year, 11, 25), dec_12 - day, dec_12, 0.08)

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
        specs = [(flash, flash, 1.0, 0.5, 0.1) for flash in flash_days]
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
    popularity_rank = rng.permutation(count) + 1.0
    popularity = popularity_rank**-0.3 * rng.lognormal(0.0, 0.6, count)
    popularity *= np.where(is_new, 2.5, 1.0)
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


def _draw(
    rng: np.random.Generator, weights: np.ndarray, group: np.ndarray
) -> np.ndarray:
    """For each row, an index drawn with probability proportional to
    weights[group[row]]: one exact integer search over all groups at once."""
    groups, size = weights.shape
    cumulative = np.cumsum(weights, axis=1)
    scaled = np.floor(cumulative / cumulative[:, -1:] * 2.0**32).astype(np.int64)
    scaled[:, -1] = 2**32
    bounds = (scaled + (np.arange(groups, dtype=np.int64) << 32)[:, None]).ravel()
    keys = (group.astype(np.int64) << 32) + rng.integers(0, 2**32, group.size)
    return np.searchsorted(bounds, keys, side="right") - group * size


def _pick_in_categories(
    rng: np.random.Generator,
    products: _Products,
    category: np.ndarray,
    launched_only: bool = False,
) -> np.ndarray:
    """One product per entry of category, by popularity within the category."""
    in_category = products.category == np.arange(len(CATEGORIES))[:, None]
    weights = in_category * products.popularity
    if launched_only:
        weights = weights * (products.launch_day <= 0)
    return _draw(rng, weights, category)


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
    demand = np.array([c.demand for c in CATEGORIES])[:, None]
    category_weights = (month_weights * demand)[products.category].T  # (12, products)
    in_category = np.bincount(products.category, weights=products.popularity)
    share_in_category = products.popularity / in_category[products.category]
    repeat_boost = np.where(products.is_profit, 1.5, 1.0)
    first_boost = np.where(products.is_traffic, 3.0, 1.0)
    weights = np.stack(
        [category_weights * share_in_category * repeat_boost]
        + [category_weights * share_in_category * first_boost],
    ).reshape(24, products.count)  # group = first_order * 12 + month - 1
    return _draw(rng, weights, first_order * 12 + month - 1)


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
    # One uniform draw picks the hour (by weight) and the second within it.
    cumulative = np.concatenate(([0.0], np.cumsum(HOUR_WEIGHTS) / HOUR_WEIGHTS.sum()))
    draw = rng.random(count)
    hour = np.minimum(np.searchsorted(cumulative, draw, side="right") - 1, 23)
    within = (draw - cumulative[hour]) / (cumulative[hour + 1] - cumulative[hour])
    seconds = hour * 3600 + np.minimum(within * 3600, 3599).astype(np.int64)
    if peak is not None:
        rush = np.flatnonzero(peak & (rng.random(count) < MIDNIGHT_RUSH_SHARE))
        seconds[rush] = rng.integers(0, 3600, rush.size)
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
        main_quantity = rng.choice(
            CONSUMABLE_QUANTITIES, size=size, p=CONSUMABLE_QUANTITY_P
        )
        previous_quantity = np.roll(main_quantity, 1)
        usage = rng.lognormal(np.log(1.15), 0.2, size)
        gaps = products.consumption_days[own][owner] * previous_quantity * usage
        # Mostly the same product again, sometimes another of the same category.
        main_product = np.where(rng.random(size) < 0.9, own[owner], -1)
        main_category = category[owner]
    elif persona == "occasional":
        mean_gap = 70.0 * rng.lognormal(0.0, 0.45, count)
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


def _order_columns(
    rng: np.random.Generator,
    calendar: _Calendar,
    products: _Products,
    orders: _Orders,
    customer_number: np.ndarray,
    free: np.ndarray,
    numbering: _Numbering,
) -> tuple[_Columns, _Columns, np.ndarray]:
    """Text columns of orders and order items, plus each order's net paid cents
    (0 unless paid and not refunded) for member levels. Free orders (never a
    presale) cost nothing: paid when placed, nothing to refund."""
    count = orders.count
    end = calendar.end_second
    day = orders.created // SECONDS_PER_DAY
    tag = calendar.promotion[day]
    is_presale = calendar.presale[day] & (rng.random(count) < PRESALE_SHARE)
    free = free & ~is_presale
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
    discount = np.where(free, gross.astype(np.int64), discount)
    paid_amount = gross.astype(np.int64) - discount

    paid_at = _payment_times(rng, orders.created, is_presale, balance_due, end)
    paid_at = np.where(free, orders.created, paid_at)
    status, received_at = _fulfilment(
        rng, calendar, orders.created, paid_at, tag, is_presale, balance_due
    )
    refunded_status, refund = _refunds(rng, status, tag, paid_amount)
    status = np.where(free, status, refunded_status)
    refund = np.where(free, 0, refund)
    received_at = np.where(status == COMPLETED, received_at, -1)
    channel = _channels(rng, orders.customer, customer_number.size, tag)

    order_width = numbering.order_width or max(9, len(str(count)))
    order_number = np.arange(1, count + 1) + numbering.order_offset
    order_ids = _join(count, b"O", _digits(order_number, order_width))
    customer_width = numbering.customer_width
    order_columns: _Columns = {
        "order_id": partial(_text, order_ids),
        "customer_id": partial(
            _ids, "C", customer_number[orders.customer], customer_width
        ),
        "created_at": partial(_timestamps, calendar, orders.created),
        "paid_at": partial(_timestamps, calendar, paid_at, paid_at >= 0),
        "status": partial(_labels, STATUSES, status),
        "paid_amount": partial(_money, paid_amount),
        "discount_amount": partial(_money, discount),
        "refund_amount": partial(_money, refund),
        "channel": partial(_labels, CHANNELS, channel),
        "promotion_tag": partial(_labels, PROMOTION_TAGS, tag),
        "is_presale": partial(_booleans, is_presale),
        "balance_due_at": partial(_timestamps, calendar, balance_due, is_presale),
        "received_at": partial(_timestamps, calendar, received_at, received_at >= 0),
    }
    item_columns: _Columns = {
        "order_id": partial(_text_at, order_ids, line_order),
        "product_id": partial(_take, _product_ids(products), line_product),
        "quantity": partial(_integers, quantity),
        "unit_price": partial(_take, _money(products.price_cents), line_product),
    }
    net_paid = np.where(_is_paid(status), paid_amount - refund, 0)
    return order_columns, item_columns, net_paid


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
    line_count = 1 + rng.choice(MAX_LINES, size=orders.count, p=LINE_COUNT_P)
    first_line = np.cumsum(line_count) - line_count
    line_order = np.repeat(np.arange(orders.count, dtype=np.int32), line_count)
    day = np.repeat(orders.created // SECONDS_PER_DAY, line_count)
    lines = line_order.size

    product = np.full(lines, -1, dtype=np.int64)
    product[first_line] = orders.main_product
    category = np.full(lines, -1, dtype=np.int64)
    category[first_line] = orders.main_category
    by_category = np.flatnonzero((product < 0) & (category >= 0))
    product[by_category] = _pick_in_categories(rng, products, category[by_category])
    by_month = np.flatnonzero(product < 0)
    first_order = np.zeros(lines, dtype=bool)
    first_order[first_line] = is_first
    product[by_month] = _pick_for_months(
        rng, products, calendar.month[day[by_month]], first_order[by_month]
    )
    product = _launched_by(rng, products, product, day)

    quantity = rng.choice([1, 2, 3], size=lines, p=[0.82, 0.13, 0.05])
    consumable = np.flatnonzero(products.consumption_days[product] > 0)
    quantity[consumable] = rng.choice(
        CONSUMABLE_QUANTITIES, size=consumable.size, p=CONSUMABLE_QUANTITY_P
    )
    has_quantity = orders.main_quantity > 0
    quantity[first_line[has_quantity]] = orders.main_quantity[has_quantity]

    # Products are distinct within an order: drop a line repeating an earlier one.
    keep = np.ones(lines, dtype=bool)
    for back in range(1, MAX_LINES):
        repeats = (line_order[back:] == line_order[:-back]) & (
            product[back:] == product[:-back]
        )
        keep[back:] &= ~repeats
    return line_order[keep], product[keep], quantity[keep]


def _discount_rates(
    rng: np.random.Generator, tag: np.ndarray, is_presale: np.ndarray
) -> np.ndarray:
    """Share of the gross taken off: coupons now and then, more at promotions."""
    # Kinds: ordinary, promotion, juhuasuan flash sale, presale (deposit inflation).
    kind = np.select([is_presale, tag == TAG_JUHUASUAN, tag > 0], [3, 2, 1], 0)
    discounted = rng.random(tag.size) < np.array([0.25, 0.85, 0.9, 1.0])[kind]
    low = np.array([0.03, 0.10, 0.15, 0.20])[kind]
    high = np.array([0.12, 0.30, 0.40, 0.35])[kind]
    return np.where(discounted, rng.uniform(low, high), 0.0)


def _payment_times(
    rng: np.random.Generator,
    created: np.ndarray,
    is_presale: np.ndarray,
    balance_due: np.ndarray,
    end: int,
) -> np.ndarray:
    """Payment second (-1 = unpaid): mostly minutes after ordering, some hours, ~5%
    never; presale orders pay their balance on the due day, most in the first hour."""
    # Kinds of payer: within minutes, within hours, the next day at the latest, never.
    kind = rng.choice(4, size=created.size, p=[0.74, 0.16, 0.05, 0.05])
    delay = _draw_by_kind(
        kind,
        [
            lambda size: 5 + rng.exponential(100.0, size),
            lambda size: 300 + rng.exponential(1800.0, size),
            lambda size: rng.uniform(3600.0, 23 * 3600.0, size),
        ],
    )
    paid = np.where(kind == 3, -1, created + delay.astype(np.int64))

    presale = np.flatnonzero(is_presale)
    # Balance kinds: in the first hour of the due day, later that day, never.
    balance_kind = rng.choice(3, size=presale.size, p=[0.55, 0.35, 0.1])
    balance_delay = _draw_by_kind(
        balance_kind,
        [
            lambda size: np.minimum(rng.exponential(900.0, size), 3599),
            lambda size: rng.integers(0, 86_400, size),
        ],
    )
    balance_day_start = balance_due[presale] - 86_399
    paid[presale] = np.where(
        balance_kind == 2, -1, balance_day_start + balance_delay.astype(np.int64)
    )
    return np.where(paid > end, -1, paid)


def _draw_by_kind(
    kind: np.ndarray, draws: list[Callable[[int], np.ndarray]]
) -> np.ndarray:
    """draws[k](size) for the rows of kind k (0 for kinds without a draw)."""
    values = np.zeros(kind.size)
    for index, draw in enumerate(draws):
        rows = np.flatnonzero(kind == index)
        values[rows] = draw(rows.size)
    return values


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
    kind = np.select([crunch, tag > 0], [2, 1], 0)
    low, high = np.array([0.1, 0.5, 1.0])[kind], np.array([1.5, 3.0, 5.0])[kind]
    ship_days = rng.uniform(low, high)
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
    draw = rng.random(status.size)
    full = _is_paid(status) & (draw < np.where(tag > 0, 0.06, 0.035))
    partial = np.flatnonzero((status == COMPLETED) & ~full & (draw > 0.98))
    refund = np.where(full, paid_amount, 0)
    share = rng.uniform(0.1, 0.6, partial.size)
    refund[partial] = np.maximum(np.floor(paid_amount[partial] * share), 1).astype(
        np.int64
    )
    return np.where(full, REFUNDED, status), refund


def _is_paid(status: np.ndarray) -> np.ndarray:
    """Paid and still standing: paid, shipped or completed."""
    return (status >= PAID) & (status <= COMPLETED)


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


def _product_columns(
    calendar: _Calendar, products: _Products, with_costs: bool = True
) -> _Columns:
    """Text columns of the catalogue, in product_id order (unit_cost empty without
    costs)."""
    return {
        "product_id": partial(_product_ids, products),
        "product_name": partial(pa.array, products.names, type=pa.string()),
        "category": partial(
            _labels, tuple(c.name for c in CATEGORIES), products.category
        ),
        "consumption_days": partial(
            _integers, products.consumption_days, products.consumption_days > 0
        ),
        "unit_cost": partial(_money, products.cost_cents)
        if with_costs
        else partial(pa.nulls, products.count, pa.string()),
        "launch_date": partial(_dates, calendar, products.launch_day),
    }


def _customer_columns(
    rng: np.random.Generator,
    calendar: _Calendar,
    registered: np.ndarray,
    customer_number: np.ndarray,
    orders: _Orders,
    net_paid: np.ndarray,
    numbering: _Numbering,
) -> _Columns:
    """Text columns of customers, in customer_id (= registration) order.

    The member level is the shop's own scheme, by net spend alone.
    """
    customers = registered.size
    by_number = np.argsort(customer_number)
    registered = registered[by_number]
    number = customer_number[by_number]
    width = numbering.customer_width

    has_birthday = rng.random(customers) < 0.3
    age_days = rng.integers(18 * DAYS_PER_YEAR, 65 * DAYS_PER_YEAR, customers)
    birthday = calendar.days - 1 - age_days

    spend = np.bincount(orders.customer, weights=net_paid, minlength=customers)
    spend = spend[by_number]
    level = np.select([spend >= 300_000, spend >= 80_000], [3, 2], 1)
    level = np.where(rng.random(customers) < 0.03, 0, level)  # never enrolled

    has_email = rng.random(customers) < 0.92
    has_phone = rng.random(customers) < 0.95
    mobile_prefix = rng.integers(0, len(MOBILE_PREFIXES), customers)
    # A multiplier coprime with 10**8 keeps the 8 subscriber digits unique.
    phone_offset = numbering.phone_offset
    if phone_offset is None:
        phone_offset = int(rng.integers(0, 10**8))
    subscriber = (number * 48_271_237 + phone_offset) % 10**8
    accepts_email = has_email & (rng.random(customers) < 0.8)
    accepts_sms = has_phone & (rng.random(customers) < 0.55)
    accepts_phone = has_phone & (rng.random(customers) < 0.25)
    unsubscribed = rng.random(customers) < 0.08
    after_registration = (calendar.end_second - registered) * rng.random(customers)
    unsubscribed_at = registered + after_registration.astype(np.int64)

    return {
        "customer_id": partial(_ids, "C", number, width),
        "registered_at": partial(_timestamps, calendar, registered),
        "birthday": partial(_dates, calendar, birthday, has_birthday),
        "member_level": partial(_labels, MEMBER_LEVELS, level),
        "email": partial(_emails, number, width, has_email),
        "phone": partial(_phones, mobile_prefix, subscriber, has_phone),
        "accepts_email": partial(_booleans, accepts_email),
        "accepts_sms": partial(_booleans, accepts_sms),
        "accepts_phone": partial(_booleans, accepts_phone),
        "unsubscribed_at": partial(
            _timestamps, calendar, unsubscribed_at, unsubscribed
        ),
    }


# --- text columns ---------------------------------------------------------------------


# Keys, timestamps and dates have a fixed width: they are laid out as numpy byte
# strings (several times faster than Arrow's casts) and handed to Arrow as buffers.
TEXT_CHUNK_ROWS = 1 << 22
ISO_TIMESTAMP, ISO_DATE = "%Y-%m-%d %H:%M:%S", "%Y-%m-%d"


def _text(values: np.ndarray, valid: np.ndarray | None = None) -> pa.ChunkedArray:
    """Fixed-width byte strings as a text column, in chunks that keep 32-bit offsets.

    values holds one entry per valid row; rows where valid is false are empty.
    """
    width = values.dtype.itemsize
    if valid is None:
        valid = np.ones(values.size, dtype=bool)
    valid_before = np.concatenate(([0], np.cumsum(valid)))
    chunks = []
    for start in range(0, max(valid.size, 1), TEXT_CHUNK_ROWS):
        stop = min(start + TEXT_CHUNK_ROWS, valid.size)
        present = valid[start:stop]
        offsets = np.zeros(present.size + 1, dtype=np.int32)
        np.cumsum(present, dtype=np.int32, out=offsets[1:])
        offsets *= width
        data = values[valid_before[start] : valid_before[stop]]
        bitmap = None if present.all() else np.packbits(present, bitorder="little")
        buffers = [bitmap, offsets, np.ascontiguousarray(data)]
        chunks.append(
            pa.Array.from_buffers(
                pa.string(),
                present.size,
                [None if b is None else pa.py_buffer(b) for b in buffers],
            )
        )
    return pa.chunked_array(chunks, type=pa.string())


def _text_at(values: np.ndarray, index: np.ndarray) -> pa.ChunkedArray:
    """values[index] (fixed-width byte strings) as a text column."""
    return _text(values[index])


def _join(rows: int, *parts: np.ndarray | bytes) -> np.ndarray:
    """Concatenate fixed-width byte strings (arrays or constants) row by row."""
    dtypes = [
        part.dtype if isinstance(part, np.ndarray) else np.dtype(f"S{len(part)}")
        for part in parts
    ]
    joined = np.empty(rows, dtype=[(f"f{i}", d) for i, d in enumerate(dtypes)])
    for i, part in enumerate(parts):
        joined[f"f{i}"] = part
    return joined.view(f"S{joined.dtype.itemsize}")


@cache
def _number_table(width: int) -> np.ndarray:
    """Zero-padded text of 0 .. 10**width - 1."""
    numbers = np.arange(10**width)
    if width == 1:
        return (numbers + ord("0")).astype(np.uint8).view("S1")
    half = width // 2
    high, low = np.divmod(numbers, 10 ** (width - half))
    return _join(
        numbers.size, _number_table(half)[high], _number_table(width - half)[low]
    )


def _digits(numbers: np.ndarray, width: int) -> np.ndarray:
    """Zero-padded decimal text of non-negative integers, four digits at a time."""
    groups = []
    rest = np.asarray(numbers, dtype=np.int64)
    digits = width
    while width > 0:
        size = min(width, 4)
        rest, group = np.divmod(rest, 10**size)
        groups.append(_number_table(size)[group])
        width -= size
    if rest.any():
        raise OverflowError(f"a number has more than {digits} digits")
    return _join(rest.size, *reversed(groups))


@cache
def _time_table() -> np.ndarray:
    """ " HH:MM:SS" for every second of a day."""
    hour, rest = np.divmod(np.arange(SECONDS_PER_DAY), 3600)
    minute, second = np.divmod(rest, 60)
    pairs = _number_table(2)
    parts = (b" ", pairs[hour], b":", pairs[minute], b":", pairs[second])
    return _join(SECONDS_PER_DAY, *parts)


def _date_text(calendar: _Calendar, day: np.ndarray) -> np.ndarray:
    """ISO dates of day indexes (0 = history start)."""
    low, high = (int(day.min()), int(day.max())) if day.size else (0, 0)
    first = np.datetime64(calendar.start) + low
    table = np.arange(first, first + (high - low + 1)).astype("S10")
    return table[day - low]


def _ids(prefix: str, numbers: np.ndarray, width: int) -> pa.ChunkedArray:
    """Fixed-width keys such as O000000001."""
    return _text(_join(numbers.size, prefix.encode(), _digits(numbers, width)))


def _product_ids(products: _Products) -> pa.ChunkedArray:
    """Product keys such as P0001, in catalogue order."""
    width = max(4, len(str(products.count)))
    return _ids("P", np.arange(1, products.count + 1), width)


def _take(values: pa.Array | pa.ChunkedArray, index: np.ndarray) -> pa.ChunkedArray:
    """values[index] for a short list of values and many indexes."""
    if isinstance(values, pa.ChunkedArray):
        values = pa.concat_arrays(values.chunks)
    return pa.chunked_array(
        [
            values.take(pa.array(index[start : start + TEXT_CHUNK_ROWS]))
            for start in range(0, max(index.size, 1), TEXT_CHUNK_ROWS)
        ],
        type=pa.string(),
    )


def _labels(labels: tuple[str | None, ...], codes: np.ndarray) -> pa.ChunkedArray:
    """Text label for each code; a None label gives an empty value."""
    return _take(pa.array(labels, type=pa.string()), codes)


def _integers(values: np.ndarray, valid: np.ndarray | None = None) -> pa.Array:
    """Integers as text (empty where not valid)."""
    return pa.array(values, mask=_mask(valid)).cast(pa.string())


def _booleans(values: np.ndarray) -> pa.ChunkedArray:
    """Booleans as true / false."""
    return _labels(("false", "true"), values.astype(np.int8))


def _money(cents: np.ndarray) -> pa.Array:
    """Cents as decimal text with two places: 1234 -> "12.34"."""
    # Decimal128 is a little-endian 128-bit integer: the cents, then their sign.
    words = np.empty((cents.size, 2), dtype=np.int64)
    words[:, 0] = cents
    words[:, 1] = words[:, 0] >> 63
    decimals = pa.Array.from_buffers(
        pa.decimal128(18, 2), cents.size, [None, pa.py_buffer(words)]
    )
    return decimals.cast(pa.string())


def _timestamps(
    calendar: _Calendar, seconds: np.ndarray, valid: np.ndarray | None = None
) -> pa.ChunkedArray | pa.Array:
    """Seconds since the history start as TIMESTAMP_FORMAT text (empty where not
    valid)."""
    if TIMESTAMP_FORMAT != ISO_TIMESTAMP:
        epoch_seconds = seconds + calendar.start_epoch
        array = pa.array(epoch_seconds, type=pa.timestamp("s"), mask=_mask(valid))
        return pc.strftime(array, format=TIMESTAMP_FORMAT)
    if valid is not None:
        seconds = seconds[valid]
    day, second = np.divmod(seconds, SECONDS_PER_DAY)
    text = _join(seconds.size, _date_text(calendar, day), _time_table()[second])
    return _text(text, valid)


def _dates(
    calendar: _Calendar, day: np.ndarray, valid: np.ndarray | None = None
) -> pa.ChunkedArray | pa.Array:
    """Day indexes (0 = history start) as DATE_FORMAT text (empty where not valid)."""
    if DATE_FORMAT != ISO_DATE:
        epoch_day = day + calendar.start_epoch // SECONDS_PER_DAY
        array = pa.array(epoch_day, type=pa.int32(), mask=_mask(valid))
        return pc.strftime(array.cast(pa.date32()), format=DATE_FORMAT)
    return _text(_date_text(calendar, day if valid is None else day[valid]), valid)


def _emails(numbers: np.ndarray, width: int, valid: np.ndarray) -> pa.ChunkedArray:
    """Fake addresses such as c0000001@example.com (empty where not valid)."""
    numbers = numbers[valid]
    digits = _digits(numbers, width)
    return _text(_join(numbers.size, b"c", digits, b"@example.com"), valid)


def _phones(
    prefix: np.ndarray, subscriber: np.ndarray, valid: np.ndarray
) -> pa.ChunkedArray:
    """Fake mobile numbers such as 13800138000 (empty where not valid)."""
    prefixes = np.array(MOBILE_PREFIXES, dtype="S3")[prefix[valid]]
    digits = _digits(subscriber[valid], 8)
    return _text(_join(prefixes.size, prefixes, digits), valid)


def _mask(valid: np.ndarray | None) -> np.ndarray | None:
    """Arrow null mask from a validity array (None = all valid)."""
    return None if valid is None else ~np.asarray(valid)


# --- files ----------------------------------------------------------------------------


class _TableFiles:
    """The shop's files, each written under a temporary name in out_dir and appended
    to block by block (Parquet row groups, CSV rows under one header).

    On a clean exit every file is renamed into place and the same tables in the
    other format are removed; on an error the temporary files are removed.
    """

    def __init__(self, out_dir: Path, file_format: str) -> None:
        self.out_dir = out_dir
        self.file_format = file_format
        self.rows: dict[str, int] = {}
        self._writers: dict[str, pq.ParquetWriter | BinaryIO] = {}
        self._temporary: dict[str, Path] = {}
        self._pool = ThreadPoolExecutor(max_workers=min(4, os.cpu_count() or 1))

    def __enter__(self) -> _TableFiles:
        return self

    def __exit__(self, error_type: type[BaseException] | None, *_: object) -> None:
        self._pool.shutdown()
        try:
            for writer in self._writers.values():
                writer.close()
            if error_type is None:
                for name, temporary in self._temporary.items():
                    os.replace(temporary, self._path(name, self.file_format))
                    for other in FILE_FORMATS:
                        if other != self.file_format:
                            self._path(name, other).unlink(missing_ok=True)
        finally:
            for temporary in self._temporary.values():
                temporary.unlink(missing_ok=True)

    def append(self, tables: list[tuple[Table, _Columns]]) -> dict[str, int]:
        """Format every column, then append every table, on a few threads (Arrow
        releases the GIL); return rows written so far per table."""
        pending = [
            (
                contract_table,
                {name: self._pool.submit(build) for name, build in columns.items()},
            )
            for contract_table, columns in tables
        ]
        built = [
            (contract_table, pa.table({n: f.result() for n, f in futures.items()}))
            for contract_table, futures in pending
        ]
        writes = [
            self._pool.submit(self._append_table, contract_table, table)
            for contract_table, table in built
        ]
        for write in writes:
            write.result()
        for contract_table, table in built:
            name = contract_table.name
            self.rows[name] = self.rows.get(name, 0) + table.num_rows
        return dict(self.rows)

    def _path(self, name: str, file_format: str) -> Path:
        return self.out_dir / f"{name}.{file_format}"

    def _append_table(self, contract_table: Table, table: pa.Table) -> None:
        if tuple(table.column_names) != contract_table.column_names:
            raise AssertionError(
                f"{contract_table.name}: columns differ from the contract"
            )
        writer = self._writers.get(contract_table.name)
        if writer is None:
            writer = self._open(contract_table.name, table.schema)
        if isinstance(writer, pq.ParquetWriter):
            writer.write_table(table)
        else:
            pa_csv.write_csv(
                table,
                writer,
                pa_csv.WriteOptions(include_header=False, quoting_style="none"),
            )

    def _open(self, name: str, schema: pa.Schema) -> pq.ParquetWriter | BinaryIO:
        path = self._path(name, self.file_format)
        temporary = self.out_dir / f".{path.name}.{os.getpid()}.tmp"
        self._temporary[name] = temporary
        writer: pq.ParquetWriter | BinaryIO
        if self.file_format == "parquet":
            writer = pq.ParquetWriter(
                temporary,
                schema,
                compression="zstd",
                use_dictionary=[c for c in schema.names if c in FEW_VALUES],
            )
        else:
            writer = open(temporary, "wb")  # noqa: SIM115 - closed in __exit__
            writer.write((",".join(schema.names) + "\n").encode())
        self._writers[name] = writer
        return writer
