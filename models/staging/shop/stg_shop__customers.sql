with

base_customers as (
    select * from {{ ref('base_shop__customers') }}
),

final as (
    select
        customer_id,
        member_level,
        email,
        phone,
        accepts_email as has_email_consent,
        accepts_sms as has_sms_consent,
        accepts_phone as has_phone_consent,
        unsubscribed_at is not null as is_unsubscribed,
        is_derived_from_orders,
        birthday_date,
        registered_at,
        unsubscribed_at
    from base_customers
    where rejection_reason is null
)

select * from final
