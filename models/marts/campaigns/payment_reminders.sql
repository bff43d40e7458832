-- One row per payment reminder that fires on the as-of date up to
-- reminder_as_of_at: a send queue. Each unpaid non-presale order gets one
-- reminder, or two when it is high-value or the shop pays poorly: the first
-- of its real-time and scheduled-slot reminders by time (one) or both (two).
-- Presale orders get the two balance waves. The order must still be unpaid
-- when the reminder fires, and the customer reachable on a channel they
-- consent to.
{%- set slot_hours = var('reminder_slot_hours') | sort %}
{%- set peak_slot_hours = var('promotion_peak_reminder_slot_hours') | sort %}
{%- set string_type = api.Column.translate_type('string') %}
{%- set timestamp_type = api.Column.translate_type('timestamp') %}
{%- set skip_statuses = var('reminder_skip_statuses') %}
{%- set app_push_channels = var('app_push_order_channels') %}
{%- set grace_minutes = var('scheduled_reminder_grace_minutes') %}

with

settings as (
    select
        reminder_as_of_at,
        reminder_day_start_at,
        benchmark_minutes_to_pay,
        realtime_threshold_seconds,
        phone_call_min_amount,
        second_reminder_min_amount,
        is_low_payment_rate
    from {{ ref('int_payment_reminder_settings_resolved') }}
),

promotions as (
    select distinct peak_date from {{ ref('int_promotions_dated') }}
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

-- The slot hours in minutes after midnight: reminder_slot_hours on an
-- ordinary day, promotion_peak_reminder_slot_hours on a promotion's peak day.
{%- set slot_rows = [] %}
{%- for hour in slot_hours %}
    {%- do slot_rows.append((false, (hour * 60) | round | int)) %}
{%- endfor %}
{%- for hour in peak_slot_hours %}
    {%- do slot_rows.append((true, (hour * 60) | round | int)) %}
{%- endfor %}
reminder_slots as (
    {%- if slot_rows | length > 0 %}
        {%- for is_peak, minute in slot_rows %}
            select
                {{ is_peak }} as is_peak_day,
                {{ minute }} as slot_minute
            {%- if not loop.last %}
                union all
            {%- endif %}
        {%- endfor %}
    {%- else %}
        select
            false as is_peak_day,
            0 as slot_minute
        where 1 = 0
    {%- endif %}
),

-- The as-of date and the two days before it: every slot a reminder firing
-- on the as-of date competes with (an order is reminded once or twice in
-- its first day) and the slot before the as-of date's first.
reminder_days as (
    {%- for days_back in [2, 1, 0] %}
        select
            {{ dbt.dateadd(
                'day', -days_back, 'settings.reminder_day_start_at'
            ) }} as day_start_at
        from settings
        {%- if not loop.last %}
            union all
        {%- endif %}
    {%- endfor %}
),

reminder_days_flagged as (
    select
        reminder_days.day_start_at,
        promotions.peak_date is not null as is_peak_day
    from reminder_days
    left join promotions
        on cast(reminder_days.day_start_at as date) = promotions.peak_date
),

day_slots as (
    select
        {{ dbt.dateadd(
            'minute', 'reminder_slots.slot_minute',
            'reminder_days_flagged.day_start_at'
        ) }} as slot_at,
        reminder_days_flagged.is_peak_day
    from reminder_days_flagged
    inner join reminder_slots
        on reminder_days_flagged.is_peak_day = reminder_slots.is_peak_day
),

slots_with_previous as (
    select
        slot_at,
        is_peak_day,
        lag(slot_at) over (order by slot_at) as previous_slot_at
    from day_slots
),

slot_times as (
    select
        slot_at,
        previous_slot_at,
        is_peak_day
    from slots_with_previous
    where previous_slot_at is not null
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
        settings.benchmark_minutes_to_pay
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
            "'% of the shop " ~ var('realtime_threshold_statistic')
            ~ " time to pay ('",
            dbt.cast('round(benchmark_minutes_to_pay, 1)', string_type),
            "' min)'",
        ]) }} as reason,
        paid_amount,
        created_at,
        paid_at,
        {{ dbt.dateadd('second', 'threshold_seconds', 'created_at') }}
            as remind_at
    from real_time_orders
),

-- Scheduled: at each slot, the orders whose grace period (minutes after
-- creation) ended since the previous slot.
scheduled_reminders as (
    select
        orders.order_id,
        orders.customer_id,
        orders.order_channel,
        'scheduled' as reminder_kind,
        'unpaid_at_scheduled_slot' as reason_code,
        {{ dbt.concat([
            "'Placed since the previous reminder slot'",
            "' (" ~ grace_minutes ~ " min grace) and unpaid at '",
            dbt.cast('slot_times.slot_at', string_type),
            "case when slot_times.is_peak_day"
            ~ " then ', a promotion peak day slot' else '' end",
        ]) }} as reason,
        orders.paid_amount,
        orders.created_at,
        orders.paid_at,
        slot_times.slot_at as remind_at
    from orders
    inner join slot_times
        on
            {{ dbt.dateadd('minute', grace_minutes, 'orders.created_at') }}
            >= slot_times.previous_slot_at
            and {{ dbt.dateadd('minute', grace_minutes, 'orders.created_at') }}
            < slot_times.slot_at
    where not orders.is_presale
),

-- One reminder per order, two for a high-value order or a shop that pays
-- poorly: the first one or two of its real-time and scheduled reminders.
order_reminders as (
    select * from real_time_reminders
    union all
    select * from scheduled_reminders
),

numbered_order_reminders as (
    select
        order_reminders.*,
        row_number() over (
            partition by order_reminders.order_id
            order by order_reminders.remind_at, order_reminders.reminder_kind
        ) as reminder_number,
        case
            when
                settings.is_low_payment_rate
                or order_reminders.paid_amount
                >= settings.second_reminder_min_amount
                then 2
            else 1
        end as reminders_per_order
    from order_reminders
    cross join settings
),

budgeted_order_reminders as (
    select
        order_id,
        customer_id,
        order_channel,
        reminder_kind,
        reason_code,
        reason,
        paid_amount,
        created_at,
        paid_at,
        remind_at,
        reminder_number,
        reminders_per_order
    from numbered_order_reminders
    where reminder_number <= reminders_per_order
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
        wave_1_at as remind_at,
        1 as reminder_number,
        2 as reminders_per_order
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
        wave_2_at as remind_at,
        2 as reminder_number,
        2 as reminders_per_order
    from presale_orders
),

reminders as (
    select * from budgeted_order_reminders
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
        cast(reminder_number as bigint) as reminder_number,
        cast(reminders_per_order as bigint) as reminders_per_order,
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
    reminder_number,
    reminders_per_order,
    is_phone_call,
    remind_at,
    created_at
from final
