-- Where each customer stands as of the as-of date: recency state against the
-- shop's repurchase cycle ('all' row of repurchase_cycle), how overdue they
-- are against their own cycle, consumable dormancy, and lifecycle stage with
-- the kind of churn.
{% set value_measure = var('dormant_value_measure') %}
{% if value_measure not in ['net_revenue', 'average_order_value'] %}
    {{ exceptions.raise_compiler_error(
        'dormant_value_measure must be net_revenue or average_order_value, got '
        ~ value_measure
    ) }}
{% endif %}

with

customers as (
    select
        customer_id,
        purchases_count,
        net_revenue,
        average_order_value,
        median_interval_days,
        tenure_days,
        days_since_last_purchase,
        last_purchase_date,
        as_of_date
    from {{ ref('customers') }}
),

repurchase_cycle as (
    select
        active_max_days,
        silent_max_days,
        sleeping_max_days
    from {{ ref('repurchase_cycle') }}
    where category = 'all'
),

consumption as (
    select
        customer_id,
        consumption_period_days,
        expected_repurchase_date,
        dormant_after_date
    from {{ ref('int_customer_consumption_projected') }}
),

seasons as (
    select
        customer_id,
        top_season_name,
        top_season_years_count,
        top_season_share,
        next_top_season_start_date
    from {{ ref('int_customer_seasons_ranked') }}
),

value_median as (
    select {{ percentile(value_measure, 0.5) }} as median_value
    from customers
    where purchases_count > 0
),

-- Recency and stage rules live in macros/lifecycle so that
-- customer_stage_history applies the very same ones at every month end.
recency as (
    select
        customers.*,
        repurchase_cycle.active_max_days,
        {{ classify_recency_state(
            'customers.purchases_count',
            'customers.days_since_last_purchase',
            'repurchase_cycle.active_max_days',
            'repurchase_cycle.silent_max_days',
            'repurchase_cycle.sleeping_max_days'
        ) }} as recency_state
    from customers
    cross join repurchase_cycle
),

staged as (
    select
        recency.*,
        {{ classify_lifecycle_stage(
            'recency.purchases_count',
            'recency.days_since_last_purchase',
            'recency.tenure_days',
            'recency.recency_state'
        ) }} as lifecycle_stage
    from recency
),

classified as (
    select
        staged.customer_id,
        staged.recency_state,
        staged.lifecycle_stage,
        case
            when staged.lifecycle_stage = 'churned'
                then
                    case
                        when
                            seasons.top_season_years_count
                            >= {{ var('seasonal_min_years') }}
                            and seasons.top_season_share
                            >= {{ var('seasonal_cluster_share') }}
                            and staged.as_of_date
                            < seasons.next_top_season_start_date
                            then 'seasonal'
                        when
                            staged.days_since_last_purchase
                            <= {{ var('long_term_churn_days') }}
                            then 'short_term'
                        else 'long_term'
                    end
        end as churn_type,
        case
            when consumption.customer_id is null then null
            when staged.as_of_date <= consumption.expected_repurchase_date
                then 'not_due'
            when staged.as_of_date <= consumption.dormant_after_date
                then 'pre_dormant'
            else 'dormant'
        end as consumable_state,
        seasons.top_season_name,
        staged.purchases_count,
        staged.days_since_last_purchase,
        staged.tenure_days,
        coalesce(staged.median_interval_days, staged.active_max_days)
            as typical_interval_days,
        staged.{{ value_measure }} as historical_value,
        consumption.consumption_period_days,
        seasons.top_season_years_count,
        seasons.top_season_share,
        seasons.top_season_years_count >= {{ var('seasonal_min_years') }}
        and seasons.top_season_share >= {{ var('seasonal_cluster_share') }}
            as is_seasonal_buyer,
        staged.last_purchase_date,
        consumption.expected_repurchase_date,
        consumption.dormant_after_date,
        seasons.next_top_season_start_date,
        staged.as_of_date
    from staged
    left join consumption
        on staged.customer_id = consumption.customer_id
    left join seasons
        on staged.customer_id = seasons.customer_id
),

final as (
    select
        classified.customer_id,
        classified.recency_state,
        classified.lifecycle_stage,
        classified.churn_type,
        classified.consumable_state,
        case
            when classified.consumable_state = 'dormant'
                then
                    case
                        when
                            classified.historical_value
                            > value_median.median_value
                            then 'high'
                        else 'low'
                    end
        end as dormant_value_tier,
        classified.top_season_name,
        classified.purchases_count,
        classified.days_since_last_purchase,
        classified.tenure_days,
        case
            when classified.purchases_count > 0
                then classified.typical_interval_days
        end as typical_interval_days,
        classified.days_since_last_purchase
        / nullif(classified.typical_interval_days, 0) as overdue_ratio,
        classified.consumption_period_days,
        classified.top_season_years_count,
        classified.top_season_share,
        coalesce(classified.is_seasonal_buyer, false) as is_seasonal_buyer,
        classified.last_purchase_date,
        classified.expected_repurchase_date,
        classified.dormant_after_date,
        classified.next_top_season_start_date,
        classified.as_of_date
    from classified
    cross join value_median
)

select
    customer_id,
    recency_state,
    lifecycle_stage,
    churn_type,
    consumable_state,
    dormant_value_tier,
    top_season_name,
    cast(purchases_count as bigint) as purchases_count,
    cast(days_since_last_purchase as bigint) as days_since_last_purchase,
    cast(tenure_days as bigint) as tenure_days,
    cast(typical_interval_days as double) as typical_interval_days,
    cast(overdue_ratio as double) as overdue_ratio,
    cast(consumption_period_days as bigint) as consumption_period_days,
    cast(top_season_years_count as bigint) as top_season_years_count,
    cast(top_season_share as double) as top_season_share,
    is_seasonal_buyer,
    last_purchase_date,
    expected_repurchase_date,
    dormant_after_date,
    next_top_season_start_date,
    as_of_date
from final
