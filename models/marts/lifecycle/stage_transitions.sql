-- Month-to-month moves of purchasers between lifecycle stages and between
-- recency states, from customer_stage_history. A customer whose first
-- purchase falls in the month moves from 'prospect'. share_of_from_customers
-- is the share of the from-group that made the move: for recency_state moves
-- from sleeping or churned to active it is the month's reactivation rate.
with

history as (
    select
        customer_id,
        recency_state,
        lifecycle_stage,
        month_end_date
    from {{ ref('customer_stage_history') }}
),

paired as (
    select
        customer_id,
        month_end_date,
        recency_state,
        lifecycle_stage,
        lag(recency_state) over (
            partition by customer_id order by month_end_date
        ) as previous_recency_state,
        lag(lifecycle_stage) over (
            partition by customer_id order by month_end_date
        ) as previous_lifecycle_stage
    from history
),

moves as (
    select
        month_end_date,
        'lifecycle_stage' as transition_type,
        coalesce(previous_lifecycle_stage, 'prospect') as from_state,
        lifecycle_stage as to_state
    from paired

    union all

    select
        month_end_date,
        'recency_state' as transition_type,
        coalesce(previous_recency_state, 'prospect') as from_state,
        recency_state as to_state
    from paired
),

counted as (
    select
        month_end_date,
        transition_type,
        from_state,
        to_state,
        count(*) as customers_count
    from moves
    group by month_end_date, transition_type, from_state, to_state
),

final as (
    select
        *,
        1.0 * customers_count / sum(customers_count) over (
            partition by month_end_date, transition_type, from_state
        ) as share_of_from_customers
    from counted
)

select
    transition_type,
    from_state,
    to_state,
    cast(customers_count as bigint) as customers_count,
    cast(share_of_from_customers as double) as share_of_from_customers,
    month_end_date
from final
