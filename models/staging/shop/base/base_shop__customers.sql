with

source_customers as (
    select
        _source_file,
        _source_row_number,
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

typed as (
    select
        _source_file as source_file,
        _source_row_number as source_row_number,
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
        {{ clean_text('birthday') }} as birthday_text,
        {{ clean_text('unsubscribed_at') }} as unsubscribed_at_text,
        {{ clean_text('accepts_email') }} as accepts_email_text,
        {{ clean_text('accepts_sms') }} as accepts_sms_text,
        {{ clean_text('accepts_phone') }} as accepts_phone_text
    from source_customers
),

numbered as (
    select
        *,
        row_number() over (
            partition by customer_id order by source_row_number
        ) as customer_id_occurrence
    from typed
),

final as (
    select
        source_file,
        source_row_number,
        customer_id,
        member_level,
        email,
        phone,
        accepts_email,
        accepts_sms,
        accepts_phone,
        birthday_date,
        registered_at,
        unsubscribed_at,
        case
            when customer_id is null then 'missing_customer_id'
            when customer_id_occurrence > 1 then 'duplicate_customer_id'
            when registered_at is null then 'unparseable_registered_at'
            when birthday_text is not null and birthday_date is null
                then 'unparseable_birthday'
            when unsubscribed_at_text is not null and unsubscribed_at is null
                then 'unparseable_unsubscribed_at'
            when
                accepts_email is null or accepts_sms is null
                or accepts_phone is null
                then 'unparseable_consent'
        end as rejection_reason
    from numbered
)

select * from final
