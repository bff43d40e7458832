"""Tests of the sample shop generator: determinism, the contract, realism."""

from __future__ import annotations

import datetime as dt
import hashlib
from pathlib import Path

import duckdb
import pandas as pd
import pyarrow as pa
import pyarrow.csv as pa_csv
import pyarrow.parquet as pq
import pytest
from conftest import run_cli

from crm_marts.contract import TABLES, TIMESTAMP_FORMAT
from crm_marts.generate import generate_shop

CUSTOMERS = 3_000
SEED = 7
END_DATE = dt.date(2025, 12, 31)
VALID_STATUSES = ("paid", "shipped", "completed")


def read_csv_table(path: Path) -> pa.Table:
    """A generated CSV file as text columns, empty values as nulls."""
    return pa_csv.read_csv(
        path,
        convert_options=pa_csv.ConvertOptions(
            column_types={name: pa.string() for name in _header(path)},
            strings_can_be_null=True,
            null_values=[""],
        ),
    )


def _header(path: Path) -> list[str]:
    with open(path, encoding="utf-8") as file:
        return file.readline().rstrip("\n").split(",")


@pytest.fixture(scope="module")
def shop_dir(tmp_path_factory: pytest.TempPathFactory) -> Path:
    out_dir = tmp_path_factory.mktemp("shop")
    generate_shop(out_dir, customers=CUSTOMERS, seed=SEED, end_date=END_DATE)
    return out_dir


@pytest.fixture(scope="module")
def shop(shop_dir: Path) -> dict[str, pd.DataFrame]:
    return {
        table.name: read_csv_table(shop_dir / f"{table.name}.csv").to_pandas()
        for table in TABLES
    }


@pytest.fixture(scope="module")
def orders(shop: dict[str, pd.DataFrame]) -> pd.DataFrame:
    orders = shop["orders"].copy()
    for column in ("created_at", "paid_at", "received_at", "balance_due_at"):
        orders[column] = pd.to_datetime(orders[column], format=TIMESTAMP_FORMAT)
    for column in ("paid_amount", "discount_amount", "refund_amount"):
        orders[column] = orders[column].astype(float)
    return orders


@pytest.fixture(scope="module")
def purchases(orders: pd.DataFrame) -> pd.DataFrame:
    """Valid purchases: paid and neither cancelled nor fully refunded."""
    return orders[orders["paid_at"].notna() & orders["status"].isin(VALID_STATUSES)]


@pytest.mark.parametrize("file_format", ["csv", "parquet"])
def test_same_seed_gives_identical_files(tmp_path: Path, file_format: str) -> None:
    def shop_bytes(name: str, seed: int) -> dict[str, bytes]:
        generate_shop(
            tmp_path / name, customers=500, seed=seed, file_format=file_format
        )
        return {
            path.name: path.read_bytes() for path in sorted((tmp_path / name).iterdir())
        }

    first, again, other = shop_bytes("a", 1), shop_bytes("b", 1), shop_bytes("c", 2)
    assert sorted(first) == sorted(f"{t.name}.{file_format}" for t in TABLES)
    assert first == again
    assert first[f"orders.{file_format}"] != other[f"orders.{file_format}"]
    assert first[f"customers.{file_format}"] != other[f"customers.{file_format}"]


def test_returns_rows_written(tmp_path: Path) -> None:
    rows = generate_shop(tmp_path, customers=800, seed=3)
    for table in TABLES:
        written = read_csv_table(tmp_path / f"{table.name}.csv")
        assert rows[table.name] == written.num_rows > 0
    assert rows["customers"] == 800
    assert not [p for p in tmp_path.iterdir() if p.name.startswith(".")]


def test_csv_columns_follow_the_contract(shop_dir: Path) -> None:
    for table in TABLES:
        assert _header(shop_dir / f"{table.name}.csv") == list(table.column_names)
    raw = (shop_dir / "orders.csv").read_bytes()
    assert b"\r" not in raw and b'"' not in raw


def test_parquet_carries_the_csv_text(tmp_path: Path) -> None:
    generate_shop(tmp_path / "csv", customers=600, seed=5)
    generate_shop(tmp_path / "parquet", customers=600, seed=5, file_format="parquet")
    for table in TABLES:
        parquet = pq.read_table(tmp_path / "parquet" / f"{table.name}.parquet")
        csv = read_csv_table(tmp_path / "csv" / f"{table.name}.csv")
        assert parquet.column_names == list(table.column_names)
        assert all(field.type == pa.string() for field in parquet.schema)
        assert parquet.combine_chunks().equals(csv.combine_chunks())


