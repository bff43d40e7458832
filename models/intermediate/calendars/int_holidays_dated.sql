-- One row per holiday of the holidays seed and year of the calendar span
-- (int_calendar_span_checked): gregorian holidays dated by rule (their month
-- and day every year), lunar ones looked up in the lunar_holiday_dates seed
-- (int_calendar_span_checked has made sure it covers the span).
with

calendar_span as (
    select
        first_year,
        last_year
    from {{ ref('int_calendar_span_checked') }}
),

holidays as (
    select
        holiday_name,
        holiday_label,
        calendar_basis,
        holiday_month,
        holiday_day
    from {{ ref('holidays') }}
),

lunar_holiday_dates as (
    select
        holiday_name,
        holiday_date
    from {{ ref('lunar_holiday_dates') }}
),

years as (
    {{ date_series(
        date_from_parts('calendar_span.first_year', 1, 1),
        date_from_parts('calendar_span.last_year', 1, 1),
        'year',
        'calendar_span'
    ) }}
),

gregorian_dates as (
    select
        {{ date_from_parts(
            'extract(year from years.series_date)',
            'holidays.holiday_month',
            'holidays.holiday_day'
        ) }} as holiday_date,
        holidays.holiday_name,
        holidays.holiday_label,
        holidays.calendar_basis
    from holidays
    cross join years
    where holidays.calendar_basis = 'gregorian'
),

lunar_dates as (
    select
        lunar_holiday_dates.holiday_date,
        holidays.holiday_name,
        holidays.holiday_label,
        holidays.calendar_basis
    from lunar_holiday_dates
    inner join holidays
        on lunar_holiday_dates.holiday_name = holidays.holiday_name
    cross join calendar_span
    where
        holidays.calendar_basis = 'lunar'
        and extract(year from lunar_holiday_dates.holiday_date)
        between calendar_span.first_year and calendar_span.last_year
),

final as (
    select * from gregorian_dates
    union all
    select * from lunar_dates
)

select
    holiday_date,
    holiday_name,
    holiday_label,
    calendar_basis
from final
