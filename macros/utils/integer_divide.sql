{% macro integer_divide(numerator, denominator) -%}
    {#- Integer quotient of two integers, truncated toward zero; null when the
        denominator is null (guard zero with nullif). -#}
    {{ return(adapter.dispatch('integer_divide', 'crm_marts')(numerator, denominator)) }}
{%- endmacro %}

{% macro default__integer_divide(numerator, denominator) -%}
    (({{ numerator }}) // ({{ denominator }}))
{%- endmacro %}

{% macro spark__integer_divide(numerator, denominator) -%}
    (({{ numerator }}) div ({{ denominator }}))
{%- endmacro %}
