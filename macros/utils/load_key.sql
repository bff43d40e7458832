{% macro load_key(loaded_at) -%}
    {#- A raw row's load (its _loaded_at) as a comparable key: a raw table
        loaded by your own pipeline may leave _loaded_at empty (one load, the
        earliest), and an empty model has loaded nothing yet. With the data
        row, it identifies a row across loads. -#}
    coalesce({{ loaded_at }}, cast('1900-01-01' as timestamp))
{%- endmacro %}
