{{
    config(
        materialized='incremental',
        incremental_strategy='append',
        on_schema_change='fail',
    )
}}
{#- The raw order lines text, typed, once per row: incremental like
    base_shop__orders_parsed (the rows of the loads since the last build).
    The rules are base_shop__order_items, rebuilt in full each time. -#}
with

source_order_items as (
    select
        _source_file,
        _source_row_number,
        _loaded_at,
        order_id,
        product_id,
        quantity,
        unit_price
    from {{ source('shop', 'order_items') }}
    {{ new_loads_only('_loaded_at') }}
),

typed as (
    select
        _loaded_at as loaded_at,
        _source_file as source_file,
        _source_row_number as source_row_number,
        {{ clean_text('order_id') }} as order_id,
        {{ clean_text('product_id') }} as product_id,
        {{ parse_text(clean_text('quantity'), 'integer') }} as quantity,
        {{ parse_text(clean_text('unit_price'), 'decimal(18, 2)') }}
            as unit_price
    from source_order_items
)

select * from typed