def test_switching_format_removes_the_other_files(tmp_path: Path) -> None:
    generate_shop(tmp_path, customers=300, seed=1)
    generate_shop(tmp_path, customers=300, seed=1, file_format="parquet")
    assert sorted(p.suffix for p in tmp_path.iterdir()) == [".parquet"] * len(TABLES)


def test_rejects_unknown_format(tmp_path: Path) -> None:
    with pytest.raises(ValueError, match="file_format"):
        generate_shop(tmp_path, customers=10, seed=1, file_format="xlsx")


def test_keys_are_fixed_width_and_unique(shop: dict[str, pd.DataFrame]) -> None:
    customers, orders = shop["customers"], shop["orders"]
    assert customers["customer_id"].str.fullmatch(r"C\d{7}").all()
    assert customers["customer_id"].is_unique
    assert customers["customer_id"].is_monotonic_increasing
    assert orders["order_id"].str.fullmatch(r"O\d{9}").all()
    assert orders["order_id"].is_unique
    assert shop["products"]["product_id"].str.fullmatch(r"P\d{4}").all()
    assert 150 <= len(shop["products"]) <= 250


def test_references_resolve(shop: dict[str, pd.DataFrame]) -> None:
    items, orders = shop["order_items"], shop["orders"]
    assert items["order_id"].isin(orders["order_id"]).all()
    assert orders["order_id"].isin(items["order_id"]).all()
    assert items["product_id"].isin(shop["products"]["product_id"]).all()
    assert orders["customer_id"].isin(shop["customers"]["customer_id"]).all()
    assert not items.duplicated(["order_id", "product_id"]).any()
    assert items.groupby("order_id").size().between(1, 4).all()


def test_orders_are_in_created_order(orders: pd.DataFrame) -> None:
    key = orders[["created_at", "customer_id"]].apply(tuple, axis=1)
    assert key.is_monotonic_increasing


def test_activity_lies_within_the_history(
    shop: dict[str, pd.DataFrame], orders: pd.DataFrame
) -> None:
    start = pd.Timestamp(dt.date(2022, 12, 31))
    end = pd.Timestamp(END_DATE) + pd.Timedelta(days=1)
    assert orders["created_at"].min() >= start
    assert orders["created_at"].max().date() == END_DATE
    for column in ("created_at", "paid_at", "received_at"):
        assert (orders[column].dropna() < end).all()
    registered = pd.to_datetime(shop["customers"]["registered_at"])
    assert registered.between(start, end).all()
    first_order = orders.groupby("customer_id")["created_at"].min()
    registered_at = registered.set_axis(shop["customers"]["customer_id"])
    assert (registered_at[first_order.index] <= first_order).all()


def test_amounts_add_up(shop: dict[str, pd.DataFrame], orders: pd.DataFrame) -> None:
    items = shop["order_items"]
    line_cents = items["quantity"].astype(int) * (
        items["unit_price"].astype(float) * 100
    ).round().astype(int)
    gross = line_cents.groupby(items["order_id"]).sum()
    cents = orders.set_index("order_id")[["paid_amount", "discount_amount"]] * 100
    cents = cents.round().astype(int)
    assert (orders["paid_amount"] > 0).all()
    assert (orders["discount_amount"] >= 0).all()
    assert (gross[cents.index] == cents["paid_amount"] + cents["discount_amount"]).all()
    assert shop["orders"]["paid_amount"].str.fullmatch(r"\d+\.\d\d").all()


def test_payments_and_statuses(orders: pd.DataFrame) -> None:
    unpaid = orders["paid_at"].isna()
    assert 0.02 <= unpaid.mean() <= 0.09
    assert orders.loc[unpaid, "status"].isin(["pending", "closed", "cancelled"]).all()
    assert (orders["paid_at"].dropna() >= orders.loc[~unpaid, "created_at"]).all()
    delay = orders["paid_at"] - orders["created_at"]
    assert (delay[~unpaid & (orders["is_presale"] == "false")]).median() < pd.Timedelta(
        minutes=10
    )
    refunded = orders["status"] == "refunded"
    assert 0.02 <= refunded.mean() <= 0.07
    assert (
        orders.loc[refunded, "refund_amount"] == orders.loc[refunded, "paid_amount"]
    ).all()
    partial = (orders["refund_amount"] > 0) & ~refunded
    assert partial.any()
    assert (orders.loc[partial, "status"] == "completed").all()
    assert (
        orders.loc[partial, "refund_amount"] < orders.loc[partial, "paid_amount"]
    ).all()
    received = orders["received_at"].notna()
    assert orders.loc[received, "status"].eq("completed").all()
    assert (orders.loc[received, "received_at"] > orders.loc[received, "paid_at"]).all()


