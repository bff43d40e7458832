-- One row per inter-purchase interval and category. Under 'all' an interval
-- is the days from a customer's previous purchase (of anything) to a
-- purchase. Under a category it is the days from the customer's previous
-- purchase holding that category to the next purchase holding it: a
-- category's own repurchase gap, so that a down jacket bought every winter
-- shows a yearly cycle however often the customer buys coffee in between.
-- interval_number_in_category is 1 for the customer's first interval there
-- (under 'all': the first-to-second purchase interval).
with

purchases as (
    select
        purchase_id,
        customer_id,
        purchase_number,
        days_since_previous_purchase,
        purchase_date
    from {{ ref('int_purchases_sequenced') }}
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

overall_intervals as (
    select
        purchase_id,
        customer_id,
        cast('all' as {{ dbt.type_string() }}) as category,
        purchase_number,
        days_since_previous_purchase as interval_days,
        purchase_date
    from purchases
    where days_since_previous_purchase is not null
),

category_purchases as (
    select
        purchases.purchase_id,
        purchases.customer_id,
        purchase_categories.category,
        purchases.purchase_number,
        purchases.purchase_date,
        lag(purchases.purchase_date) over (
            partition by purchases.customer_id, purchase_categories.category
            order by purchases.purchase_number
        ) as previous_category_purchase_date
    from purchases
    inner join purchase_categories
        on purchases.purchase_id = purchase_categories.purchase_id
),

category_intervals as (
    select
        purchase_id,
        customer_id,
        category,
        purchase_number,
        {{ dbt.datediff(
            'previous_category_purchase_date', 'purchase_date', 'day'
        ) }} as interval_days,
        purchase_date
    from category_purchases
    where previous_category_purchase_date is not null
),

categorized as (
    select * from overall_intervals

    union all

    select * from category_intervals
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
