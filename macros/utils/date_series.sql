{% macro date_series(
    start_date, end_date, datepart='day', from_relation=none, columns=[]
) -%}
    {#- A select statement with one row per date from start_date to end_date
        (both included) in steps of one datepart (day, month or year), as
        series_date (a date), for each row of from_relation with its columns.
        Start a month or year series on the first of a month: the dates are
        start_date + n datepart. No row when end_date is before start_date
        or either is null. -#}
    {%- if datepart not in ('day', 'month', 'year') -%}
        {{ exceptions.raise_compiler_error(
            "date_series: datepart must be day, month or year, not "
            ~ datepart
        ) }}
    {%- endif -%}
    {{ return(adapter.dispatch('date_series', 'crm_marts')(
        start_date, end_date, datepart, from_relation, columns
    )) }}
{%- endmacro %}

{% macro default__date_series(
    start_date, end_date, datepart, from_relation, columns
) -%}
    {#- DuckDB: generate_series over dates gives timestamps; cast back. -#}
    select
        {% for column in columns -%}
            series.{{ column }},
        {% endfor -%}
        cast(series.series_timestamp as date) as series_date
    from (
        select
            {% for column in columns -%}
                {{ column }},
            {% endfor -%}
            unnest(generate_series(
                cast({{ start_date }} as date),
                cast({{ end_date }} as date),
                interval 1 {{ datepart }}
            )) as series_timestamp
        {% if from_relation is not none -%}
            from {{ from_relation }}
        {%- endif %}
    ) as series
{%- endmacro %}

{% macro spark__date_series(
    start_date, end_date, datepart, from_relation, columns
) -%}
    {#- Spark: sequence() of dates with an interval step gives dates; it
        fails on a stop before the start, so those rows are filtered first. -#}
    select
        {% for column in columns -%}
            {{ column }},
        {% endfor -%}
        explode(sequence(
            cast({{ start_date }} as date),
            cast({{ end_date }} as date),
            interval 1 {{ datepart }}
        )) as series_date
    {% if from_relation is not none -%}
        from {{ from_relation }}
    {%- endif %}
    where cast({{ start_date }} as date) <= cast({{ end_date }} as date)
{%- endmacro %}
