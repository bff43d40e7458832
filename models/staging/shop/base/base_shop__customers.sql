{%- set string_type = api.Column.translate_type('string') %}
with

source_customers as (
    select
        _source_file,
        _source_row_number,
        _loaded_at,
        customer_id,
        registered_at,
        birthday,
        member_level,
        email,
        phone,
        accepts_email,
        accepts_sms,
        accepts_phone,
        unsubscribed_at
    from {{ source('shop', 'customers') }}
),

source_orders as (
    select
        _source_file,
        _source_row_number,
        _loaded_at,
        customer_id,
        created_at
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

columns_present as (
    {{ columns_present('load_manifest', 'customers', []) }}
),

order_customers as (
    select
        _source_file as source_file,
        _source_row_number as source_row_number,
        _loaded_at as loaded_at,
        {{ clean_text('customer_id') }} as customer_id,
        created_at
    from source_orders
),

typed as (
    select
        _source_file as source_file,
        _source_row_number as source_row_number,
        _loaded_at as loaded_at,
        {{ clean_text('customer_id') }} as customer_id,
        lower({{ clean_text('member_level') }}) as member_level,
        lower({{ clean_text('email') }}) as email,
        {{ clean_text('phone') }} as phone,
        {{ parse_boolean('accepts_email') }} as accepts_email,
        {{ parse_boolean('accepts_sms') }} as accepts_sms,
        {{ parse_boolean('accepts_phone') }} as accepts_phone,
        {{ parse_text(clean_text('birthday'), 'date') }} as birthday_date,
        {{ parse_text(clean_text('registered_at'), 'timestamp') }}
            as registered_at,
        {{ parse_text(clean_text('unsubscribed_at'), 'timestamp') }}
            as unsubscribed_at,
        {{ clean_text('registered_at') }} as registered_at_text,
        {{ clean_text('birthday') }} as birthday_text,
        {{ clean_text('unsubscribed_at') }} as unsubscribed_at_text,
        {{ clean_text('accepts_email') }} as accepts_email_text,
        {{ clean_text('accepts_sms') }} as accepts_sms_text,
        {{ clean_text('accepts_phone') }} as accepts_phone_text
    from source_customers
),

-- Customers of the file whose registration comes from their first order
-- (registered_at empty). Without a customers file, every buyer's does.
undated_customers as (
    select distinct {{ clean_text('customer_id') }} as customer_id
    from source_customers
    where {{ clean_text('registered_at') }} is null
),

-- The orders dating those registrations; a complete customers file keeps
-- none, so parsing and sorting every order's date is not paid for.
dated_orders as (
    select
        order_customers.source_file,
        order_customers.loaded_at,
        order_customers.source_row_number,
        order_customers.customer_id,
        order_customers.created_at
    from order_customers
    cross join columns_present
    left join undated_customers
        on order_customers.customer_id = undated_customers.customer_id
    where
        order_customers.customer_id is not null
        and (
            not columns_present.has_file
            or undated_customers.customer_id is not null
        )
),

-- Each customer's first order placed (whatever its status), in any load.
order_loads as (
    select
        customer_id,
        min({{ parse_text(clean_text('created_at'), 'timestamp') }})
            as first_order_at,
        min({{ load_key('loaded_at') }}) as first_load_key
    from dated_orders
    group by customer_id
),

-- ... and the orders row a derived customer points at: the first data row of
-- the earliest load holding their orders (a load has one orders file).
first_orders as (
    select
        order_loads.customer_id,
        order_loads.first_order_at,
        max(dated_orders.loaded_at) as loaded_at,
        max(dated_orders.source_file) as source_file,
        min(dated_orders.source_row_number) as source_row_number
    from dated_orders
    inner join order_loads
        on
            dated_orders.customer_id = order_loads.customer_id
            and {{ load_key('dated_orders.loaded_at') }}
            = order_loads.first_load_key
    group by order_loads.customer_id, order_loads.first_order_at
),

-- Of the rows sharing a customer id, the first is kept: the earliest load's,
-- then the earliest data row.
repeated_customers as (
    {{ repeated_key_occurrences('typed', ['customer_id'], 'customer_id_occurrence') }}
),

numbered as (
    select
        typed.*,
        first_orders.first_order_at,
        coalesce(repeated_customers.customer_id_occurrence, 1)
            as customer_id_occurrence
    from typed
    left join repeated_customers
        on
            {{ load_key('typed.loaded_at') }} = repeated_customers.load_key
            and typed.source_row_number = repeated_customers.source_row_number
    left join first_orders
        on typed.customer_id = first_orders.customer_id
),

file_customers as (
    select
        loaded_at,
        source_file,
        source_row_number,
        customer_id,
        member_level,
        email,
        phone,
        -- An empty consent is no consent.
        coalesce(accepts_email, false) as accepts_email,
        coalesce(accepts_sms, false) as accepts_sms,
        coalesce(accepts_phone, false) as accepts_phone,
        false as is_derived_from_orders,
        birthday_date,
        case
            when registered_at_text is null then first_order_at
            else registered_at
        end as registered_at,
        unsubscribed_at,
        case
            when customer_id is null then 'missing_customer_id'
            when customer_id_occurrence > 1 then 'duplicate_customer_id'
            when registered_at_text is not null and registered_at is null
                then 'unparseable_registered_at'
            when registered_at_text is null and first_order_at is null
                then 'missing_registered_at'
            when birthday_text is not null and birthday_date is null
                then 'unparseable_birthday'
            when unsubscribed_at_text is not null and unsubscribed_at is null
                then 'unparseable_unsubscribed_at'
            when
                (accepts_email_text is not null and accepts_email is null)
                or (accepts_sms_text is not null and accepts_sms is null)
                or (accepts_phone_text is not null and accepts_phone is null)
                then 'unparseable_consent'
        end as rejection_reason
    from numbered
),

-- No customers file: one customer per buyer id of the orders, registered at
-- their first order, with no contact consent (so never in an audience).
derived_customers as (
    select
        first_orders.loaded_at,
        first_orders.source_file,
        first_orders.source_row_number,
        first_orders.customer_id,
        cast(null as {{ string_type }}) as member_level,
        cast(null as {{ string_type }}) as email,
        cast(null as {{ string_type }}) as phone,
        false as accepts_email,
        false as accepts_sms,
        false as accepts_phone,
        true as is_derived_from_orders,
        cast(null as date) as birthday_date,
        first_orders.first_order_at as registered_at,
        cast(null as timestamp) as unsubscribed_at,
        cast(null as {{ string_type }}) as rejection_reason
    from first_orders
    cross join columns_present
    where
        not columns_present.has_file
        and first_orders.first_order_at is not null
),

final as (
    select * from file_customers
    union all
    select * from derived_customers
)

select * from final
