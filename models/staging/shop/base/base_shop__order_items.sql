with

source_order_items as (
    select
        _source_file,
        _source_row_number,
        order_id,
        product_id,
        quantity,
        unit_price
    from {{ source('shop', 'order_items') }}
),

orders as (
    select order_id from {{ ref('stg_shop__orders') }}
),

products as (
    select product_id from {{ ref('stg_shop__products') }}
),

typed as (
    select
        _source_file as source_file,
        _source_row_number as source_row_number,
        {{ clean_text('order_id') }} as order_id,
        {{ clean_text('product_id') }} as product_id,
        {{ parse_text(clean_text('quantity'), 'integer') }} as quantity,
        {{ parse_text(clean_text('unit_price'), 'decimal(18, 2)') }}
            as unit_price
    from source_order_items
),

numbered as (
    select
        typed.*,
        row_number() over (
            partition by typed.order_id, typed.product_id
            order by typed.source_row_number
        ) as order_line_occurrence,
        orders.order_id is not null as is_known_order,
        products.product_id is not null as is_known_product
    from typed
    left join orders
        on typed.order_id = orders.order_id
    left join products
        on typed.product_id = products.product_id
),

final as (
    select
        source_file,
        source_row_number,
        order_id,
        product_id,
        quantity,
        unit_price,
        case
            when order_id is null then 'missing_order_id'
            when product_id is null then 'missing_product_id'
            when not is_known_order then 'unknown_order_id'
            when not is_known_product then 'unknown_product_id'
            when order_line_occurrence > 1 then 'duplicate_order_line'
            when quantity is null then 'unparseable_quantity'
            when quantity <= 0 then 'non_positive_quantity'
            when unit_price is null then 'unparseable_unit_price'
            when unit_price < 0 then 'negative_unit_price'
        end as rejection_reason
    from numbered
)

select * from final
