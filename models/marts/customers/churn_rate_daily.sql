-- The retail churn rate as a daily series, from the first purchase date to
-- the as-of date: of the customers who had bought before day d, the share
-- whose last purchase before d is churn_days or more before d. Running sums
-- of int_churn_events_dated over a date spine, so the cost grows with
-- purchases plus days, not customers times days. The spine of days comes
-- from the data (first purchase to as-of date), however long the history.

with

events as (
    select
        event_date,
        new_customers_count,
        churn_starts_count,
        churn_ends_count
    from {{ ref('int_churn_events_dated') }}
),

purchases as (
    select purchase_date from {{ ref('int_purchases_sequenced') }}
),

as_of as (
    select as_of_date from {{ ref('int_as_of_date_resolved') }}
),

-- The first purchase on its own before the cross join: grouping the cross
-- join by as_of_date instead makes local Spark 4.3 fail to deserialise the
-- plan (ClassCastException on UnionExec.children) in the unit test.
first_purchase as (
    select min(purchase_date) as first_purchase_date from purchases
),

history_bounds as (
    select
        first_purchase.first_purchase_date,
        as_of.as_of_date
    from first_purchase
    cross join as_of
),

spine as (
    {{ date_series(
        'history_bounds.first_purchase_date',
        'history_bounds.as_of_date',
        'day',
        'history_bounds'
    ) }}
),

days as (
    select series_date as calendar_date from spine
),

daily_events as (
    select
        days.calendar_date,
        coalesce(events.new_customers_count, 0) as new_customers_count,
        coalesce(events.churn_starts_count, 0)
        - coalesce(events.churn_ends_count, 0) as churned_change_count
    from days
    left join events
        on days.calendar_date = events.event_date
),

running as (
    select
        calendar_date,
        sum(new_customers_count) over (
            order by calendar_date
            rows between unbounded preceding and current row
        ) as customers_with_purchase_before,
        sum(churned_change_count) over (
            order by calendar_date
            rows between unbounded preceding and current row
        ) as churned_customers
    from daily_events
),

-- Before churn_days have passed since the shop's first purchase nobody can
-- have been gone that long: the rate is 0 by construction, not measured.
final as (
    select
        running.calendar_date,
        running.customers_with_purchase_before,
        running.churned_customers,
        cast(running.churned_customers as double)
        / nullif(running.customers_with_purchase_before, 0) as churn_rate,
        {{ dbt.datediff(
            'history_bounds.first_purchase_date', 'running.calendar_date', 'day'
        ) }} >= {{ var('churn_days') }} as is_churn_measurable
    from running
    cross join history_bounds
)

select
    calendar_date,
    cast(customers_with_purchase_before as bigint)
        as customers_with_purchase_before,
    cast(churned_customers as bigint) as churned_customers,
    cast(churn_rate as double) as churn_rate,
    is_churn_measurable
from final