def test_promotions_and_presale(orders: pd.DataFrame) -> None:
    tags = set(orders["promotion_tag"].dropna())
    assert tags == {"618", "double11", "double12", "juhuasuan"}
    daily = orders.groupby(orders["created_at"].dt.date).size()
    for year in (2023, 2024, 2025):
        assert daily[dt.date(year, 11, 11)] >= 3 * daily.median()
    presale = orders[orders["is_presale"] == "true"]
    assert len(presale) > 0
    assert presale["balance_due_at"].notna().all()
    assert (
        presale["balance_due_at"].dt.strftime("%m-%d %H:%M:%S") == "11-11 23:59:59"
    ).all()
    assert presale["promotion_tag"].eq("double11").all()
    assert orders.loc[orders["is_presale"] == "false", "balance_due_at"].isna().all()
    promoted = orders["promotion_tag"].notna()
    discount_share = orders["discount_amount"] / (
        orders["paid_amount"] + orders["discount_amount"]
    )
    assert discount_share[promoted].mean() > 2 * discount_share[~promoted].mean()


def test_customer_lifecycle_mix(
    shop: dict[str, pd.DataFrame], purchases: pd.DataFrame
) -> None:
    customers = shop["customers"]
    per_buyer = purchases.groupby("customer_id").size()
    assert 0.3 <= (per_buyer == 1).mean() <= 0.65
    assert per_buyer.max() >= 24  # heavy repeaters: dozens of orders
    prospects = ~customers["customer_id"].isin(shop["orders"]["customer_id"])
    assert 0.05 <= prospects.mean() <= 0.15
    assert 0.04 <= customers["unsubscribed_at"].notna().mean() <= 0.12
    assert 0.2 <= customers["birthday"].notna().mean() <= 0.4
    assert set(customers["member_level"].dropna()) == {"bronze", "silver", "gold"}
    consent = customers[["accepts_email", "accepts_sms", "accepts_phone"]]
    assert consent.isin(["true", "false"]).all().all()
    shares = (consent == "true").mean()
    assert shares["accepts_email"] > shares["accepts_sms"] > shares["accepts_phone"]


def test_repurchase_intervals(purchases: pd.DataFrame) -> None:
    days = purchases.assign(day=purchases["created_at"].dt.normalize())
    days = days.drop_duplicates(["customer_id", "day"]).sort_values(
        ["customer_id", "day"]
    )
    gaps = days.groupby("customer_id")["day"].diff().dt.days.dropna()
    per_customer = gaps.groupby(days.loc[gaps.index, "customer_id"]).median()
    assert 20 <= per_customer.median() <= 150
    last = purchases.groupby("customer_id")["created_at"].max()
    recency = (pd.Timestamp(END_DATE) - last).dt.days
    assert recency.quantile(0.1) < 60 and recency.quantile(0.9) > 365


def test_products_and_consumables(
    shop: dict[str, pd.DataFrame], orders: pd.DataFrame
) -> None:
    products = shop["products"]
    assert {
        "pet_food",
        "coffee",
        "face_mask",
        "skincare",
        "t_shirt",
        "down_jacket",
        "quick_dry_wear",
        "electronics",
        "home",
    } == set(products["category"])
    consumable = products["consumption_days"].notna()
    assert set(products.loc[consumable, "category"]) == {
        "pet_food",
        "coffee",
        "face_mask",
        "skincare",
    }
    launched = pd.to_datetime(products["launch_date"])
    assert (launched > pd.Timestamp(END_DATE) - pd.Timedelta(days=365)).any()
    assert (launched < pd.Timestamp(dt.date(2022, 12, 31))).mean() > 0.7

    items = shop["order_items"].merge(products, on="product_id")
    assert items["consumption_days"].notna().mean() > 0.3
    sold = items.merge(orders[["order_id", "created_at"]], on="order_id")
    assert (sold["created_at"] >= pd.to_datetime(sold["launch_date"])).all()
    cost = products.set_index("product_id")["unit_cost"].astype(float)
    assert (items["unit_price"].astype(float) > cost[items["product_id"]].values).all()
    quantity = items["quantity"].astype(int)
    assert (quantity > 0).all() and quantity.between(1, 3).mean() > 0.9


