{% macro new_loads_only(loaded_at_column) -%}
    {#- In an incremental build, a where clause keeping the raw rows of the
        loads after the last one {{ this }} holds (crm-marts load --append
        gives each load a later _loaded_at); in a full build, nothing. -#}
    {%- if is_incremental() %}
    where {{ loaded_at_column }} > (
        select {{ load_key('max(loaded_at)') }} from {{ this }}
    )
    {%- endif %}
{%- endmacro %}
