{% macro load_key(loaded_at) -%}
    {#- A raw row's load (its _loaded_at) as a join key: a row is its load and
        its data row, and a raw table loaded by your own pipeline may leave
        _loaded_at empty (one load). -#}
    coalesce({{ loaded_at }}, cast('1900-01-01' as timestamp))
{%- endmacro %}
