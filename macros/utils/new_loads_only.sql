{% macro new_loads_only(loaded_at_column) -%}
    {#- In an incremental build, a where clause keeping the raw rows of the
        loads after the last one {{ this }} holds (crm-marts load --append
        gives each load a later _loaded_at); in a full build, nothing. -#}
    {%- if is_incremental() %}
    where {{ loaded_at_column }} > (
        select coalesce(max(loaded_at), cast('1900-01-01' as timestamp))
        from {{ this }}
    )
    {%- endif %}
{%- endmacro %}
