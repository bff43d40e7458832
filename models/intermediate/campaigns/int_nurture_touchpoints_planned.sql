-- One row per touchpoint of a new customer's nurture journey: receipt care,
-- the follow-up days, the birthday and the holidays that fall in the
-- nurture window after the first purchase, with the channel the customer
-- consents to (e-mail preferred, else SMS) and whether it is due now. The
-- follow-up (conversion) touches stop once the customer has bought again, and
-- a customer gets at most one touchpoint a day.
{%- set string_type = api.Column.translate_type('string') %}
{%- set window_days = var('nurture_window_days') %}
{%- set follow_up_days = var('nurture_follow_up_days') %}
{%- set touchpoint_priority = var('nurture_touchpoint_priority') %}

with

as_of as (
    select as_of_date from {{ ref('int_as_of_date_resolved') }}
),

orders as (
    select
        order_id,
        customer_id,
        created_date,
        created_at,
        received_at
    from {{ ref('int_orders_enriched') }}
    where is_valid_purchase
),

customers as (
    select
        customer_id,
        has_email_consent,
        has_sms_consent,
        is_unsubscribed,
        birthday_date
    from {{ ref('stg_shop__customers') }}
),

holiday_calendar as (
    select
        holiday_name,
        holiday_label,
        holiday_date
    from {{ ref('int_holidays_dated') }}
),

ranked_orders as (
    select
        customer_id,
        created_date,
        received_at,
        row_number() over (
            partition by customer_id
            order by created_at, order_id
        ) as order_number
    from orders
),

-- First valid purchase within the window: the as-of date is day 0.
new_customers as (
    select
        ranked_orders.customer_id,
        ranked_orders.created_date as first_purchase_date,
        case
            when cast(ranked_orders.received_at as date) <= as_of.as_of_date
                then cast(ranked_orders.received_at as date)
        end as first_received_date,
        cast(
            {{ dbt.dateadd('day', window_days, 'ranked_orders.created_date') }}
            as date
        ) as nurture_end_date,
        as_of.as_of_date
    from ranked_orders
    cross join as_of
    where
        ranked_orders.order_number = 1
        and {{ dbt.datediff(
            'ranked_orders.created_date', 'as_of.as_of_date', 'day'
        ) }} < {{ window_days }}
),

receipt_care as (
    select
        customer_id,
        'receipt_care' as touchpoint,
        cast(null as {{ string_type }}) as holiday_name,
        case
            when first_received_date is not null
                then 'Receipt care: the first order was signed for'
            else {{ dbt.concat([
                "'Receipt care: the first order is expected, '",
                dbt.cast(var('nurture_receipt_fallback_days'), string_type),
                "' days after the first purchase'",
            ]) }}
        end as reason,
        coalesce(
            first_received_date,
            cast(
                {{ dbt.dateadd(
                    'day', var('nurture_receipt_fallback_days'),
                    'first_purchase_date'
                ) }} as date
            )
        ) as due_date
    from new_customers
),

follow_ups as (
    {%- if follow_up_days | length > 0 %}
        {%- for days in follow_up_days %}
            select
                customer_id,
                'day_{{ days }}' as touchpoint,
                cast(null as {{ string_type }}) as holiday_name,
                'Day {{ days }} after the first purchase' as reason,
                cast(
                    {{ dbt.dateadd('day', days, 'first_purchase_date') }}
                    as date
                ) as due_date
            from new_customers
            {%- if not loop.last %}
                union all
            {%- endif %}
        {%- endfor %}
    {%- else %}
        select
            customer_id,
            'day_0' as touchpoint,
            cast(null as {{ string_type }}) as holiday_name,
            'No follow-up days' as reason,
            first_purchase_date as due_date
        from new_customers
        where 1 = 0
    {%- endif %}
),

-- The birthday in the year of the first purchase, by adding whole years to
-- the date of birth (a Feb 29 birthday falls on Feb 28 in other years).
birthdays_in_first_year as (
    select
        new_customers.customer_id,
        new_customers.first_purchase_date,
        new_customers.nurture_end_date,
        customers.birthday_date,
        extract(year from new_customers.first_purchase_date)
        - extract(year from customers.birthday_date) as years_to_first_purchase
    from new_customers
    inner join customers
        on new_customers.customer_id = customers.customer_id
    where customers.birthday_date is not null
),

