{% test covers_every_day(model, column_name, first_dates_from, first_dates) %}
{#- `column_name` holds exactly one row per day from the earliest of the
    `first_dates` (date expressions over `first_dates_from`) to the as-of
    date, however long the history. Fails with the actual and expected bounds
    when a day is missing, a day repeats or the series stops short. -#}
with

covered as (
    select {{ column_name }} as covered_date from {{ model }}
),

as_of as (
    select as_of_date from {{ ref('int_as_of_date_resolved') }}
),

data_dates as (
    {%- for first_date in first_dates %}
    select cast({{ first_date }} as date) as data_date
    from {{ first_dates_from }}
    {%- if not loop.last %}
    union all
    {%- endif %}
    {%- endfor %}
),

expected as (
    select
        min(data_dates.data_date) as first_date,
        max(as_of.as_of_date) as last_date
    from data_dates
    cross join as_of
),

-- A day whose next covered day is not the day after it: a gap (or, with
-- next_date equal to it, a repeat).
steps as (
    select
        covered_date,
        lead(covered_date) over (order by covered_date) as next_date
    from covered
),

actual as (
    select
        count(*) as days_count,
        count(distinct covered_date) as distinct_days_count,
        min(covered_date) as first_date,
        max(covered_date) as last_date
    from covered
),

gaps as (
    select count(*) as gaps_count
    from steps
    where
        next_date is not null
        and next_date
        <> cast({{ dbt.dateadd('day', 1, 'covered_date') }} as date)
)

select
    actual.days_count,
    actual.distinct_days_count,
    gaps.gaps_count,
    actual.first_date,
    actual.last_date,
    expected.first_date as expected_first_date,
    expected.last_date as expected_last_date
from actual
cross join expected
cross join gaps
where
    expected.first_date is not null
    and (
        actual.first_date is null
        or actual.first_date <> expected.first_date
        or actual.last_date <> expected.last_date
        or actual.distinct_days_count <> actual.days_count
        or gaps.gaps_count > 0
    )
{% endtest %}
