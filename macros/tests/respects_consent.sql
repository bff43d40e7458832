{% test respects_consent(model, channel_column, customer_column='customer_id') %}
{#- No row reaches a customer on a channel they have not consented to, and no
    row reaches an unsubscribed customer (or one missing from the customers
    mart) at all. Channels checked: email, sms, phone; any other channel
    (e.g. app_push) only requires the customer not to be unsubscribed. -#}
with

audience as (
    select
        {{ customer_column }} as customer_id,
        {{ channel_column }} as channel
    from {{ model }}
),

customers as (
    select
        customer_id,
        has_email_consent,
        has_sms_consent,
        has_phone_consent,
        is_unsubscribed
    from {{ ref('customers') }}
)

select
    audience.customer_id,
    audience.channel
from audience
left join customers
    on audience.customer_id = customers.customer_id
where
    customers.customer_id is null
    or coalesce(customers.is_unsubscribed, true)
    or (
        audience.channel = 'email'
        and not coalesce(customers.has_email_consent, false)
    )
    or (
        audience.channel = 'sms'
        and not coalesce(customers.has_sms_consent, false)
    )
    or (
        audience.channel = 'phone'
        and not coalesce(customers.has_phone_consent, false)
    )
{% endtest %}
