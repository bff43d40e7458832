{%- set string_type = api.Column.translate_type('string') %}
{#- A paid amount of 0 (a free order) is usable only when the var says so. -#}
{%- if var('count_free_orders_as_purchases') %}
    {%- set rejects_free_orders = 'false' %}
    {%- set paid_amount_reason = 'negative_paid_amount' %}
{%- else %}
    {%- set rejects_free_orders = 'true' %}
    {%- set paid_amount_reason = 'non_positive_paid_amount' %}
{%- endif %}
with

source_orders as (
    select
        _source_file,
        _source_row_number,
        order_id,
        customer_id,
        created_at,
        paid_at,
        status,
        paid_amount,
        discount_amount,
        refund_amount,
        channel,
        promotion_tag,
        is_presale,
        balance_due_at,
        received_at
    from {{ source('shop', 'orders') }}
),

load_manifest as (
    select
        table_name,
        column_name,
        source_file,
        is_column_present
    from {{ source('shop', 'load_manifest') }}
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

-- The optional columns with a default when the file leaves them out; every
-- other optional column left out is simply empty.
columns_present as (
    {{ columns_present('load_manifest', 'orders', ['order_id', 'paid_at', 'status']) }}
),

typed as (
    select
        source_orders._source_file as source_file,
        source_orders._source_row_number as source_row_number,
        columns_present.has_paid_at,
        -- No order_id column: each row is one order, its id the data row.
        case
            when columns_present.has_order_id
                then {{ clean_text('source_orders.order_id') }}
            else {{ dbt.cast('source_orders._source_row_number', string_type) }}
        end as order_id,
        {{ clean_text('source_orders.customer_id') }} as customer_id,
        -- No status column (a transaction log): every order is completed.
        case
            when columns_present.has_status
                then lower({{ clean_text('source_orders.status') }})
            else 'completed'
        end as status,
        lower({{ clean_text('source_orders.channel') }}) as channel,
        lower({{ clean_text('source_orders.promotion_tag') }}) as promotion_tag,
        {{ parse_text(clean_text('source_orders.paid_amount'), 'decimal(18, 2)') }}
            as paid_amount,
        coalesce(
            {{ parse_text(
                clean_text('source_orders.discount_amount'), 'decimal(18, 2)'
            ) }},
            0
        ) as discount_amount,
        coalesce(
            {{ parse_text(
                clean_text('source_orders.refund_amount'), 'decimal(18, 2)'
            ) }},
            0
        ) as refund_amount,
        coalesce({{ parse_boolean('source_orders.is_presale') }}, false)
            as is_presale,
        {{ parse_text(clean_text('source_orders.created_at'), 'timestamp') }}
            as created_at,
        {{ parse_text(clean_text('source_orders.paid_at'), 'timestamp') }}
            as parsed_paid_at,
        {{ parse_text(clean_text('source_orders.balance_due_at'), 'timestamp') }}
            as balance_due_at,
        {{ parse_text(clean_text('source_orders.received_at'), 'timestamp') }}
            as received_at,
        {{ clean_text('source_orders.paid_at') }} as paid_at_text,
        {{ clean_text('source_orders.balance_due_at') }} as balance_due_at_text,
        {{ clean_text('source_orders.received_at') }} as received_at_text,
        {{ clean_text('source_orders.discount_amount') }} as discount_amount_text,
        {{ clean_text('source_orders.refund_amount') }} as refund_amount_text,
        {{ clean_text('source_orders.is_presale') }} as is_presale_text
    from source_orders
    cross join columns_present
),

numbered as (
    select
        typed.*,
        row_number() over (
            partition by typed.order_id order by typed.source_row_number
        ) as order_id_occurrence,
        order_statuses.status is not null as is_known_status,
        customers.customer_id is not null as is_known_customer,
        -- No paid_at column: an order with a purchase status was paid when
        -- it was placed, the others are unpaid.
        case
            when typed.has_paid_at then typed.parsed_paid_at
            when order_statuses.is_purchase_status then typed.created_at
        end as paid_at
    from typed
    left join order_statuses
        on typed.status = order_statuses.status
    left join customers
        on typed.customer_id = customers.customer_id
),

final as (
    select
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
            when paid_at_text is not null and parsed_paid_at is null
                then 'unparseable_paid_at'
            when paid_at < created_at then 'paid_before_created'
            when not is_known_status then 'unknown_status'
            when paid_amount is null then 'unparseable_paid_amount'
            when
                paid_amount < 0
                or (paid_amount = 0 and {{ rejects_free_orders }})
                then '{{ paid_amount_reason }}'
            when
                discount_amount_text is not null
                and {{ parse_text('discount_amount_text', 'decimal(18, 2)') }}
                is null
                then 'unparseable_discount_amount'
            when discount_amount < 0 then 'negative_discount_amount'
            when
                refund_amount_text is not null
                and {{ parse_text('refund_amount_text', 'decimal(18, 2)') }}
                is null
                then 'unparseable_refund_amount'
            when refund_amount < 0 or refund_amount > paid_amount
                then 'refund_outside_paid_amount'
            when
                is_presale_text is not null
                and {{ parse_boolean('is_presale_text') }} is null
                then 'unparseable_is_presale'
            when balance_due_at_text is not null and balance_due_at is null
                then 'unparseable_balance_due_at'
            when received_at_text is not null and received_at is null
                then 'unparseable_received_at'
        end as rejection_reason
    from numbered
)

select * from final
