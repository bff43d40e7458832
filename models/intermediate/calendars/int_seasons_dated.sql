-- One row per season of the configured calendar (season_calendar_system,
-- hemisphere) that overlaps the calendar span (int_calendar_span_checked):
-- contiguous, each ending the day before the next starts. solar_terms: the
-- seasons start on the dates of the solar_term_dates seed; meteorological:
-- on Mar 1, Jun 1, Sep 1 and Dec 1 of every year, by rule. The southern
-- hemisphere keeps the dates and flips the names.
{% set calendar_system = var('season_calendar_system') %}
{% set hemisphere = var('hemisphere') %}
{% if calendar_system not in ['solar_terms', 'meteorological'] %}
    {{ exceptions.raise_compiler_error(
        "var season_calendar_system must be solar_terms or meteorological, not '"
        ~ calendar_system ~ "'"
    ) }}
{% endif %}
{% if hemisphere not in ['north', 'south'] %}
    {{ exceptions.raise_compiler_error(
        "var hemisphere must be north or south, not '" ~ hemisphere ~ "'"
    ) }}
{% endif %}

with

calendar_span as (
    select
        first_year,
        last_year,
        span_start_date,
        span_end_date
    from {{ ref('int_calendar_span_checked') }}
),

solar_term_dates as (
    select
        northern_season_name,
        term_date
    from {{ ref('solar_term_dates') }}
),

-- The years of the span and one either side, so that the seasons at its
-- edges have their neighbours.
years as (
    {{ date_series(
        date_from_parts('calendar_span.first_year - 1', 1, 1),
        date_from_parts('calendar_span.last_year + 1', 1, 1),
        'year',
        'calendar_span'
    ) }}
),

meteorological_months as (
    select
        'spring' as season_name,
        3 as start_month
    union all
    select
        'summer' as season_name,
        6 as start_month
    union all
    select
        'autumn' as season_name,
        9 as start_month
    union all
    select
        'winter' as season_name,
        12 as start_month
),

northern_starts as (
    select
        northern_season_name as season_name,
        term_date as season_start_date
    from solar_term_dates
    where '{{ calendar_system }}' = 'solar_terms'
    union all
    select
        meteorological_months.season_name,
        {{ date_from_parts(
            'extract(year from years.series_date)',
            'meteorological_months.start_month',
            1
        ) }} as season_start_date
    from years
    cross join meteorological_months
    where '{{ calendar_system }}' = 'meteorological'
),

bounded as (
    select
        season_name,
        season_start_date,
        cast({{ dbt.dateadd(
            'day',
            -1,
            'lead(season_start_date) over (order by season_start_date)'
        ) }} as date) as season_end_date
    from northern_starts
),

final as (
    select
        cast(extract(year from bounded.season_start_date) as integer)
            as season_year,
        case
            when '{{ hemisphere }}' = 'north' then bounded.season_name
            when bounded.season_name = 'spring' then 'autumn'
            when bounded.season_name = 'summer' then 'winter'
            when bounded.season_name = 'autumn' then 'spring'
            else 'summer'
        end as season_name,
        bounded.season_start_date,
        bounded.season_end_date
    from bounded
    cross join calendar_span
    where
        bounded.season_end_date >= calendar_span.span_start_date
        and bounded.season_start_date <= calendar_span.span_end_date
)

select
    season_year,
    season_name,
    season_start_date,
    season_end_date
from final
