{% macro spark__listagg(measure, delimiter_text, order_by_clause, limit_num) -%}
    {#- Overrides dbt-spark's listagg, which ignores order_by_clause (so the
        order would follow the shuffle). Values are sorted by the clause's
        expressions, ascending, then joined; nulls are skipped as on DuckDB.
        The clause is split on commas: use plain columns, not function calls
        with several arguments. -#}
    {%- set collected -%}
        collect_list({{ measure }})
    {%- endset -%}
    {%- if order_by_clause -%}
        {%- set clause = order_by_clause | trim -%}
        {%- if not clause.lower().startswith('order by ') -%}
            {{ exceptions.raise_compiler_error(
                "listagg: order_by_clause must start with 'order by', got: " ~ clause
            ) }}
        {%- endif -%}
        {%- set fields = [] -%}
        {%- for part in clause[9:].split(',') -%}
            {%- set key = part | trim -%}
            {%- if key.lower().endswith(' desc') -%}
                {{ exceptions.raise_compiler_error(
                    "listagg on Spark sorts ascending only, got: " ~ clause
                ) }}
            {%- endif -%}
            {%- if key.lower().endswith(' asc') -%}
                {%- set key = key[:-4] | trim -%}
            {%- endif -%}
            {%- do fields.append("'k" ~ loop.index ~ "', " ~ key) -%}
        {%- endfor -%}
        {%- set collected -%}
            transform(
                array_sort(collect_list(named_struct(
                    {{ fields | join(', ') }}, 'v', {{ measure }}
                ))),
                x -> x.v
            )
        {%- endset -%}
    {%- endif -%}
    {%- if limit_num -%}
        {%- set collected = 'slice(' ~ collected ~ ', 1, ' ~ limit_num ~ ')' -%}
    {%- endif -%}
    array_join({{ collected }}, {{ delimiter_text }})
{%- endmacro %}
