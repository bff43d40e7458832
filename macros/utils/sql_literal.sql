{% macro sql_literal(value, data_type) -%}
    {#- A value from a var (text, number, boolean or none) as a typed SQL
        literal: cast(null as data_type) for none; text quoted with its
        apostrophes doubled; anything else cast from its text, so that a
        double arrives exactly as written (a bare 0.5 is a decimal on DuckDB
        and Spark) and 1e-05 works on both. -#}
    {%- if value is none -%}
        cast(null as {{ data_type }})
    {%- elif data_type == dbt.type_string() -%}
        '{{ value | string | replace("'", "''") }}'
    {%- else -%}
        cast('{{ value | string | trim | lower }}' as {{ data_type }})
    {%- endif -%}
{%- endmacro %}
