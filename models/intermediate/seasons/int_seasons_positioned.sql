-- One row per season of the configured calendar (int_seasons_dated),
-- numbered in time and positioned against the as-of date:
-- seasons_ago 0 is the season containing the as-of date, 1 the one before it,
-- negative ones are still to come. is_in_seasonal_window marks the four
-- seasons the seasonal groups are judged on.
{% set includes_current_season = (
    var('season_window_includes_current_season') | string | lower == 'true'
) %}
{% set newest_window_season = 0 if includes_current_season else 1 %}

with

seasons as (
    select
        season_year,
        season_name,
        season_start_date,
        season_end_date
    from {{ ref('int_seasons_dated') }}
),

as_of as (
    select as_of_date from {{ ref('int_as_of_date_resolved') }}
),

numbered as (
    select
        *,
        row_number() over (order by season_start_date) as season_number
    from seasons
),

current_season as (
    select numbered.season_number
    from numbered
    cross join as_of
    where
        as_of.as_of_date >= numbered.season_start_date
        and as_of.as_of_date <= numbered.season_end_date
),

final as (
    select
        numbered.season_year,
        numbered.season_name,
        numbered.season_number,
        current_season.season_number - numbered.season_number as seasons_ago,
        current_season.season_number - numbered.season_number
        between {{ newest_window_season }} and {{ newest_window_season + 3 }}
            as is_in_seasonal_window,
        numbered.season_start_date,
        numbered.season_end_date
    from numbered
    cross join current_season
)

select * from final
