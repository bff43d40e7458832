{% macro as_of_date_literal() -%}
    {#- The as_of_date var as a SQL date, or null when it is not set. -#}
    {%- set value = var('as_of_date') -%}
    {%- if value is none or value | string | trim in ('', 'none', 'null') -%}
        cast(null as date)
    {%- else -%}
        cast('{{ value | string | trim }}' as date)
    {%- endif -%}
{%- endmacro %}
