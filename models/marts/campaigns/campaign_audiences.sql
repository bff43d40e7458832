-- The campaign's audiences (int_campaign_audiences_planned: who, why, when,
-- on which channel) with the contact cap's verdict (contact_plan): a row
-- that loses its slot is capped and the audience files leave it out. A row
-- whose send date is past is not sent and not capped.
with

planned as (
    select
        campaign_name,
        customer_id,
        audience,
        goal,
        reason_code,
        reason,
        channel,
        priority,
        is_send_date_past,
        send_date,
        campaign_peak_date,
        as_of_date
    from {{ ref('int_campaign_audiences_planned') }}
),

contact_plan as (
    select
        customer_id,
        message,
        is_capped
    from {{ ref('contact_plan') }}
    where message_source = 'campaign_audiences'
),

final as (
    select
        planned.campaign_name,
        planned.customer_id,
        planned.audience,
        planned.goal,
        planned.reason_code,
        planned.reason,
        planned.channel,
        planned.priority,
        case
            when planned.is_send_date_past then false
            else contact_plan.is_capped
        end as is_capped,
        planned.is_send_date_past,
        planned.send_date,
        planned.campaign_peak_date,
        planned.as_of_date
    from planned
    left join contact_plan
        on
            planned.customer_id = contact_plan.customer_id
            and planned.audience = contact_plan.message
)

select
    campaign_name,
    customer_id,
    audience,
    goal,
    reason_code,
    reason,
    channel,
    priority,
    is_capped,
    is_send_date_past,
    send_date,
    campaign_peak_date,
    as_of_date
from final
