-- One row per first-purchase month and month since the first purchase
-- (0 to cohort_max_months), up to the month of the as-of date: how many of
-- the cohort bought in that month, and their share of the cohort.
{%- set max_months = var('cohort_max_months') %}

with

as_of as (
    select as_of_date from {{ ref('int_as_of_date_resolved') }}
),

purchases as (
    select
        customer_id,
        purchase_date
    from {{ ref('int_purchases_sequenced') }}
),

month_offsets as (
    select generated_number - 1 as months_since_first_purchase
    from ({{ dbt.generate_series(max_months + 1) }}) as series
),

customer_months as (
    select distinct
        customer_id,
        {{ dbt.cast(dbt.date_trunc('month', 'purchase_date'), 'date') }}
            as activity_month
    from purchases
),

customer_cohorts as (
    select
        customer_id,
        min(activity_month) as cohort_month
    from customer_months
    group by customer_id
),

cohort_sizes as (
    select
        cohort_month,
        count(*) as cohort_size
    from customer_cohorts
    group by cohort_month
),

cohort_activity as (
    select
        customer_cohorts.cohort_month,
        {{ dbt.datediff(
            'customer_cohorts.cohort_month', 'customer_months.activity_month',
            'month'
        ) }} as months_since_first_purchase,
        count(*) as active_customers
    from customer_months
    inner join customer_cohorts
        on customer_months.customer_id = customer_cohorts.customer_id
    group by
        customer_cohorts.cohort_month,
        {{ dbt.datediff(
            'customer_cohorts.cohort_month', 'customer_months.activity_month',
            'month'
        ) }}
),

-- Every cohort x offset whose month has started by the as-of date.
grid as (
    select
        cohort_sizes.cohort_month,
        cohort_sizes.cohort_size,
        month_offsets.months_since_first_purchase,
        {{ dbt.cast(
            dbt.dateadd(
                'month', 'month_offsets.months_since_first_purchase',
                'cohort_sizes.cohort_month'
            ),
            'date'
        ) }} as activity_month,
        as_of.as_of_date
    from cohort_sizes
    cross join month_offsets
    cross join as_of
),

final as (
    select
        grid.cohort_month,
        grid.activity_month,
        cast(grid.months_since_first_purchase as bigint)
            as months_since_first_purchase,
        cast(grid.cohort_size as bigint) as cohort_size,
        cast(coalesce(cohort_activity.active_customers, 0) as bigint)
            as active_customers,
        cast(
            coalesce(cohort_activity.active_customers, 0) as double
        ) / grid.cohort_size as retention_share,
        grid.as_of_date
        < {{ dbt.cast(
            dbt.dateadd('day', -1,
                dbt.dateadd('month', 1, 'grid.activity_month')),
            'date'
        ) }} as is_partial_month,
        grid.as_of_date
    from grid
    left join cohort_activity
        on
            grid.cohort_month = cohort_activity.cohort_month
            and grid.months_since_first_purchase
            = cohort_activity.months_since_first_purchase
    where grid.activity_month <= grid.as_of_date
)

select
    cohort_month,
    activity_month,
    months_since_first_purchase,
    cohort_size,
    active_customers,
    retention_share,
    is_partial_month,
    as_of_date
from final
