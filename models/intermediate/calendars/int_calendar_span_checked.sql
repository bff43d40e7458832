-- One row: the span of dates the calendars must cover, from Jan 1 of the
-- year before the first order to Dec 31 of the year after the as-of date,
-- checked against the shipped calendar lookups. When a calendar the build
-- needs (the solar terms, with season_calendar_system solar_terms; the lunar
-- holidays) does not cover the span, the build stops here with a message
-- naming the data's dates, the calendar's range and the fix, before any
-- order can fall outside every season.
{% set uses_solar_terms = var('season_calendar_system') == 'solar_terms' %}
{% set text_type = api.Column.translate_type('string') %}

with

orders as (
    select created_date from {{ ref('stg_shop__orders') }}
),

as_of as (
    select as_of_date from {{ ref('int_as_of_date_resolved') }}
),

solar_term_dates as (
    select term_date from {{ ref('solar_term_dates') }}
),

holidays as (
    select
        holiday_name,
        calendar_basis
    from {{ ref('holidays') }}
),

lunar_holiday_dates as (
    select
        holiday_name,
        holiday_date
    from {{ ref('lunar_holiday_dates') }}
),

orders_to_date as (
    select min(orders.created_date) as first_order_date
    from orders
    cross join as_of
    where orders.created_date <= as_of.as_of_date
),

span_years as (
    select
        orders_to_date.first_order_date,
        as_of.as_of_date,
        cast(
            extract(
                year from coalesce(
                    orders_to_date.first_order_date, as_of.as_of_date
                )
            ) as integer
        ) - 1 as first_year,
        cast(extract(year from as_of.as_of_date) as integer) + 1 as last_year
    from as_of
    cross join orders_to_date
),

span as (
    select
        *,
        {{ date_from_parts('first_year', 1, 1) }} as span_start_date,
        {{ date_from_parts('last_year', 12, 31) }} as span_end_date
    from span_years
),

-- The last term only closes the season before it.
solar_terms_coverage as (
    select
        min(term_date) as solar_terms_first_date,
        cast({{ dbt.dateadd('day', -1, 'max(term_date)') }} as date)
            as solar_terms_last_date
    from solar_term_dates
),

lunar_holiday_years as (
    select
        holidays.holiday_name,
        min(extract(year from lunar_holiday_dates.holiday_date)) as first_year,
        max(extract(year from lunar_holiday_dates.holiday_date)) as last_year
    from holidays
    left join lunar_holiday_dates
        on holidays.holiday_name = lunar_holiday_dates.holiday_name
    where holidays.calendar_basis = 'lunar'
    group by holidays.holiday_name
),

-- The years every lunar holiday has dates for; none when one has none.
lunar_holidays_coverage as (
    select
        case when count(*) = count(first_year) then max(first_year) end
            as lunar_holidays_first_year,
        case when count(*) = count(last_year) then min(last_year) end
            as lunar_holidays_last_year,
        count(*) as lunar_holidays_count
    from lunar_holiday_years
),

coverage as (
    select
        span.*,
        solar_terms_coverage.solar_terms_first_date,
        solar_terms_coverage.solar_terms_last_date,
        cast(lunar_holidays_coverage.lunar_holidays_first_year as integer)
            as lunar_holidays_first_year,
        cast(lunar_holidays_coverage.lunar_holidays_last_year as integer)
            as lunar_holidays_last_year,
        {% if uses_solar_terms -%}
            coalesce(
                solar_terms_coverage.solar_terms_first_date
                <= span.span_start_date
                and solar_terms_coverage.solar_terms_last_date
                >= span.span_end_date,
                false
            )
        {%- else -%}
            true
        {%- endif %} as has_solar_terms,
        lunar_holidays_coverage.lunar_holidays_count = 0
        or coalesce(
            lunar_holidays_coverage.lunar_holidays_first_year
            <= span.first_year
            and lunar_holidays_coverage.lunar_holidays_last_year
            >= span.last_year,
            false
        ) as has_lunar_holidays
    from span
    cross join solar_terms_coverage
    cross join lunar_holidays_coverage
),

-- The text of the error, one piece per line of it.
messages as (
    select
        *,
        {{ dbt.cast(
            'coalesce(first_order_date, as_of_date)', text_type
        ) }} as first_date_text,
        {{ dbt.cast('as_of_date', text_type) }} as as_of_date_text,
        {{ dbt.cast('span_start_date', text_type) }} as span_start_text,
        {{ dbt.cast('span_end_date', text_type) }} as span_end_text,
        coalesce(
            {{ dbt.cast('solar_terms_first_date', text_type) }}, 'nothing'
        ) as solar_terms_first_text,
        coalesce(
            {{ dbt.cast('solar_terms_last_date', text_type) }}, 'nothing'
        ) as solar_terms_last_text,
        coalesce(
            {{ dbt.cast('lunar_holidays_first_year', text_type) }}, 'none'
        ) as lunar_holidays_first_text,
        coalesce(
            {{ dbt.cast('lunar_holidays_last_year', text_type) }}, 'none'
        ) as lunar_holidays_last_text,
        -- Script years that keep what the seeds cover and add the span.
        {{ dbt.cast(
            'least(first_year, coalesce(lunar_holidays_first_year, first_year))',
            text_type
        ) }} as script_first_year_text,
        {{ dbt.cast(
            'greatest(last_year, coalesce(lunar_holidays_last_year, last_year))',
            text_type
        ) }} as script_last_year_text
    from coverage
),

checked as (
    select
        *,
        case
            when
                as_of_date is null
                or (has_solar_terms and has_lunar_holidays)
                then true
            else {{ raise_error(dbt.concat([
                "'The calendars do not cover the data: orders from '",
                "first_date_text",
                "' to the as-of date '",
                "as_of_date_text",
                "' need calendar dates from '",
                "span_start_text",
                "' to '",
                "span_end_text",
                "'; seeds/solar_term_dates.csv covers '",
                "solar_terms_first_text",
                "' to '",
                "solar_terms_last_text",
                "' (needed with season_calendar_system solar_terms) and "
                ~ "seeds/lunar_holiday_dates.csv the years '",
                "lunar_holidays_first_text",
                "' to '",
                "lunar_holidays_last_text",
                "'. Extend them: pip install -e .[calendars], then "
                ~ "python scripts/generate_season_calendar.py --first-year '",
                "script_first_year_text",
                "' --last-year '",
                "script_last_year_text",
                "' and python scripts/generate_holiday_calendar.py with the "
                ~ "same years; or check the order dates and the as_of_date "
                ~ "var.'",
            ])) }}
        end as is_covered
    from messages
)

select
    first_order_date,
    as_of_date,
    first_year,
    last_year,
    span_start_date,
    span_end_date,
    solar_terms_first_date,
    solar_terms_last_date,
    lunar_holidays_first_year,
    lunar_holidays_last_year,
    is_covered
from checked
