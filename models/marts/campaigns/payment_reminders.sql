-- One row per payment reminder that fires on the as-of date up to
-- reminder_as_of_at: per order and kind, per slot for scheduled reminders and
-- per wave for presale balance reminders. The order must still be unpaid when
-- the reminder fires, and the customer reachable on a channel they consent to.
{%- set slot_hours = var('reminder_slot_hours') | sort %}
{%- set string_type = api.Column.translate_type('string') %}
{%- set timestamp_type = api.Column.translate_type('timestamp') %}
{%- set skip_statuses = var('reminder_skip_statuses') %}
{%- set app_push_channels = var('app_push_order_channels') %}

with

settings as (
    select
        reminder_as_of_at,
        reminder_day_start_at,
        average_minutes_to_pay,
        realtime_threshold_seconds,
        phone_call_min_amount
    from {{ ref('int_payment_reminder_settings_resolved') }}
),

orders as (
    select
        order_id,
        customer_id,
        status,
        channel as order_channel,
        paid_amount,
        is_presale,
        created_at,
        paid_at,
        balance_due_at
    from {{ ref('int_orders_enriched') }}
    {%- if skip_statuses | length > 0 %}
        where status not in (
            {%- for status in skip_statuses %}
                '{{ status }}'{% if not loop.last %},{% endif %}
            {%- endfor %}
        )
    {%- endif %}
),

customers as (
    select
        customer_id,
        has_email_consent,
        has_sms_consent,
        has_phone_consent,
        is_unsubscribed
    from {{ ref('stg_shop__customers') }}
),

-- The slots of the as-of date in minutes after midnight, each with the slot
-- before it (for the first slot: the last slot of the day before).
reminder_slots as (
    {%- if slot_hours | length > 0 %}
        {%- for hour in slot_hours %}
            {%- set previous_hour = slot_hours[loop.index0 - 1]
                if not loop.first else slot_hours[-1] - 24 %}
            select
                {{ (hour * 60) | round | int }} as slot_minute,
                {{ (previous_hour * 60) | round | int }} as previous_slot_minute
            {%- if not loop.last %}
                union all
            {%- endif %}
        {%- endfor %}
    {%- else %}
        select
            0 as slot_minute,
            0 as previous_slot_minute
        where 1 = 0
    {%- endif %}
),

slots_of_the_day as (
    select
        reminder_slots.slot_minute,
        reminder_slots.previous_slot_minute as previous_minute,
        settings.reminder_day_start_at as day_start_at
    from reminder_slots
    cross join settings
),

slot_times as (
    select
        {{ dbt.dateadd('minute', 'slot_minute', 'day_start_at') }} as slot_at,
        {{ dbt.dateadd('minute', 'previous_minute', 'day_start_at') }}
            as previous_slot_at
    from slots_of_the_day
),

-- Real time: once the order has been unpaid for the threshold, as long as it
-- is then at most realtime_reminder_max_hours old.
real_time_orders as (
    select
        orders.order_id,
        orders.customer_id,
        orders.order_channel,
        orders.paid_amount,
        orders.created_at,
        orders.paid_at,
        settings.realtime_threshold_seconds as threshold_seconds,
        settings.average_minutes_to_pay
    from orders
    cross join settings
    where
        not orders.is_presale
        and settings.realtime_threshold_seconds
        <= {{ var('realtime_reminder_max_hours') }} * 3600
),

real_time_reminders as (
    select
        order_id,
        customer_id,
        order_channel,
        'real_time' as reminder_kind,
        'unpaid_past_realtime_threshold' as reason_code,
        {{ dbt.concat([
            "'Unpaid for '",
            dbt.cast('round(threshold_seconds / 60.0, 1)', string_type),
            "' min, '",
            dbt.cast(
                'cast(round(' ~ var('realtime_reminder_fraction')
                ~ ' * 100, 0) as bigint)',
                string_type
            ),
            "'% of the shop average time to pay ('",
            dbt.cast('round(average_minutes_to_pay, 1)', string_type),
            "' min)'",
        ]) }} as reason,
        paid_amount,
        created_at,
        paid_at,
        {{ dbt.dateadd('second', 'threshold_seconds', 'created_at') }}
            as remind_at
    from real_time_orders
),

