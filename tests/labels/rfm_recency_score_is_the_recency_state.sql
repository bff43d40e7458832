-- With rfm_recency_scoring cycle (default) the RFM recency score is the
-- customer's recency state: 5 active, 4 silent, 3 sleeping, 2 churned,
-- 1 inactive. Returns the purchasers where the two disagree.
{{ config(enabled=var('rfm_recency_scoring') == 'cycle') }}

with

customer_rfm as (
    select
        customer_id,
        recency_score
    from {{ ref('customer_rfm') }}
),

customer_lifecycle as (
    select
        customer_id,
        recency_state,
        lifecycle_stage
    from {{ ref('customer_lifecycle') }}
    where purchases_count > 0
)

select
    customer_lifecycle.customer_id,
    customer_lifecycle.recency_state,
    customer_lifecycle.lifecycle_stage,
    customer_rfm.recency_score
from customer_lifecycle
left join customer_rfm
    on customer_lifecycle.customer_id = customer_rfm.customer_id
where
    customer_rfm.recency_score is null
    or customer_rfm.recency_score <> case
        when customer_lifecycle.lifecycle_stage = 'inactive' then 1
        when customer_lifecycle.recency_state = 'churned' then 2
        when customer_lifecycle.recency_state = 'sleeping' then 3
        when customer_lifecycle.recency_state = 'silent' then 4
        else 5
    end
