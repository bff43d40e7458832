-- One row: the date every mart is computed as of. The as_of_date var wins;
-- without it, the latest order date in the data. Never the wall clock.
with

orders as (
    select created_date from {{ ref('stg_shop__orders') }}
),

latest_order as (
    select max(created_date) as latest_order_date from orders
),

final as (
    select
        coalesce({{ as_of_date_literal() }}, latest_order_date) as as_of_date
    from latest_order
)

select as_of_date from final
