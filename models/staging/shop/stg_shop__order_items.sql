with

base_order_items as (
    select * from {{ ref('base_shop__order_items') }}
),

final as (
    select
        {{ dbt.concat(['order_id', "'-'", 'product_id']) }} as order_item_id,
        order_id,
        product_id,
        quantity,
        unit_price,
        quantity * unit_price as line_amount
    from base_order_items
    where rejection_reason is null
)

select * from final
