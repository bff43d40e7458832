-- One row per usable order placed on or before the as-of date, with its item
-- totals, season and whether it counts as a valid purchase as of that date.
with

orders as (
    select * from {{ ref('stg_shop__orders') }}
),

order_items as (
    select
        order_id,
        quantity,
        line_amount
    from {{ ref('stg_shop__order_items') }}
),

order_statuses as (
    select
        status,
        is_purchase_status
    from {{ ref('order_statuses') }}
),

seasons as (
    select
        season_name,
        season_year,
        season_start_date,
        season_end_date
    from {{ ref('int_seasons_dated') }}
),

as_of as (
    select as_of_date from {{ ref('int_as_of_date_resolved') }}
),

item_totals as (
    select
        order_id,
        count(*) as lines_count,
        sum(quantity) as items_count,
        sum(line_amount) as items_amount
    from order_items
    group by order_id
),

orders_as_of as (
    select
        orders.*,
        as_of.as_of_date,
        orders.paid_at is not null
        and cast(orders.paid_at as date) <= as_of.as_of_date as is_paid,
        -- The refund covers a non-zero paid amount: no purchase. A free order
        -- (paid 0, refunded 0, kept with count_free_orders_as_purchases) is
        -- not refunded.
        orders.refund_amount > 0
        and orders.refund_amount >= orders.paid_amount as is_fully_refunded
    from orders
    cross join as_of
    where orders.created_date <= as_of.as_of_date
),

-- Seasons are looked up once per distinct date, then joined on equality: a
-- range join of every order against the calendar is slow at scale. This is
-- the one season lookup; int_purchases_sequenced carries it on.
order_dates as (
    select distinct created_date from orders_as_of
),

date_seasons as (
    select
        order_dates.created_date,
        seasons.season_name,
        seasons.season_year
    from order_dates
    inner join seasons
        on
            order_dates.created_date >= seasons.season_start_date
            and order_dates.created_date <= seasons.season_end_date
),

final as (
    select
        orders_as_of.order_id,
        orders_as_of.customer_id,
        orders_as_of.status,
        orders_as_of.channel,
        orders_as_of.promotion_tag,
        date_seasons.season_name,
        date_seasons.season_year,
        coalesce(item_totals.lines_count, 0) as lines_count,
        coalesce(item_totals.items_count, 0) as items_count,
        orders_as_of.paid_amount,
        orders_as_of.discount_amount,
        orders_as_of.refund_amount,
        case
            when
                orders_as_of.is_paid
                and order_statuses.is_purchase_status
                and not orders_as_of.is_fully_refunded
                then orders_as_of.paid_amount - orders_as_of.refund_amount
            else 0
        end as net_revenue,
        orders_as_of.is_paid,
        orders_as_of.is_paid and orders_as_of.is_fully_refunded
            as is_fully_refunded,
        orders_as_of.is_paid
        and order_statuses.is_purchase_status
        and not orders_as_of.is_fully_refunded
            as is_valid_purchase,
        orders_as_of.promotion_tag is not null as is_promotion_order,
        orders_as_of.is_presale,
        orders_as_of.created_date,
        orders_as_of.as_of_date,
        orders_as_of.created_at,
        orders_as_of.paid_at,
        orders_as_of.balance_due_at,
        orders_as_of.received_at
    from orders_as_of
    inner join order_statuses
        on orders_as_of.status = order_statuses.status
    left join item_totals
        on orders_as_of.order_id = item_totals.order_id
    left join date_seasons
        on orders_as_of.created_date = date_seasons.created_date
)

select * from final