def test_seasonal_goods_sell_in_season(
    shop: dict[str, pd.DataFrame], orders: pd.DataFrame
) -> None:
    items = shop["order_items"].merge(shop["products"], on="product_id")
    items = items.merge(orders[["order_id", "created_at"]], on="order_id")
    month = items["created_at"].dt.month
    t_shirts = items["category"] == "t_shirt"
    down_jackets = items["category"] == "down_jacket"
    assert month[t_shirts].isin([5, 6, 7, 8]).mean() > 0.6
    assert month[down_jackets].isin([11, 12, 1, 2]).mean() > 0.6


def test_history_window_follows_end_date_and_years(tmp_path: Path) -> None:
    end_date = dt.date(2024, 11, 5)  # inside the Double 11 presale
    generate_shop(tmp_path, customers=2_000, seed=11, end_date=end_date, years=1)
    orders = read_csv_table(tmp_path / "orders.csv").to_pandas()
    created = pd.to_datetime(orders["created_at"], format=TIMESTAMP_FORMAT)
    assert created.min() >= pd.Timestamp(dt.date(2023, 11, 5))
    assert created.max().date() == end_date
    open_presale = orders[(orders["is_presale"] == "true") & (created.dt.year == 2024)]
    assert len(open_presale) > 0
    assert open_presale["paid_at"].isna().all()
    assert open_presale["status"].eq("pending").all()
    assert open_presale["balance_due_at"].eq("2024-11-11 23:59:59").all()


# --- shapes of real shops -------------------------------------------------------------

# sha256 of the default sample (crm-marts generate: 20,000 customers, seed 42), as
# generated before the shape options existed: the options must not move it.
DEFAULT_SAMPLE_SHA256 = {
    "customers.csv": "c581d127a02abf24b6496f773b3c19215b562b6c3afcde41e3f648f471054502",
    "order_items.csv": (
        "5125ba2bc10630b9ea581468bc51167d4ea57de4f189f3cca38e7632bfabb197"
    ),
    "orders.csv": "fd2e2e5cfefd525d6c86c8ae5723c2f9935ece6b4531ec7e63f0f6522b7c8f87",
    "products.csv": "e19250c8631744b6faa0b647544dadc2e16fc7b0dc5a2bb12bae2d3cd316c0c8",
}


def test_default_sample_is_unchanged(tmp_path: Path) -> None:
    generate_shop(tmp_path, customers=20_000, seed=42)
    digests = {
        path.name: hashlib.sha256(path.read_bytes()).hexdigest()
        for path in sorted(tmp_path.iterdir())
    }
    assert digests == DEFAULT_SAMPLE_SHA256


def _table(path: Path) -> pd.DataFrame:
    return read_csv_table(path).to_pandas()


def test_without_costs_every_unit_cost_is_empty_and_nothing_else_moves(
    shop_dir: Path, tmp_path: Path
) -> None:
    generate_shop(
        tmp_path, customers=CUSTOMERS, seed=SEED, end_date=END_DATE, with_costs=False
    )
    products = _table(tmp_path / "products.csv")
    assert products["unit_cost"].isna().all()
    with_costs = _table(shop_dir / "products.csv")
    assert products.drop(columns="unit_cost").equals(
        with_costs.drop(columns="unit_cost")
    )
    for name in ("orders.csv", "order_items.csv", "customers.csv"):
        assert (tmp_path / name).read_bytes() == (shop_dir / name).read_bytes()


def test_without_promotions_no_tag_presale_or_spike(tmp_path: Path) -> None:
    generate_shop(
        tmp_path,
        customers=CUSTOMERS,
        seed=SEED,
        end_date=END_DATE,
        with_promotions=False,
    )
    orders = _table(tmp_path / "orders.csv")
    assert orders["promotion_tag"].isna().all()
    assert orders["is_presale"].eq("false").all()
    assert orders["balance_due_at"].isna().all()
    created = pd.to_datetime(orders["created_at"], format=TIMESTAMP_FORMAT)
    daily = created.groupby(created.dt.date).size()
    for year in (2023, 2024, 2025):
        assert daily[dt.date(year, 11, 11)] < 2 * daily.median()


