{% macro safe_cast(expression, data_type) -%}
    {{ return(adapter.dispatch('safe_cast', 'crm_marts')(expression, data_type)) }}
{%- endmacro %}

{% macro default__safe_cast(expression, data_type) -%}
    try_cast({{ expression }} as {{ data_type }})
{%- endmacro %}
