{% macro spark__load_csv_rows(model, agate_table) -%}
    {#- Overrides dbt-spark's: its session method pastes bound seed values
        between quotes without escaping them, so a value with an apostrophe
        ("the shop's") breaks the insert. Here every value is an escaped Spark
        SQL literal, which reads the same through every connection method. -#}
    {%- set column_override = model['config'].get('column_types', {}) -%}
    {%- set types = [] -%}
    {%- for col_name in agate_table.column_names -%}
        {%- set inferred_type = adapter.convert_type(agate_table, loop.index0) -%}
        {%- do types.append(column_override.get(col_name, inferred_type)) -%}
    {%- endfor -%}
    {%- set statements = [] -%}
    {%- for chunk in agate_table.rows | batch(get_batch_size()) -%}
        {%- set sql -%}
            insert into {{ this.render() }} values
            {% for row in chunk -%}
                ({%- for value in row -%}
                    {%- if value is none -%}
                        cast(null as {{ types[loop.index0] }})
                    {%- else -%}
                        {%- set text = value | string
                            | replace('\\', '\\\\') | replace("'", "\\'") -%}
                        cast('{{ text }}' as {{ types[loop.index0] }})
                    {%- endif -%}
                    {%- if not loop.last -%}, {% endif -%}
                {%- endfor -%})
                {%- if not loop.last -%},{%- endif %}
            {% endfor -%}
        {%- endset -%}
        {%- do adapter.add_query(sql, abridge_sql_log=True) -%}
        {%- if loop.first -%}
            {%- do statements.append(sql) -%}
        {%- endif -%}
    {%- endfor -%}
    {{ return(statements[0] if statements else '') }}
{%- endmacro %}
