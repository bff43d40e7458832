-- customer_stage_history re-evaluates the stage at each month end with the
-- same logic as customer_lifecycle: when the as-of date is a month end, the
-- two must agree on every purchaser's recency state and stage.
with

lifecycle as (
    select
        customer_id,
        recency_state,
        lifecycle_stage,
        as_of_date
    from {{ ref('customer_lifecycle') }}
    where purchases_count > 0
),

history as (
    select
        customer_id,
        recency_state,
        lifecycle_stage,
        month_end_date
    from {{ ref('customer_stage_history') }}
)

select
    lifecycle.customer_id,
    lifecycle.lifecycle_stage,
    history.lifecycle_stage as history_lifecycle_stage,
    lifecycle.recency_state,
    history.recency_state as history_recency_state
from lifecycle
inner join history
    on
        lifecycle.customer_id = history.customer_id
        and lifecycle.as_of_date = history.month_end_date
where
    lifecycle.lifecycle_stage <> history.lifecycle_stage
    or lifecycle.recency_state <> history.recency_state
