{% macro percentile(expression, fraction) -%}
    {{ return(adapter.dispatch('percentile', 'crm_marts')(expression, fraction)) }}
{%- endmacro %}

{% macro default__percentile(expression, fraction) -%}
    percentile_cont({{ fraction }}) within group (order by {{ expression }})
{%- endmacro %}
