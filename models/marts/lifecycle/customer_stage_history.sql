-- The recency state and lifecycle stage of every purchaser at every month end
-- from their first purchase to the as-of date, re-evaluated as of that month
-- end with the same macros as customer_lifecycle (and the shop's current
-- cycle thresholds), so that a month end's row is what customer_lifecycle
-- would have said on that day. Portable SQL: no snapshots.
with

purchases as (
    select
        customer_id,
        purchase_number,
        purchase_date
    from {{ ref('int_purchases_sequenced') }}
),

as_of as (
    select as_of_date from {{ ref('int_as_of_date_resolved') }}
),

repurchase_cycle as (
    select
        active_max_days,
        silent_max_days,
        sleeping_max_days
    from {{ ref('repurchase_cycle') }}
    where category = 'all'
),

first_purchases as (
    select
        customer_id,
        purchase_date as first_purchase_date
    from purchases
    where purchase_number = 1
),

purchase_spans as (
    select
        purchases.customer_id,
        purchases.purchase_number,
        purchases.purchase_date,
        lead(purchases.purchase_date) over (
            partition by purchases.customer_id
            order by purchases.purchase_number
        ) as next_purchase_date
    from purchases
),

history_bounds as (
    select
        min(purchases.purchase_date) as first_date,
        as_of.as_of_date
    from purchases
    cross join as_of
    group by as_of.as_of_date
),

-- First days of the months from the first purchase's to the as-of date's.
months as (
    {{ date_series(
        dbt.date_trunc('month', 'history_bounds.first_date'),
        'history_bounds.as_of_date',
        'month',
        'history_bounds',
        ['first_date', 'as_of_date']
    ) }}
),

month_ends as (
    select
        cast({{ dbt.last_day('series_date', 'month') }} as date)
            as month_end_date
    from months
    where
        cast({{ dbt.last_day('series_date', 'month') }} as date)
        between first_date and as_of_date
),

standing as (
    -- The purchase that is a customer's latest at each month end.
    select
        purchase_spans.customer_id,
        month_ends.month_end_date,
        purchase_spans.purchase_number as purchases_count,
        {{ dbt.datediff(
            'purchase_spans.purchase_date', 'month_ends.month_end_date', 'day'
        ) }} as days_since_last_purchase
    from purchase_spans
    inner join month_ends
        on
            purchase_spans.purchase_date <= month_ends.month_end_date
            and (
                purchase_spans.next_purchase_date is null
                or purchase_spans.next_purchase_date > month_ends.month_end_date
            )
),

with_recency as (
    select
        standing.*,
        {{ dbt.datediff(
            'first_purchases.first_purchase_date',
            'standing.month_end_date',
            'day'
        ) }} as tenure_days,
        {{ classify_recency_state(
            'standing.purchases_count',
            'standing.days_since_last_purchase',
            'repurchase_cycle.active_max_days',
            'repurchase_cycle.silent_max_days',
            'repurchase_cycle.sleeping_max_days'
        ) }} as recency_state
    from standing
    inner join first_purchases
        on standing.customer_id = first_purchases.customer_id
    cross join repurchase_cycle
),

final as (
    select
        customer_id,
        recency_state,
        {{ classify_lifecycle_stage(
            'purchases_count',
            'days_since_last_purchase',
            'tenure_days',
            'recency_state'
        ) }} as lifecycle_stage,
        purchases_count,
        days_since_last_purchase,
        tenure_days,
        month_end_date
    from with_recency
)

select
    customer_id,
    recency_state,
    lifecycle_stage,
    cast(purchases_count as bigint) as purchases_count,
    cast(days_since_last_purchase as bigint) as days_since_last_purchase,
    cast(tenure_days as bigint) as tenure_days,
    month_end_date
from final
