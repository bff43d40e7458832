-- MetricFlow's day spine: one row per day from the earliest date any metric
-- can fall on (the first registration or the first purchase, whichever is
-- earlier) to the as-of date. Derived from the data (date_series), so it
-- grows with the shop's history, however long.
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

bounds as (
    select
        data_start.first_date,
        as_of.as_of_date
    from data_start
    cross join as_of
),

spine as (
    {{ date_series('bounds.first_date', 'bounds.as_of_date', 'day', 'bounds') }}
),

final as (
    select series_date as date_day from spine
)

select date_day from final
