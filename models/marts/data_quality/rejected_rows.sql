with

base_orders as (
    select * from {{ ref('base_shop__orders') }}
),

base_order_items as (
    select * from {{ ref('base_shop__order_items') }}
),

base_products as (
    select * from {{ ref('base_shop__products') }}
),

base_customers as (
    select * from {{ ref('base_shop__customers') }}
),

rejection_reasons as (
    select
        reason_code,
        source_table,
        description
    from {{ ref('rejection_reasons') }}
),

rejected as (
    select
        'orders' as source_table,
        loaded_at,
        source_file,
        source_row_number,
        order_id as row_key,
        rejection_reason as reason_code
    from base_orders
    where rejection_reason is not null

    union all

    select
        'order_items' as source_table,
        loaded_at,
        source_file,
        source_row_number,
        {{ dbt.concat(
            ["coalesce(order_id, '')", "'-'", "coalesce(product_id, '')"]
        ) }} as row_key,
        rejection_reason as reason_code
    from base_order_items
    where rejection_reason is not null

    union all

    select
        'products' as source_table,
        loaded_at,
        source_file,
        source_row_number,
        product_id as row_key,
        rejection_reason as reason_code
    from base_products
    where rejection_reason is not null

    union all

    select
        'customers' as source_table,
        loaded_at,
        source_file,
        source_row_number,
        customer_id as row_key,
        rejection_reason as reason_code
    from base_customers
    where rejection_reason is not null
),

final as (
    select
        rejected.source_table,
        rejected.source_file,
        rejected.row_key,
        rejected.reason_code,
        rejection_reasons.description as reason,
        rejected.source_row_number,
        rejected.loaded_at
    from rejected
    left join rejection_reasons
        on
            rejected.reason_code = rejection_reasons.reason_code
            and rejected.source_table = rejection_reasons.source_table
)

select
    source_table,
    source_file,
    row_key,
    reason_code,
    reason,
    source_row_number,
    loaded_at
from final
