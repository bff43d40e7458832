{% macro generate_schema_name(custom_schema_name, node) -%}
    {#- Layers land in plain schemas (staging, intermediate, marts) rather than
        dbt's default <target_schema>_<custom>, so BI tools see stable names. -#}
    {%- if custom_schema_name is none -%}
        {{ target.schema }}
    {%- else -%}
        {{ custom_schema_name | trim }}
    {%- endif -%}
{%- endmacro %}
