-- MetricFlow's day spine: one row per day from the earliest date any metric
-- can fall on (the first registration or the first purchase, whichever is
-- earlier) to the as-of date. Derived from the data, so it grows with the
-- shop's history; at most daily_series_max_days days, like churn_rate_daily
-- (a singular test fails if the history is longer).
{% set max_days = var('daily_series_max_days') | int %}

with

customers as (
    select
        registered_at,
        first_purchase_date
    from {{ ref('customers') }}
),

as_of as (
    select as_of_date from {{ ref('int_as_of_date_resolved') }}
),

day_numbers as (
    {{ dbt.generate_series(max_days) }}
),

data_start as (
    select
        min(
            case
                when first_purchase_date < cast(registered_at as date)
                    then first_purchase_date
                else cast(registered_at as date)
            end
        ) as first_date
    from customers
),

spine as (
    select
        cast(
            {{ dbt.dateadd(
                'day',
                'day_numbers.generated_number - 1',
                'data_start.first_date'
            ) }} as date
        ) as date_day
    from day_numbers
    cross join data_start
),

final as (
    select spine.date_day
    from spine
    cross join as_of
    where spine.date_day <= as_of.as_of_date
)

select date_day from final