def test_free_order_share_makes_that_share_free_and_leaves_the_rest(
    shop_dir: Path, tmp_path: Path
) -> None:
    generate_shop(
        tmp_path,
        customers=CUSTOMERS,
        seed=SEED,
        end_date=END_DATE,
        free_order_share=0.1,
    )
    orders = _table(tmp_path / "orders.csv")
    free = orders["paid_amount"] == "0.00"
    assert 0.08 <= free.mean() <= 0.12
    free_orders = orders[free]
    assert (free_orders["paid_at"] == free_orders["created_at"]).all()
    assert free_orders["refund_amount"].eq("0.00").all()
    assert free_orders["is_presale"].eq("false").all()
    assert free_orders["status"].isin(VALID_STATUSES).all()
    items = _table(tmp_path / "order_items.csv")
    gross = (
        (items["quantity"].astype(int) * items["unit_price"].astype(float))
        .groupby(items["order_id"])
        .sum()
    )
    discount = free_orders.set_index("order_id")["discount_amount"].astype(float)
    assert (gross[discount.index].round(2) == discount).all()
    # The same shop: the same orders and lines, only the free ones changed.
    default = _table(shop_dir / "orders.csv")
    assert orders["order_id"].equals(default["order_id"])
    assert orders[~free].equals(default[~free])
    assert (tmp_path / "order_items.csv").read_bytes() == (
        shop_dir / "order_items.csv"
    ).read_bytes()


def test_history_can_lie_in_the_1990s(tmp_path: Path) -> None:
    generate_shop(
        tmp_path, customers=1_000, seed=5, end_date=dt.date(1998, 6, 30), years=2
    )
    orders = _table(tmp_path / "orders.csv")
    created = pd.to_datetime(orders["created_at"], format=TIMESTAMP_FORMAT)
    assert created.min() >= pd.Timestamp(dt.date(1996, 6, 30))
    assert created.max().date() == dt.date(1998, 6, 30)
    assert "double11" in set(orders["promotion_tag"].dropna())
    registered = pd.to_datetime(_table(tmp_path / "customers.csv")["registered_at"])
    assert registered.between(pd.Timestamp(1996, 6, 30), pd.Timestamp(1998, 7, 1)).all()


def test_tiny_shop_has_every_table(tmp_path: Path) -> None:
    rows = generate_shop(tmp_path, customers=30, seed=3)
    assert rows["customers"] == 30
    assert rows["orders"] > 30 and rows["order_items"] >= rows["orders"]


def test_free_order_share_must_be_below_one(tmp_path: Path) -> None:
    with pytest.raises(ValueError, match="free_order_share"):
        generate_shop(tmp_path, customers=10, seed=1, free_order_share=1.0)


def test_cli_generate_shape_options(tmp_path: Path) -> None:
    out = tmp_path / "shop"
    result = run_cli(
        "generate",
        "--customers",
        "40",
        "--seed",
        "9",
        "--out",
        str(out),
        "--end-date",
        "1998-06-30",
        "--years",
        "2",
        "--no-costs",
        "--no-promotions",
        "--free-order-share",
        "0.2",
        database=tmp_path / "x.duckdb",
    )
    assert result.returncode == 0, result.stderr
    orders = _table(out / "orders.csv")
    assert orders["created_at"].str.startswith(("1996", "1997", "1998")).all()
    assert orders["promotion_tag"].isna().all()
    assert (orders["paid_amount"] == "0.00").any()
    assert _table(out / "products.csv")["unit_cost"].isna().all()
    bad = run_cli(
        "generate",
        "--free-order-share",
        "1.5",
        "--out",
        str(out),
        database=tmp_path / "x",
    )
    assert bad.returncode == 2
    assert "--free-order-share" in bad.stderr


# --- bounded memory: a shop generated in blocks of customers --------------------------

CHUNKED_CUSTOMERS = 500
CHUNK = 70  # 8 blocks: 7 of 70 customers and one of 10


def _shop_tables(shop: Path, file_format: str) -> dict[str, pd.DataFrame]:
    read = (
        (lambda path: pq.read_table(path).to_pandas())
        if file_format == "parquet"
        else _table
    )
    return {t.name: read(shop / f"{t.name}.{file_format}") for t in TABLES}


