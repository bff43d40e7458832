with

base_orders as (
    select * from {{ ref('base_shop__orders') }}
),

final as (
    select
        order_id,
        customer_id,
        status,
        channel,
        promotion_tag,
        paid_amount,
        discount_amount,
        refund_amount,
        is_presale,
        cast(created_at as date) as created_date,
        created_at,
        paid_at,
        balance_due_at,
        received_at
    from base_orders
    where rejection_reason is null
)

select * from final
