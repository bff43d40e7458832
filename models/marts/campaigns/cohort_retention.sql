-- One row per first-purchase month and month since the first purchase
-- (0 to cohort_max_months; null: every month), up to the month of the as-of
-- date: how many of the cohort bought in that month, and their share of the
-- cohort. The months are a series per cohort, from the data.
{%- set max_months_var = var('cohort_max_months') %}
{%- set max_months = (
    none if max_months_var is none
    or max_months_var | string | trim | lower in ('', 'none', 'null')
    else max_months_var | int
) %}

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

-- The last month of each cohort's row: the as-of date's month, or
-- cohort_max_months after the cohort's when that is earlier.
cohort_bounds as (
    select
        cohort_sizes.cohort_month,
        cohort_sizes.cohort_size,
        as_of.as_of_date,
        {% if max_months is none -%}
            {{ dbt.cast(dbt.date_trunc('month', 'as_of.as_of_date'), 'date') }}
        {%- else -%}
            least(
                {{ dbt.cast(
                    dbt.date_trunc('month', 'as_of.as_of_date'), 'date'
                ) }},
                {{ dbt.cast(
                    dbt.dateadd(
                        'month', max_months, 'cohort_sizes.cohort_month'
                    ),
                    'date'
                ) }}
            )
        {%- endif %} as last_activity_month
    from cohort_sizes
    cross join as_of
),

-- Every cohort x month whose month has started by the as-of date.
cohort_months as (
    {{ date_series(
        'cohort_month',
        'last_activity_month',
        'month',
        'cohort_bounds',
        ['cohort_month', 'cohort_size', 'as_of_date']
    ) }}
),

grid as (
    select
        cohort_month,
        cohort_size,
        {{ dbt.datediff('cohort_month', 'series_date', 'month') }}
            as months_since_first_purchase,
        series_date as activity_month,
        as_of_date
    from cohort_months
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