@pytest.fixture(scope="module")
def chunked_dir(tmp_path_factory: pytest.TempPathFactory) -> Path:
    out_dir = tmp_path_factory.mktemp("chunked")
    rows = generate_shop(
        out_dir,
        customers=CHUNKED_CUSTOMERS,
        seed=SEED,
        file_format="parquet",
        chunk_customers=CHUNK,
    )
    assert rows["customers"] == CHUNKED_CUSTOMERS
    return out_dir


def test_chunked_shop_appends_one_row_group_per_block(chunked_dir: Path) -> None:
    for name in ("orders", "order_items", "customers"):
        metadata = pq.ParquetFile(chunked_dir / f"{name}.parquet").metadata
        assert metadata.num_row_groups == 8, name
    customers = pq.ParquetFile(chunked_dir / "customers.parquet").metadata
    sizes = [customers.row_group(i).num_rows for i in range(8)]
    assert sizes == [70] * 7 + [10]
    assert not [p for p in chunked_dir.iterdir() if p.name.startswith(".")]


def test_chunked_shop_keys_are_unique_and_references_resolve(
    chunked_dir: Path,
) -> None:
    shop = _shop_tables(chunked_dir, "parquet")
    customers, orders, items = shop["customers"], shop["orders"], shop["order_items"]
    assert customers["customer_id"].tolist() == [
        f"C{n:07d}" for n in range(1, CHUNKED_CUSTOMERS + 1)
    ]
    assert orders["order_id"].tolist() == [
        f"O{n:09d}" for n in range(1, len(orders) + 1)
    ]
    assert items["order_id"].isin(orders["order_id"]).all()
    assert orders["order_id"].isin(items["order_id"]).all()
    assert items["product_id"].isin(shop["products"]["product_id"]).all()
    assert orders["customer_id"].isin(customers["customer_id"]).all()
    assert not items.duplicated(["order_id", "product_id"]).any()
    assert customers["phone"].dropna().is_unique
    assert customers["email"].dropna().is_unique
    # Each customer's orders are in created order, order ids in the same order.
    by_customer = orders.sort_values(["customer_id", "order_id"])
    assert (
        by_customer.groupby("customer_id")["created_at"]
        .apply(lambda created: created.is_monotonic_increasing)
        .all()
    )
    # Every customer registered before their first order, whatever the block.
    first_order = orders.groupby("customer_id")["created_at"].min()
    registered = customers.set_index("customer_id")["registered_at"]
    assert (registered[first_order.index] <= first_order).all()


def test_chunked_shop_shares_the_catalogue_of_the_one_pass_shop(
    chunked_dir: Path, tmp_path: Path
) -> None:
    generate_shop(tmp_path, customers=30, seed=SEED, file_format="parquet")
    assert (chunked_dir / "products.parquet").read_bytes() == (
        tmp_path / "products.parquet"
    ).read_bytes()


def test_same_seed_and_chunk_size_give_identical_files(
    chunked_dir: Path, tmp_path: Path
) -> None:
    def shop_bytes(name: str, chunk: int) -> dict[str, bytes]:
        out = tmp_path / name
        generate_shop(
            out,
            customers=CHUNKED_CUSTOMERS,
            seed=SEED,
            file_format="parquet",
            chunk_customers=chunk,
        )
        return {p.name: p.read_bytes() for p in sorted(out.iterdir())}

    first = {p.name: p.read_bytes() for p in sorted(chunked_dir.iterdir())}
    assert shop_bytes("again", CHUNK) == first
    other = shop_bytes("other", 100)
    assert other["orders.parquet"] != first["orders.parquet"]
    assert other["products.parquet"] == first["products.parquet"]


def test_chunked_csv_has_one_header_and_the_parquet_text(
    chunked_dir: Path, tmp_path: Path
) -> None:
    generate_shop(
        tmp_path,
        customers=CHUNKED_CUSTOMERS,
        seed=SEED,
        chunk_customers=CHUNK,
    )
    for table in TABLES:
        raw = (tmp_path / f"{table.name}.csv").read_bytes()
        header = ",".join(table.column_names).encode() + b"\n"
        assert raw.startswith(header) and raw.count(header) == 1
        csv = read_csv_table(tmp_path / f"{table.name}.csv")
        parquet = pq.read_table(chunked_dir / f"{table.name}.parquet")
        assert parquet.combine_chunks().equals(csv.combine_chunks())


