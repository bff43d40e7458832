{% macro parse_text(expression, data_type) -%}
    {#- Text that does not follow the data contract's layout for data_type is
        null on every engine: DuckDB and Spark casts accept different extras
        (DuckDB reads '2024/01/05' and rounds '3.5' to an integer, Spark reads
        '2024' as a date), so the layout is checked first and the same rows
        are rejected everywhere. Decimals need no check: both engines accept
        and round the same texts. -#}
    {%- set date_layout -%}
        [0-9]{4}-[0-9]{1,2}-[0-9]{1,2}([ T]([01]?[0-9]|2[0-3]):[0-5][0-9](:[0-5][0-9]([.][0-9]{1,9})?Z?)?)?
    {%- endset -%}
    {%- set layouts = {
        'date': date_layout,
        'timestamp': date_layout,
        'integer': '[+-]?[0-9]+([.]0*)?',
        'int': '[+-]?[0-9]+([.]0*)?',
        'bigint': '[+-]?[0-9]+([.]0*)?',
    } -%}
    {%- set layout = layouts.get(data_type | lower | trim) -%}
    {%- set cast_expression = adapter.dispatch('parse_text', 'crm_marts')(expression, data_type) -%}
    {%- if layout is none -%}
        {{ return(cast_expression) }}
    {%- else -%}
        {{ return(
            'case when ' ~ matches_pattern(expression, layout)
            ~ ' then ' ~ cast_expression ~ ' end'
        ) }}
    {%- endif -%}
{%- endmacro %}

{% macro default__parse_text(expression, data_type) -%}
    try_cast({{ expression }} as {{ data_type }})
{%- endmacro %}

{% macro spark__parse_text(expression, data_type) -%}
    {#- Spark's try_cast reads '3.0' as null for integer types (DuckDB: 3), so
        integers go through decimal; both then agree on every text the layout
        check lets through. -#}
    {%- if data_type | lower | trim in ('integer', 'int', 'bigint') -%}
        try_cast(try_cast({{ expression }} as decimal(38, 0)) as {{ data_type }})
    {%- else -%}
        try_cast({{ expression }} as {{ data_type }})
    {%- endif -%}
{%- endmacro %}
