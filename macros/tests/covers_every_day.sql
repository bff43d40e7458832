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
        1 + {{ dbt.datediff('first_date', 'last_date', 'day') }} as days_count
    from expected_bounds
),

actual as (
    select
        count(*) as days_count,
        count(distinct covered_date) as distinct_days_count,
        min(covered_date) as first_date,
        max(covered_date) as last_date
    from covered
)

select
    actual.days_count,
    actual.distinct_days_count,
    actual.first_date,
    actual.last_date,
    expected.days_count as expected_days_count,
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
        or actual.distinct_days_count <> actual.days_count
    )
{% endtest %}