-- Scheduled: at each slot, the orders placed since the previous slot.
scheduled_reminders as (
    select
        orders.order_id,
        orders.customer_id,
        orders.order_channel,
        'scheduled' as reminder_kind,
        'unpaid_at_scheduled_slot' as reason_code,
        {{ dbt.concat([
            "'Placed since the previous reminder slot and unpaid at '",
            dbt.cast('slot_times.slot_at', string_type),
        ]) }} as reason,
        orders.paid_amount,
        orders.created_at,
        orders.paid_at,
        slot_times.slot_at as remind_at
    from orders
    inner join slot_times
        on
            orders.created_at >= slot_times.previous_slot_at
            and orders.created_at < slot_times.slot_at
    where not orders.is_presale
),

presale_orders as (
    select
        order_id,
        customer_id,
        order_channel,
        paid_amount,
        created_at,
        paid_at,
        balance_due_at,
        {{ dbt.dateadd(
            'hour', var('presale_wave1_hour') - 24,
            dbt.cast(dbt.cast('balance_due_at', 'date'), timestamp_type)
        ) }} as wave_1_at,
        {{ dbt.dateadd(
            'minute',
            -((var('presale_wave2_hours_before') * 60) | round | int),
            'balance_due_at'
        ) }} as wave_2_at
    from orders
    where is_presale and balance_due_at is not null
),

-- Presale balance: wave 1 the evening before the deadline, wave 2 shortly
-- before it.
presale_reminders as (
    select
        order_id,
        customer_id,
        order_channel,
        'presale_balance' as reminder_kind,
        'presale_balance_wave_1' as reason_code,
        {{ dbt.concat([
            "'Presale balance due '",
            dbt.cast('balance_due_at', string_type),
            "', wave 1: the evening before the deadline'",
        ]) }} as reason,
        paid_amount,
        created_at,
        paid_at,
        wave_1_at as remind_at
    from presale_orders

    union all

    select
        order_id,
        customer_id,
        order_channel,
        'presale_balance' as reminder_kind,
        'presale_balance_wave_2' as reason_code,
        {{ dbt.concat([
            "'Presale balance due '",
            dbt.cast('balance_due_at', string_type),
            "', wave 2: last call before the deadline'",
        ]) }} as reason,
        paid_amount,
        created_at,
        paid_at,
        wave_2_at as remind_at
    from presale_orders
),

reminders as (
    select * from real_time_reminders
    union all
    select * from scheduled_reminders
    union all
    select * from presale_reminders
),

-- Fires on the as-of date up to the as-of moment, for an order placed before
-- and not paid by then.
fired_reminders as (
    select
        reminders.*,
        reminders.paid_amount >= coalesce(settings.phone_call_min_amount, 0)
        and settings.phone_call_min_amount is not null as is_phone_call
    from reminders
    cross join settings
    where
        reminders.remind_at >= settings.reminder_day_start_at
        and reminders.remind_at <= settings.reminder_as_of_at
        and reminders.created_at <= reminders.remind_at
        and (
            reminders.paid_at is null
            or reminders.paid_at > reminders.remind_at
        )
),

-- Phone for a call-worthy order when the customer takes calls, else SMS,
-- else app push for an app order, else e-mail; nothing for the unsubscribed.
channeled as (
    select
        fired_reminders.*,
        case
            when customers.is_unsubscribed then null
            when
                fired_reminders.is_phone_call
                and customers.has_phone_consent
                then 'phone'
            when customers.has_sms_consent then 'sms'
            {%- if app_push_channels | length > 0 %}
                when fired_reminders.order_channel in (
                    {%- for channel in app_push_channels %}
                        '{{ channel }}'{% if not loop.last %},{% endif %}
                    {%- endfor %}
                ) then 'app_push'
            {%- endif %}
            when customers.has_email_consent then 'email'
        end as channel
    from fired_reminders
    inner join customers
        on fired_reminders.customer_id = customers.customer_id
),

final as (
    select
        order_id,
        customer_id,
        reminder_kind,
        reason_code,
        reason,
        channel,
        cast(paid_amount as decimal(18, 2)) as paid_amount,
        cast(
            floor(
                {{ dbt.datediff('created_at', 'remind_at', 'second') }}
                / 60
            ) as bigint
        ) as minutes_unpaid,
        is_phone_call,
        cast(remind_at as {{ timestamp_type }}) as remind_at,
        created_at
    from channeled
    where channel is not null
)

select
    order_id,
    customer_id,
    reminder_kind,
    reason_code,
    reason,
    channel,
    paid_amount,
    minutes_unpaid,
    is_phone_call,
    remind_at,
    created_at
from final
