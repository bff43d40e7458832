-- metricflow_time_spine has exactly one row per day from the earliest
-- registration or first purchase to the as-of date. Fails when a day is
-- missing or the spine does not reach the data's bounds.
with

spine as (
    select date_day from {{ ref('metricflow_time_spine') }}
),

customers as (
    select
        registered_at,
        first_purchase_date
    from {{ ref('customers') }}
),

as_of as (
    select as_of_date from {{ ref('int_as_of_date_resolved') }}
),

data_dates as (
    select cast(registered_at as date) as data_date from customers
    union all
    select first_purchase_date as data_date from customers
),

expected_bounds as (
    select
        min(data_dates.data_date) as first_date,
        max(as_of.as_of_date) as last_date
    from data_dates
    cross join as_of
),

expected as (
    select
        first_date,
        last_date,
        1 + {{ dbt.datediff(
            'first_date',
            'last_date',
            'day'
        ) }} as days_count
    from expected_bounds
),

actual as (
    select
        count(*) as days_count,
        min(date_day) as first_date,
        max(date_day) as last_date
    from spine
)

select
    actual.days_count,
    actual.first_date,
    actual.last_date,
    expected.first_date as expected_first_date,
    expected.last_date as expected_last_date
from actual
cross join expected
where
    expected.first_date is not null
    and (
        actual.first_date <> expected.first_date
        or actual.last_date <> expected.last_date
        or actual.days_count <> expected.days_count
    )
