-- One row per repeat customer and category ('all' or a product category):
-- how many intervals the customer has there, their median interval and their
-- first interval. The shop's repurchase cycle weights each customer once by
-- taking percentiles over these rows, not over the pooled intervals.
with

intervals as (
    select
        customer_id,
        category,
        interval_number_in_category,
        interval_days
    from {{ ref('int_purchase_intervals_categorized') }}
),

final as (
    select
        customer_id,
        category,
        count(*) as intervals_count,
        {{ percentile('interval_days', 0.5) }} as median_interval_days,
        min(
            case when interval_number_in_category = 1 then interval_days end
        ) as first_interval_days
    from intervals
    group by customer_id, category
)

select * from final
