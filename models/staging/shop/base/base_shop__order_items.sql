with

parsed as (
    select * from {{ ref('base_shop__order_items_parsed') }}
),

orders as (
    select order_id from {{ ref('stg_shop__orders') }}
),

products as (
    select product_id from {{ ref('stg_shop__products') }}
),

-- Of the rows sharing an order and a product, the first is kept: the
-- earliest load's, then the earliest data row.
repeated_rows as (
    {{ repeated_key_occurrences(
        'parsed', ['order_id', 'product_id'], 'order_line_occurrence'
    ) }}
),

numbered as (
    select
        parsed.*,
        coalesce(repeated_rows.order_line_occurrence, 1)
            as order_line_occurrence,
        orders.order_id is not null as is_known_order,
        products.product_id is not null as is_known_product
    from parsed
    left join repeated_rows
        on
            {{ load_key('parsed.loaded_at') }} = repeated_rows.load_key
            and parsed.source_row_number = repeated_rows.source_row_number
    left join orders
        on parsed.order_id = orders.order_id
    left join products
        on parsed.product_id = products.product_id
),

final as (
    select
        loaded_at,
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
