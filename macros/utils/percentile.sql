{% macro percentile(expression, fraction) -%}
    {{ return(adapter.dispatch('percentile', 'crm_marts')(expression, fraction)) }}
{%- endmacro %}

{% macro default__percentile(expression, fraction) -%}
    {#- Interpolated in double precision on every engine: DuckDB would keep a
        decimal input's scale and truncate the interpolation (8.006 -> 8.00),
        Spark returns a double. -#}
    percentile_cont({{ fraction }}) within group (
        order by cast({{ expression }} as double)
    )
{%- endmacro %}

{% macro spark__percentile(expression, fraction) -%}
    {#- Spark's exact percentile (percentile_cont is a rewrite of it). -#}
    percentile(cast({{ expression }} as double), {{ fraction }})
{%- endmacro %}
