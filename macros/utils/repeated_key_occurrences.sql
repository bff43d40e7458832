{% macro repeated_key_occurrences(relation, key_columns, occurrence_column) -%}
    {#- The rows of relation (a CTE with loaded_at and source_row_number)
        whose key repeats, numbered within their key: the earliest load's row
        first, then the earliest data row. Only the repeated keys are sorted,
        not every row: join back on (load_key, source_row_number) and take a
        missing number as 1. Rows with an empty key part are left out. -#}
    {%- set keys = [] -%}
    {%- for column in key_columns -%}
        {%- do keys.append(relation ~ '.' ~ column) -%}
    {%- endfor -%}
    select
        {{ load_key(relation ~ '.loaded_at') }} as load_key,
        {{ relation }}.source_row_number,
        row_number() over (
            partition by {{ keys | join(', ') }}
            order by {{ relation }}.loaded_at, {{ relation }}.source_row_number
        ) as {{ occurrence_column }}
    from {{ relation }}
    inner join (
        select {{ key_columns | join(', ') }}
        from {{ relation }}
        where
            {%- for column in key_columns %}
            {% if not loop.first %}and {% endif %}{{ column }} is not null
            {%- endfor %}
        group by {{ key_columns | join(', ') }}
        having count(*) > 1
    ) as repeated_keys
        on
            {%- for column in key_columns %}
            {% if not loop.first %}and {% endif %}{{ relation }}.{{ column }} = repeated_keys.{{ column }}
            {%- endfor %}
{%- endmacro %}
