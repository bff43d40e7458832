{#- A paid amount of 0 (a free order) is usable only when the var says so. -#}
{%- if var('count_free_orders_as_purchases') %}
    {%- set rejects_free_orders = 'false' %}
    {%- set paid_amount_reason = 'negative_paid_amount' %}
{%- else %}
    {%- set rejects_free_orders = 'true' %}
    {%- set paid_amount_reason = 'non_positive_paid_amount' %}
{%- endif %}
with

parsed as (
    select * from {{ ref('base_shop__orders_parsed') }}
),

order_statuses as (
    select
        status,
        is_purchase_status
    from {{ ref('order_statuses') }}
),

customers as (
    select customer_id from {{ ref('stg_shop__customers') }}
),

-- Of the rows sharing an order id, the first is kept: the earliest load's,
-- then the earliest data row.
repeated_orders as (
    {{ repeated_key_occurrences('parsed', ['order_id'], 'order_id_occurrence') }}
),

numbered as (
    select
        parsed.*,
        coalesce(repeated_orders.order_id_occurrence, 1) as order_id_occurrence,
        order_statuses.status is not null as is_known_status,
        customers.customer_id is not null as is_known_customer,
        -- No paid_at column: an order with a purchase status was paid when
        -- it was placed, the others are unpaid.
        case
            when parsed.has_paid_at then parsed.parsed_paid_at
            when order_statuses.is_purchase_status then parsed.created_at
        end as paid_at
    from parsed
    left join repeated_orders
        on
            {{ load_key('parsed.loaded_at') }} = repeated_orders.load_key
            and parsed.source_row_number = repeated_orders.source_row_number
    left join order_statuses
        on parsed.status = order_statuses.status
    left join customers
        on parsed.customer_id = customers.customer_id
),

final as (
    select
        loaded_at,
        source_file,
        source_row_number,
        order_id,
        customer_id,
        status,
        channel,
        promotion_tag,
        paid_amount,
        discount_amount,
        refund_amount,
        is_presale,
        created_at,
        paid_at,
        balance_due_at,
        received_at,
        case
            when order_id is null then 'missing_order_id'
            when order_id_occurrence > 1 then 'duplicate_order_id'
            when created_at is null then 'unparseable_created_at'
            when customer_id is null then 'missing_customer_id'
            when not is_known_customer then 'unknown_customer_id'
            when has_unparseable_paid_at then 'unparseable_paid_at'
            when paid_at < created_at then 'paid_before_created'
            when not is_known_status then 'unknown_status'
            when paid_amount is null then 'unparseable_paid_amount'
            when
                paid_amount < 0
                or (paid_amount = 0 and {{ rejects_free_orders }})
                then '{{ paid_amount_reason }}'
            when has_unparseable_discount_amount
                then 'unparseable_discount_amount'
            when discount_amount < 0 then 'negative_discount_amount'
            when has_unparseable_refund_amount then 'unparseable_refund_amount'
            when refund_amount < 0 or refund_amount > paid_amount
                then 'refund_outside_paid_amount'
            when has_unparseable_is_presale then 'unparseable_is_presale'
            when has_unparseable_balance_due_at
                then 'unparseable_balance_due_at'
            when has_unparseable_received_at then 'unparseable_received_at'
        end as rejection_reason
    from numbered
)

select * from final
