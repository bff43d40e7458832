-- One row per inter-purchase interval and category. An interval is the days
-- from a customer's previous purchase to a purchase (every purchase but the
-- first has one). It is counted once under 'all' and once under each category
-- of the later purchase's items, so a purchase of two categories counts once
-- in each. interval_number_in_category is 1 for the customer's first interval
-- in the category (under 'all': the first-to-second purchase interval).
with

purchases as (
    select
        purchase_id,
        customer_id,
        purchase_number,
        days_since_previous_purchase as interval_days,
        purchase_date
    from {{ ref('int_purchases_sequenced') }}
    where days_since_previous_purchase is not null
),

purchase_products as (
    select
        purchase_id,
        category
    from {{ ref('int_purchase_products_aggregated') }}
),

purchase_categories as (
    select distinct
        purchase_id,
        category
    from purchase_products
),

categorized as (
    select
        purchase_id,
        customer_id,
        cast('all' as {{ dbt.type_string() }}) as category,
        purchase_number,
        interval_days,
        purchase_date
    from purchases

    union all

    select
        purchases.purchase_id,
        purchases.customer_id,
        purchase_categories.category,
        purchases.purchase_number,
        purchases.interval_days,
        purchases.purchase_date
    from purchases
    inner join purchase_categories
        on purchases.purchase_id = purchase_categories.purchase_id
),

final as (
    select
        purchase_id,
        customer_id,
        category,
        purchase_number,
        row_number() over (
            partition by customer_id, category
            order by purchase_number, purchase_id
        ) as interval_number_in_category,
        interval_days,
        purchase_date
    from categorized
)

select * from final
