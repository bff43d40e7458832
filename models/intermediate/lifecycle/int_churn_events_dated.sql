-- One row per date on which the daily churn counts change, so that
-- churn_rate_daily is a running sum over a date spine instead of a cross join
-- of customers and days. A customer counts as having bought before day d from
-- the day after their first purchase. After a purchase p followed by the
-- customer's next purchase n (or none), the customer is churned on the days d
-- with p + churn_days <= d <= n (or up to the as-of date): one churn start
-- at p + churn_days and, when n exists, one churn end at n + 1.
{% set churn_days = var('churn_days') %}

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

purchase_spans as (
    select
        customer_id,
        purchase_number,
        purchase_date,
        lead(purchase_date) over (
            partition by customer_id
            order by purchase_number
        ) as next_purchase_date
    from purchases
),

churn_spans as (
    select
        cast(
            {{ dbt.dateadd('day', churn_days, 'purchase_date') }} as date
        ) as churn_start_date,
        cast(
            {{ dbt.dateadd('day', 1, 'next_purchase_date') }} as date
        ) as churn_end_date
    from purchase_spans
    where
        next_purchase_date is null
        or {{ dbt.datediff('purchase_date', 'next_purchase_date', 'day') }}
        >= {{ churn_days }}
),

events as (
    select
        cast(
            {{ dbt.dateadd('day', 1, 'purchase_date') }} as date
        ) as event_date,
        1 as new_customers_count,
        0 as churn_starts_count,
        0 as churn_ends_count
    from purchases
    where purchase_number = 1

    union all

    select
        churn_start_date as event_date,
        0 as new_customers_count,
        1 as churn_starts_count,
        0 as churn_ends_count
    from churn_spans

    union all

    select
        churn_end_date as event_date,
        0 as new_customers_count,
        0 as churn_starts_count,
        1 as churn_ends_count
    from churn_spans
    where churn_end_date is not null
),

final as (
    select
        events.event_date,
        cast(sum(events.new_customers_count) as bigint) as new_customers_count,
        cast(sum(events.churn_starts_count) as bigint) as churn_starts_count,
        cast(sum(events.churn_ends_count) as bigint) as churn_ends_count
    from events
    cross join as_of
    where events.event_date <= as_of.as_of_date
    group by events.event_date
)

select * from final
