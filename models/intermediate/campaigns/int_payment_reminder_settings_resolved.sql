-- One row: the moment payment reminders are computed as of, the window of the
-- as-of date they fire in, and the shop's payment benchmarks they use: the
-- median (or mean) time to pay of paid non-presale orders, the shop's payment
-- rate, the order value from which an unpaid order gets a second reminder and
-- the one from which it is worth a phone call.
{%- set reminder_as_of_at = var('reminder_as_of_at') %}
{%- set has_reminder_as_of_at = (
    reminder_as_of_at is not none
    and reminder_as_of_at | string | trim not in ('', 'none', 'null')
) %}
{%- set phone_call_min_amount = var('phone_call_min_amount') %}
{%- set second_reminder_min_amount = var('second_reminder_min_amount') %}
{%- set threshold_statistic = var('realtime_threshold_statistic') %}
{%- if threshold_statistic not in ('median', 'mean') %}
    {{ exceptions.raise_compiler_error(
        "realtime_threshold_statistic must be median or mean, not "
        ~ threshold_statistic
    ) }}
{%- endif %}
{%- set timestamp_type = api.Column.translate_type('timestamp') %}

with

as_of as (
    select as_of_date from {{ ref('int_as_of_date_resolved') }}
),

orders as (
    select
        paid_amount,
        is_presale,
        is_valid_purchase,
        created_at,
        paid_at
    from {{ ref('int_orders_enriched') }}
),

reminder_clock as (
    select
        as_of_date,
        {% if has_reminder_as_of_at -%}
            cast('{{ reminder_as_of_at | string | trim }}' as {{ timestamp_type }})
        {%- else -%}
            {{ dbt.dateadd(
                'second', -1,
                dbt.dateadd('day', 1, dbt.cast('as_of_date', timestamp_type))
            ) }}
        {%- endif %} as reminder_as_of_at
    from as_of
),

benchmark_window as (
    select
        as_of_date,
        reminder_as_of_at,
        {{ dbt.dateadd(
            'day', -var('payment_benchmark_window_days'), 'reminder_as_of_at'
        ) }} as benchmark_window_start_at
    from reminder_clock
),

time_to_pay as (
    select
        count(*) as paid_orders_count,
        avg(
            {{ dbt.datediff('orders.created_at', 'orders.paid_at', 'second') }}
        ) / 60.0 as average_minutes_to_pay,
        {{ percentile(
            dbt.datediff('orders.created_at', 'orders.paid_at', 'second'), 0.5
        ) }} / 60.0 as median_minutes_to_pay
    from orders
    cross join benchmark_window
    where
        not orders.is_presale
        and orders.paid_at is not null
        and orders.paid_at <= benchmark_window.reminder_as_of_at
        and orders.created_at >= benchmark_window.benchmark_window_start_at
),

-- Share of the non-presale orders placed in the window that were paid by
-- the as-of moment.
payment_rate as (
    select
        count(*) as placed_orders_count,
        sum(
            case
                when orders.paid_at <= benchmark_window.reminder_as_of_at
                    then 1
                else 0
            end
        ) * 1.0 / nullif(count(*), 0) as payment_rate
    from orders
    cross join benchmark_window
    where
        not orders.is_presale
        and orders.created_at >= benchmark_window.benchmark_window_start_at
        and orders.created_at <= benchmark_window.reminder_as_of_at
),

order_values as (
    select
        {{ percentile('orders.paid_amount', var('phone_call_percentile')) }}
            as percentile_order_value,
        {{ percentile(
            'orders.paid_amount', var('second_reminder_percentile')
        ) }} as second_reminder_percentile_value
    from orders
    cross join benchmark_window
    where
        orders.is_valid_purchase
        and orders.created_at >= benchmark_window.benchmark_window_start_at
        and orders.created_at <= benchmark_window.reminder_as_of_at
),

benchmarks as (
    select
        time_to_pay.paid_orders_count,
        time_to_pay.average_minutes_to_pay,
        time_to_pay.median_minutes_to_pay,
        time_to_pay.{{ 'median' if threshold_statistic == 'median'
            else 'average' }}_minutes_to_pay as benchmark_minutes_to_pay
    from time_to_pay
),

final as (
    select
        benchmark_window.as_of_date,
        benchmark_window.reminder_as_of_at,
        benchmark_window.benchmark_window_start_at,
        {{ dbt.cast(
            dbt.cast('benchmark_window.reminder_as_of_at', 'date'),
            timestamp_type
        ) }} as reminder_day_start_at,
        benchmarks.paid_orders_count,
        benchmarks.average_minutes_to_pay,
        benchmarks.median_minutes_to_pay,
        benchmarks.benchmark_minutes_to_pay,
        -- A shop whose customers mostly pay within a minute would otherwise
        -- nag them seconds after checkout: never below the floor.
        cast(
            greatest(
                round(
                    benchmarks.benchmark_minutes_to_pay * 60
                    * {{ var('realtime_reminder_fraction') }},
                    0
                ),
                {{ var('realtime_reminder_min_minutes') }} * 60
            ) as bigint
        ) as realtime_threshold_seconds,
        order_values.percentile_order_value,
        {% if phone_call_min_amount is none -%}
            order_values.percentile_order_value
        {%- else -%}
            case
                when
                    order_values.percentile_order_value
                    < {{ phone_call_min_amount }}
                    then order_values.percentile_order_value
                else {{ phone_call_min_amount }}
            end
        {%- endif %} as phone_call_min_amount,
        payment_rate.placed_orders_count,
        payment_rate.payment_rate,
        coalesce(
            payment_rate.payment_rate
            < {{ var('second_reminder_max_payment_rate') }},
            false
        ) as is_low_payment_rate,
        {% if second_reminder_min_amount is none -%}
            order_values.second_reminder_percentile_value
        {%- else -%}
            case
                when
                    order_values.second_reminder_percentile_value
                    < {{ second_reminder_min_amount }}
                    then order_values.second_reminder_percentile_value
                else {{ second_reminder_min_amount }}
            end
        {%- endif %} as second_reminder_min_amount
    from benchmark_window
    cross join benchmarks
    cross join payment_rate
    cross join order_values
)

select * from final
