-- One row per purchase and product: the lines of the purchase's orders (all
-- of a day's orders when merge_same_day_orders is on), quantities summed per
-- product, with the product's category and consumption period.
-- The order -> purchase key repeats int_purchases_sequenced's rule; the
-- not_null test on purchase_number catches any drift between the two.
{% set purchase_key = (
    dbt.cast('created_date', api.Column.translate_type('string'))
    if var('merge_same_day_orders') else 'order_id'
) %}

with

orders as (
    select
        order_id,
        customer_id,
        {{ purchase_key }} as purchase_key
    from {{ ref('int_orders_enriched') }}
    where is_valid_purchase
),

order_items as (
    select
        order_id,
        product_id,
        quantity
    from {{ ref('stg_shop__order_items') }}
),

products as (
    select
        product_id,
        category,
        consumption_days
    from {{ ref('stg_shop__products') }}
),

purchases as (
    select
        purchase_id,
        purchase_number,
        days_since_previous_purchase,
        purchase_date
    from {{ ref('int_purchases_sequenced') }}
),

-- Grouped by the narrow key, the purchase id built once per group after.
purchase_key_products as (
    select
        orders.customer_id,
        orders.purchase_key,
        order_items.product_id,
        sum(order_items.quantity) as quantity
    from orders
    inner join order_items
        on orders.order_id = order_items.order_id
    group by
        orders.customer_id,
        orders.purchase_key,
        order_items.product_id
),

purchase_products as (
    select
        {{ dbt.concat(['customer_id', "'|'", 'purchase_key']) }} as purchase_id,
        customer_id,
        product_id,
        quantity
    from purchase_key_products
),

final as (
    select
        purchase_products.purchase_id,
        purchase_products.customer_id,
        purchase_products.product_id,
        products.category,
        purchases.purchase_number,
        purchase_products.quantity,
        products.consumption_days,
        purchases.days_since_previous_purchase,
        products.consumption_days is not null as is_consumable,
        purchases.purchase_date
    from purchase_products
    inner join products
        on purchase_products.product_id = products.product_id
    left join purchases
        on purchase_products.purchase_id = purchases.purchase_id
)

select * from final
