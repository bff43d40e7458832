-- The new customers' nurture touchpoints (int_nurture_touchpoints_planned)
-- with the contact cap's verdict (contact_plan) on the ones still to send
-- (due now or later); a touchpoint no longer due is not capped.
with

planned as (
    select
        customer_id,
        touchpoint,
        holiday_name,
        reason,
        channel,
        days_after_first_purchase,
        is_due,
        due_date,
        first_purchase_date,
        as_of_date
    from {{ ref('int_nurture_touchpoints_planned') }}
),

contact_plan as (
    select
        customer_id,
        due_date,
        is_capped
    from {{ ref('contact_plan') }}
    where message_source = 'nurture_touchpoints'
),

final as (
    select
        planned.customer_id,
        planned.touchpoint,
        planned.holiday_name,
        planned.reason,
        planned.channel,
        planned.days_after_first_purchase,
        coalesce(contact_plan.is_capped, false) as is_capped,
        planned.is_due,
        planned.due_date,
        planned.first_purchase_date,
        planned.as_of_date
    from planned
    left join contact_plan
        on
            planned.customer_id = contact_plan.customer_id
            and planned.due_date = contact_plan.due_date
)

select
    customer_id,
    touchpoint,
    holiday_name,
    reason,
    channel,
    days_after_first_purchase,
    is_capped,
    is_due,
    due_date,
    first_purchase_date,
    as_of_date
from final
