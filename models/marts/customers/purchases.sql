-- One row per purchase: a valid order, or all of a customer's valid orders of
-- one day when merge_same_day_orders is on (the same purchases the customers
-- mart counts). The order-level fact behind the semantic layer's net revenue
-- and purchases metrics.
with

purchases as (
    select
        purchase_id,
        customer_id,
        purchase_number,
        orders_count,
        items_count,
        net_revenue,
        days_since_previous_purchase,
        purchase_date,
        previous_purchase_date
    from {{ ref('int_purchases_sequenced') }}
),

as_of as (
    select as_of_date from {{ ref('int_as_of_date_resolved') }}
),

final as (
    select
        purchases.purchase_id,
        purchases.customer_id,
        purchases.purchase_number,
        purchases.orders_count,
        purchases.items_count,
        purchases.net_revenue,
        purchases.days_since_previous_purchase,
        purchases.purchase_number > 1 as is_repeat_purchase,
        purchases.purchase_date,
        purchases.previous_purchase_date,
        as_of.as_of_date
    from purchases
    cross join as_of
)

select
    purchase_id,
    customer_id,
    cast(purchase_number as bigint) as purchase_number,
    cast(orders_count as bigint) as orders_count,
    cast(items_count as bigint) as items_count,
    cast(net_revenue as decimal(18, 2)) as net_revenue,
    cast(days_since_previous_purchase as bigint)
        as days_since_previous_purchase,
    is_repeat_purchase,
    purchase_date,
    previous_purchase_date,
    as_of_date
from final
