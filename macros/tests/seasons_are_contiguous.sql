{% test seasons_are_contiguous(model) -%}
    {#- Seasons (season_start_date, season_end_date) that do not start the
        day after the season before them ends: a gap or an overlap. -#}
    with

    ordered as (
        select
            season_start_date,
            lag(season_end_date) over (
                order by season_start_date
            ) as previous_end_date
        from {{ model }}
    )

    select
        season_start_date,
        previous_end_date
    from ordered
    where
        previous_end_date is not null
        and season_start_date
        <> cast({{ dbt.dateadd('day', 1, 'previous_end_date') }} as date)
{%- endtest %}
