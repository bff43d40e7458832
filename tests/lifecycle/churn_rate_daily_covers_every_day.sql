-- churn_rate_daily has exactly one row per day from the first purchase date
-- to the as-of date, however long the history: fails when a day is missing
-- or the series stops short.
with

daily as (
    select calendar_date from {{ ref('churn_rate_daily') }}
),

purchases as (
    select purchase_date from {{ ref('int_purchases_sequenced') }}
),

as_of as (
    select as_of_date from {{ ref('int_as_of_date_resolved') }}
),

expected_bounds as (
    select
        min(purchases.purchase_date) as first_date,
        max(as_of.as_of_date) as last_date
    from purchases
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
        min(calendar_date) as first_date,
        max(calendar_date) as last_date
    from daily
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
