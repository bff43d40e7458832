{% macro date_from_parts(year, month, day) -%}
    {#- The date of integer year, month and day expressions (make_date). An
        impossible day (Feb 30) is an error on DuckDB, null on Spark: keep
        such parts out with a seed test. -#}
    {{ return(adapter.dispatch('date_from_parts', 'crm_marts')(year, month, day)) }}
{%- endmacro %}

{% macro default__date_from_parts(year, month, day) -%}
    make_date(
        cast({{ year }} as bigint),
        cast({{ month }} as bigint),
        cast({{ day }} as bigint)
    )
{%- endmacro %}

{% macro spark__date_from_parts(year, month, day) -%}
    make_date(
        cast({{ year }} as int), cast({{ month }} as int), cast({{ day }} as int)
    )
{%- endmacro %}
