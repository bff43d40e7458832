{{
    config(
        materialized='incremental',
        incremental_strategy='append',
        on_schema_change='fail',
    )
}}
{%- set string_type = api.Column.translate_type('string') %}
{#- The raw orders text, typed: the costly part of staging, done once per
    row. Incremental: a build parses only the rows of the loads since the
    last one (crm-marts load --append). No rule and no var here: the rules
    (rejection reasons, which need every load's rows and the customers) are
    base_shop__orders, rebuilt in full each time. -#}
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
        received_at,
        _loaded_at
    from {{ source('shop', 'orders') }}
    -- Incremental: the loads after the last one parsed (crm-marts build
    -- full-refreshes after a load that replaced the raw tables).
    {{ new_loads_only('_loaded_at') }}
),

load_manifest as (
    select
        table_name,
        column_name,
        source_file,
        is_column_present
    from {{ source('shop', 'load_manifest') }}
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
        source_orders._loaded_at as loaded_at,
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
        {{ parse_text(
            clean_text('source_orders.discount_amount'), 'decimal(18, 2)'
        ) }} as parsed_discount_amount,
        {{ parse_text(
            clean_text('source_orders.refund_amount'), 'decimal(18, 2)'
        ) }} as parsed_refund_amount,
        {{ parse_boolean('source_orders.is_presale') }} as parsed_is_presale,
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

-- Stored: the typed values and, instead of the optional values' text (at
-- 100M orders some 2 GB), whether the text was there but unparseable.
final as (
    select
        source_file,
        source_row_number,
        loaded_at,
        has_paid_at,
        order_id,
        customer_id,
        status,
        channel,
        promotion_tag,
        paid_amount,
        coalesce(parsed_discount_amount, 0) as discount_amount,
        coalesce(parsed_refund_amount, 0) as refund_amount,
        coalesce(parsed_is_presale, false) as is_presale,
        created_at,
        parsed_paid_at,
        balance_due_at,
        received_at,
        paid_at_text is not null and parsed_paid_at is null
            as has_unparseable_paid_at,
        discount_amount_text is not null and parsed_discount_amount is null
            as has_unparseable_discount_amount,
        refund_amount_text is not null and parsed_refund_amount is null
            as has_unparseable_refund_amount,
        is_presale_text is not null and parsed_is_presale is null
            as has_unparseable_is_presale,
        balance_due_at_text is not null and balance_due_at is null
            as has_unparseable_balance_due_at,
        received_at_text is not null and received_at is null
            as has_unparseable_received_at
    from typed
)

select * from final