next_birthdays as (
    select
        customer_id,
        nurture_end_date,
        case
            when
                cast(
                    {{ dbt.dateadd(
                        'year', 'years_to_first_purchase', 'birthday_date'
                    ) }} as date
                ) > first_purchase_date
                then cast(
                    {{ dbt.dateadd(
                        'year', 'years_to_first_purchase', 'birthday_date'
                    ) }} as date
                )
            -- Parenthesised: Spark's dateadd multiplies the interval by 12.
            else cast(
                {{ dbt.dateadd(
                    'year', '(years_to_first_purchase + 1)', 'birthday_date'
                ) }} as date
            )
        end as birthday_date
    from birthdays_in_first_year
),

birthdays as (
    select
        customer_id,
        'birthday' as touchpoint,
        cast(null as {{ string_type }}) as holiday_name,
        'Birthday' as reason,
        birthday_date as due_date
    from next_birthdays
    where birthday_date <= nurture_end_date
),

holidays as (
    select
        new_customers.customer_id,
        'holiday' as touchpoint,
        holiday_calendar.holiday_name,
        holiday_calendar.holiday_label as reason,
        holiday_calendar.holiday_date as due_date
    from new_customers
    inner join holiday_calendar
        on
            new_customers.first_purchase_date < holiday_calendar.holiday_date
            and new_customers.nurture_end_date >= holiday_calendar.holiday_date
),

all_touchpoints as (
    select * from receipt_care
    union all
    select * from follow_ups
    union all
    select * from birthdays
    union all
    select * from holidays
),

-- The day the customer bought again (a later day than the first purchase;
-- orders after the as-of date are not known yet).
second_purchases as (
    select
        ranked_orders.customer_id,
        min(ranked_orders.created_date) as second_purchase_date
    from ranked_orders
    inner join new_customers
        on ranked_orders.customer_id = new_customers.customer_id
    where
        ranked_orders.created_date > new_customers.first_purchase_date
        and ranked_orders.created_date <= new_customers.as_of_date
    group by ranked_orders.customer_id
),

-- A follow-up exists to convert the new customer: none once they bought
-- again on or before its day. Receipt care, birthday and holidays stay.
unconverted_touchpoints as (
    select
        all_touchpoints.*,
        case
            when all_touchpoints.touchpoint like 'day_%' then 'follow_up'
            else all_touchpoints.touchpoint
        end as touchpoint_kind
    from all_touchpoints
    left join second_purchases
        on all_touchpoints.customer_id = second_purchases.customer_id
    where
        not (
            all_touchpoints.touchpoint like 'day_%'
            and second_purchases.second_purchase_date
            <= all_touchpoints.due_date
        )
        or second_purchases.second_purchase_date is null
),

-- One touchpoint a customer a day: the first in nurture_touchpoint_priority,
-- then by touchpoint and holiday name (two holidays on one day).
prioritized_touchpoints as (
    select
        *,
        case touchpoint_kind
            {%- for kind in touchpoint_priority %}
                when '{{ kind }}' then {{ loop.index }}
            {%- endfor %}
            else {{ touchpoint_priority | length + 1 }}
        end as touchpoint_priority
    from unconverted_touchpoints
),

ranked_touchpoints as (
    select
        *,
        row_number() over (
            partition by customer_id, due_date
            order by touchpoint_priority, touchpoint, holiday_name
        ) as touchpoint_rank
    from prioritized_touchpoints
),

touchpoints as (
    select
        customer_id,
        touchpoint,
        holiday_name,
        reason,
        touchpoint_priority,
        due_date
    from ranked_touchpoints
    where touchpoint_rank = 1
),

channeled as (
    select
        touchpoints.*,
        new_customers.first_purchase_date,
        new_customers.as_of_date,
        case
            when customers.is_unsubscribed then null
            when customers.has_email_consent then 'email'
            when customers.has_sms_consent then 'sms'
        end as channel
    from touchpoints
    inner join new_customers
        on touchpoints.customer_id = new_customers.customer_id
    inner join customers
        on touchpoints.customer_id = customers.customer_id
),

final as (
    select
        customer_id,
        touchpoint,
        holiday_name,
        reason,
        channel,
        cast(
            {{ dbt.datediff('first_purchase_date', 'due_date', 'day') }}
            as bigint
        ) as days_after_first_purchase,
        touchpoint_priority,
        due_date <= as_of_date
        and {{ dbt.datediff('due_date', 'as_of_date', 'day') }}
        <= {{ var('nurture_grace_days') }} as is_due,
        due_date,
        first_purchase_date,
        as_of_date
    from channeled
    where channel is not null
)

select
    customer_id,
    touchpoint,
    holiday_name,
    reason,
    channel,
    days_after_first_purchase,
    touchpoint_priority,
    is_due,
    due_date,
    first_purchase_date,
    as_of_date
from final
