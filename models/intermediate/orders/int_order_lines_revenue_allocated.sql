-- One row per order line of a valid purchase on or before the as-of date,
-- with the product's category, the order's season and the line's share of the
-- order's net revenue (paid amount after partial refunds, which the order
-- carries as a whole): allocated in proportion to the line amounts
-- (quantity x unit price), or to quantities when the lines are all free.
with

orders as (
    select
        order_id,
        customer_id,
        season_name,
        season_year,
        net_revenue,
        created_date
    from {{ ref('int_orders_enriched') }}
    where is_valid_purchase
),

order_items as (
    select
        order_item_id,
        order_id,
        product_id,
        quantity,
        line_amount
    from {{ ref('stg_shop__order_items') }}
),

products as (
    select
        product_id,
        category
    from {{ ref('stg_shop__products') }}
),

-- The order's totals by a group-by and an equality join: a window over every
-- order line costs a sort of them all. (Staging rejects lines of unknown
-- products, so the inner join below drops no line these totals count.)
order_totals as (
    select
        order_id,
        sum(line_amount) as order_line_amount,
        sum(quantity) as order_quantity
    from order_items
    group by order_id
),

lines as (
    select
        order_items.order_item_id,
        orders.order_id,
        orders.customer_id,
        order_items.product_id,
        products.category,
        orders.season_name,
        orders.season_year,
        order_items.quantity,
        order_items.line_amount,
        orders.net_revenue as order_net_revenue,
        order_totals.order_line_amount,
        order_totals.order_quantity,
        orders.created_date
    from orders
    inner join order_items
        on orders.order_id = order_items.order_id
    inner join products
        on order_items.product_id = products.product_id
    inner join order_totals
        on orders.order_id = order_totals.order_id
),

final as (
    select
        order_item_id,
        order_id,
        customer_id,
        product_id,
        category,
        season_name,
        season_year,
        quantity,
        line_amount,
        -- A decimal, not a double: sums of it are exact, so they do not
        -- depend on the order a parallel aggregation adds the lines in.
        cast(
            order_net_revenue * coalesce(
                cast(line_amount as double) / nullif(order_line_amount, 0),
                cast(quantity as double) / nullif(order_quantity, 0)
            ) as decimal(38, 9)
        ) as net_revenue,
        created_date
    from lines
)

select * from final