def test_large_shops_are_chunked_by_default(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr("crm_marts.generate.AUTO_CHUNK_ABOVE", 400)
    monkeypatch.setattr("crm_marts.generate.AUTO_CHUNK_CUSTOMERS", CHUNK)

    def shop_bytes(name: str, customers: int, chunk: int | None) -> dict[str, bytes]:
        out = tmp_path / name
        generate_shop(out, customers=customers, seed=SEED, chunk_customers=chunk)
        return {p.name: p.read_bytes() for p in sorted(out.iterdir())}

    assert shop_bytes("auto", 500, None) == shop_bytes("blocks", 500, CHUNK)
    assert shop_bytes("small", 400, None) == shop_bytes("one_pass", 400, 0)
    assert shop_bytes("small", 400, None) != shop_bytes("small_blocks", 400, CHUNK)


def test_chunked_shop_has_the_mix_of_the_one_pass_shop(
    shop: dict[str, pd.DataFrame], tmp_path: Path
) -> None:
    generate_shop(
        tmp_path, customers=CUSTOMERS, seed=SEED, end_date=END_DATE, chunk_customers=500
    )
    chunked = _shop_tables(tmp_path, "csv")

    def mix(tables: dict[str, pd.DataFrame]) -> dict[str, float]:
        """Figures the persona mix, promotions and growth set (orders per
        customer is left out: a few heavy buyers move it by 10% at this size)."""
        orders = tables["orders"]
        created = pd.to_datetime(orders["created_at"], format=TIMESTAMP_FORMAT)
        first = created.groupby(orders["customer_id"]).min()
        per_buyer = orders.groupby("customer_id").size()
        return {
            "prospects": 1 - orders["customer_id"].nunique() / len(tables["customers"]),
            "one_order_buyers": (per_buyer == 1).mean(),
            "promotion_orders": orders["promotion_tag"].notna().mean(),
            "extra_lines_per_order": len(tables["order_items"]) / len(orders) - 1,
            # New buyers in the last year of the history over the first: growth.
            "growth": (first > pd.Timestamp(2025, 1, 1)).sum()
            / (first < pd.Timestamp(2024, 1, 1)).sum(),
        }

    one_pass, blocks = mix(shop), mix(chunked)
    assert one_pass["growth"] > 1.3
    for name, value in one_pass.items():
        assert blocks[name] == pytest.approx(value, rel=0.15), name
    created = pd.to_datetime(chunked["orders"]["created_at"], format=TIMESTAMP_FORMAT)
    daily = created.groupby(created.dt.date).size()
    for year in (2023, 2024, 2025):
        assert daily[dt.date(year, 11, 11)] >= 3 * daily.median()


def test_chunked_shop_loads_and_builds(tmp_path: Path) -> None:
    shop = tmp_path / "shop"
    generate_shop(
        shop, customers=300, seed=SEED, file_format="parquet", chunk_customers=40
    )
    orders = pq.read_metadata(shop / "orders.parquet").num_rows
    database = tmp_path / "crm.duckdb"
    result = run_cli(
        "run",
        "--data",
        str(shop),
        "--out",
        str(tmp_path / "exports"),
        database=database,
    )
    assert result.returncode == 0, result.stdout[-3000:] + result.stderr
    con = duckdb.connect(str(database), read_only=True)
    try:
        (rejected,) = con.execute("select count(*) from marts.rejected_rows").fetchone()
        (customers,) = con.execute("select count(*) from marts.customers").fetchone()
        (staged,) = con.execute(
            "select count(*) from staging.stg_shop__orders"
        ).fetchone()
    finally:
        con.close()
    assert (rejected, customers, staged) == (0, 300, orders)


def test_cli_generate_in_blocks(tmp_path: Path) -> None:
    out = tmp_path / "shop"
    args = ("generate", "--customers", "90", "--out", str(out), "--format", "parquet")
    result = run_cli(*args, "--chunk-customers", "40", database=tmp_path / "x.duckdb")
    assert result.returncode == 0, result.stderr
    assert pq.read_metadata(out / "customers.parquet").num_row_groups == 3
    bad = run_cli(*args, "--chunk-customers", "-1", database=tmp_path / "x.duckdb")
    assert bad.returncode == 2
    assert "--chunk-customers" in bad.stderr
