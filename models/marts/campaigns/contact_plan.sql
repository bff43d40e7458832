-- Every marketing message planned for a customer from the as-of date on, the
-- campaign's audiences and the new-customer nurture touchpoints, under one
-- contact cap: at most contact_cap_messages in any window of
-- contact_cap_days days and one a day, greedy in priority order (sources in
-- contact_plan_source_priority, then each source's own priority). Payment
-- reminders are service messages about an order the customer placed: not
-- marketing, outside the cap (payment_reminders).
{% set source_priority = var('contact_plan_source_priority') %}
{% set cap_steps = range(1, var('contact_cap_rounds') + 1) | list %}
{% for source in source_priority %}
    {% if source not in ['campaign_audiences', 'nurture_touchpoints'] %}
        {{ exceptions.raise_compiler_error(
            'contact_plan_source_priority: unknown source ' ~ source
            ~ '; use campaign_audiences and nurture_touchpoints'
        ) }}
    {% endif %}
{% endfor %}

with

campaign_messages as (
    select
        customer_id,
        audience,
        reason,
        channel,
        priority,
        send_date
    from {{ ref('int_campaign_audiences_planned') }}
    where not is_send_date_past
),

nurture_messages as (
    select
        customer_id,
        touchpoint,
        holiday_name,
        reason,
        channel,
        touchpoint_priority,
        is_due,
        due_date,
        as_of_date
    from {{ ref('int_nurture_touchpoints_planned') }}
    where is_due or due_date > as_of_date
),

as_of as (
    select as_of_date from {{ ref('int_as_of_date_resolved') }}
),

-- Due nurture touchpoints (within their grace days) go out on the as-of date.
messages as (
    select
        'campaign_audiences' as message_source,
        customer_id,
        audience as message,
        cast(null as {{ dbt.type_string() }}) as holiday_name,
        reason,
        channel,
        priority as source_priority,
        send_date,
        send_date as due_date
    from campaign_messages

    union all

    select
        'nurture_touchpoints' as message_source,
        customer_id,
        touchpoint as message,
        holiday_name,
        reason,
        channel,
        touchpoint_priority as source_priority,
        case when is_due then as_of_date else due_date end as send_date,
        due_date
    from nurture_messages
),

ranked as (
    select
        *,
        {{ dbt.datediff("cast('1970-01-01' as date)", 'send_date', 'day') }}
            as send_day,
        row_number() over (
            partition by customer_id
            order by
                case message_source
                    {%- for source in source_priority %}
                        when '{{ source }}' then {{ loop.index }}
                    {%- endfor %}
                end,
                source_priority,
                send_date,
                message,
                holiday_name
        ) as cap_rank
    from messages
),

-- The greedy cap: each customer's messages become one row (day_k, the k-th
-- message's send day). Step k decides message k against the kept ones before
-- it (contact_cap_is_kept), then updates window_count_j, the kept messages
-- in the contact_cap_days days from each message j's day on. One CTE per
-- step, each reading the one before, keeps the query linear in the steps (a
-- join per step grows the plan threefold a step on Spark). A message beyond
-- contact_cap_rounds is never decided: is_capped null fails its not_null
-- test.
{%- set cap_days = var('contact_cap_days') %}
cap_step_0 as (
    select
        {% for step in cap_steps -%}
            max(case when cap_rank = {{ step }} then send_day end)
                as day_{{ step }},
        {% endfor -%}
        customer_id
    from ranked
    group by customer_id
),

{% for step in cap_steps %}
    cap_decision_{{ step }} as (
        select
            *,
            {{ contact_cap_is_kept(
                step, var('contact_cap_messages'), cap_days
            ) }} as is_kept_{{ step }}
        from cap_step_{{ step - 1 }}
    ),

    cap_step_{{ step }} as (
        select
            customer_id,
            {% for other in cap_steps -%}
                day_{{ other }},
            {% endfor -%}
            {% for other in range(1, step) -%}
                is_kept_{{ other }},
                window_count_{{ other }} + case
                    when
                        is_kept_{{ step }}
                        and day_{{ step }} >= day_{{ other }}
                        and day_{{ step }} < day_{{ other }} + {{ cap_days }}
                        then 1
                    else 0
                end as window_count_{{ other }},
            {% endfor -%}
            is_kept_{{ step }},
            1
            {%- for other in range(1, step) %}
                + case
                    when
                        is_kept_{{ other }}
                        and day_{{ other }} >= day_{{ step }}
                        and day_{{ other }} < day_{{ step }} + {{ cap_days }}
                        then 1
                    else 0
                end
            {%- endfor %} as window_count_{{ step }}
        from cap_decision_{{ step }}
    ),
{% endfor %}

final as (
    select
        ranked.customer_id,
        ranked.message_source,
        ranked.message,
        ranked.holiday_name,
        ranked.reason,
        ranked.channel,
        cast(ranked.cap_rank as bigint) as cap_rank,
        case ranked.cap_rank
            {% for step in cap_steps -%}
                when {{ step }} then not cap_step.is_kept_{{ step }}
            {% endfor -%}
        end as is_capped,
        ranked.send_date,
        ranked.due_date,
        as_of.as_of_date
    from ranked
    inner join cap_step_{{ cap_steps | length }} as cap_step
        on ranked.customer_id = cap_step.customer_id
    cross join as_of
)

select
    customer_id,
    message_source,
    message,
    holiday_name,
    reason,
    channel,
    cap_rank,
    is_capped,
    send_date,
    due_date,
    as_of_date
from final
