-- customer_predictions has a row for every row of customer_lifetimes_summary
-- (relationships checks the other direction), with the same history.
with

summary as (
    select
        customer_id,
        frequency,
        recency_days,
        t_days
    from {{ ref('customer_lifetimes_summary') }}
),

predictions as (
    select
        customer_id,
        frequency,
        recency_days,
        t_days
    from {{ ref('customer_predictions') }}
)

select summary.customer_id
from summary
left join predictions
    on summary.customer_id = predictions.customer_id
where
    predictions.customer_id is null
    or predictions.frequency != summary.frequency
    or predictions.recency_days != summary.recency_days
    or predictions.t_days != summary.t_days
