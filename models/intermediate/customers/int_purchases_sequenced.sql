-- One row per purchase of a customer: a valid order, or, when
-- merge_same_day_orders is on, all of a customer's valid orders of one day.
-- Carries the purchase's place in the customer's sequence and the days since
-- the previous purchase (the inter-purchase interval).
{% set purchase_key = (
    dbt.cast('created_date', api.Column.translate_type('string'))
    if var('merge_same_day_orders') else 'order_id'
) %}

with

orders as (
    select
        customer_id,
        {{ purchase_key }} as purchase_key,
        net_revenue,
        items_count,
        season_name,
        season_year,
        created_date,
        created_at
    from {{ ref('int_orders_enriched') }}
    where is_valid_purchase
),

purchases as (
    select
        customer_id,
        purchase_key,
        {{ dbt.concat(['customer_id', "'|'", 'purchase_key']) }} as purchase_id,
        -- One date per purchase, so one season: min() just picks it.
        min(season_name) as season_name,
        min(season_year) as season_year,
        min(created_date) as purchase_date,
        count(*) as orders_count,
        sum(items_count) as items_count,
        sum(net_revenue) as net_revenue,
        min(created_at) as first_created_at
    from orders
    group by customer_id, purchase_key
),

sequenced as (
    select
        *,
        row_number() over (
            partition by customer_id
            order by purchase_date, first_created_at, purchase_id
        ) as purchase_number,
        lag(purchase_date) over (
            partition by customer_id
            order by purchase_date, first_created_at, purchase_id
        ) as previous_purchase_date
    from purchases
),

final as (
    select
        purchase_id,
        customer_id,
        purchase_number,
        season_name,
        season_year,
        orders_count,
        items_count,
        net_revenue,
        {{ dbt.datediff('previous_purchase_date', 'purchase_date', 'day') }}
            as days_since_previous_purchase,
        purchase_date,
        previous_purchase_date
    from sequenced
)

select * from final
