-- The recency thresholds actually used, overall (category 'all') and per
-- category. With cycle_method customer_median (default) each repeat customer
-- contributes one value, the median of their intervals; with first_to_second,
-- their first interval; the active / silent / sleeping thresholds are
-- percentiles of those values over customers, rounded up to whole days. With
-- fixed_days the thresholds are the recency_*_days vars. Below
-- cycle_min_repeat_customers repeat customers the distribution is too thin:
-- 'all' falls back to the fixed days, a category to the 'all' thresholds.
{% set method = var('cycle_method') %}
{% set methods = ['customer_median', 'first_to_second', 'fixed_days'] %}
{% if method not in methods %}
    {{ exceptions.raise_compiler_error(
        'cycle_method must be one of ' ~ methods ~ ', got ' ~ method
    ) }}
{% endif %}
{% set customer_value = (
    'first_interval_days' if method == 'first_to_second'
    else 'median_interval_days'
) %}

with

customer_intervals as (
    select
        customer_id,
        category,
        intervals_count,
        {{ customer_value }} as customer_cycle_days
    from {{ ref('int_customer_intervals_summarized') }}
),

products as (
    select distinct category from {{ ref('stg_shop__products') }}
),

settings as (
    select
        cast('{{ method }}' as {{ dbt.type_string() }}) as cycle_method,
        {{ var('cycle_active_percentile') }} as active_percentile,
        {{ var('cycle_silent_percentile') }} as silent_percentile,
        {{ var('cycle_sleeping_percentile') }} as sleeping_percentile,
        {{ var('cycle_min_repeat_customers') }} as min_repeat_customers,
        {{ var('recency_active_days') }} as fixed_active_max_days,
        {{ var('recency_silent_days') }} as fixed_silent_max_days,
        {{ var('recency_sleeping_days') }} as fixed_sleeping_max_days
),

categories as (
    select cast('all' as {{ dbt.type_string() }}) as category

    union all

    select category from products
),

distributions as (
    select
        category,
        count(*) as repeat_customers_count,
        sum(intervals_count) as intervals_count,
        {{ percentile('customer_cycle_days', var('cycle_active_percentile')) }}
            as active_percentile_days,
        {{ percentile('customer_cycle_days', var('cycle_silent_percentile')) }}
            as silent_percentile_days,
        {{ percentile('customer_cycle_days', var('cycle_sleeping_percentile')) }}
            as sleeping_percentile_days
    from customer_intervals
    group by category
),

-- Percentiles are rounded to 1e-6 before rounding up to whole days, so that
-- floating noise in the interpolation (94.00000000000001) adds no day.
category_distributions as (
    select
        categories.category,
        coalesce(distributions.repeat_customers_count, 0)
            as repeat_customers_count,
        coalesce(distributions.intervals_count, 0) as intervals_count,
        cast(ceil(round(distributions.active_percentile_days, 6)) as bigint)
            as own_active_max_days,
        cast(ceil(round(distributions.silent_percentile_days, 6)) as bigint)
            as own_silent_max_days,
        cast(ceil(round(distributions.sleeping_percentile_days, 6)) as bigint)
            as own_sleeping_max_days,
        case
            when settings.cycle_method = 'fixed_days' then 'fixed_days'
            when
                coalesce(distributions.repeat_customers_count, 0)
                >= settings.min_repeat_customers
                then 'own_distribution'
            when categories.category = 'all' then 'fixed_days'
            else 'overall_fallback'
        end as threshold_source
    from categories
    cross join settings
    left join distributions
        on categories.category = distributions.category
),

resolved as (
    select
        category_distributions.category,
        category_distributions.threshold_source,
        category_distributions.repeat_customers_count,
        category_distributions.intervals_count,
        case category_distributions.threshold_source
            when 'own_distribution'
                then category_distributions.own_active_max_days
            when 'fixed_days' then settings.fixed_active_max_days
        end as active_max_days,
        case category_distributions.threshold_source
            when 'own_distribution'
                then category_distributions.own_silent_max_days
            when 'fixed_days' then settings.fixed_silent_max_days
        end as silent_max_days,
        case category_distributions.threshold_source
            when 'own_distribution'
                then category_distributions.own_sleeping_max_days
            when 'fixed_days' then settings.fixed_sleeping_max_days
        end as sleeping_max_days
    from category_distributions
    cross join settings
),

overall as (
    select
        threshold_source,
        active_max_days,
        silent_max_days,
        sleeping_max_days
    from resolved
    where category = 'all'
),

-- The percentiles are published only where the thresholds come from them.
percentile_based as (
    select
        resolved.*,
        resolved.threshold_source = 'own_distribution'
        or (
            resolved.threshold_source = 'overall_fallback'
            and overall.threshold_source = 'own_distribution'
        ) as is_percentile_based
    from resolved
    cross join overall
),

final as (
    select
        percentile_based.category,
        settings.cycle_method,
        percentile_based.threshold_source,
        case
            when percentile_based.is_percentile_based then settings.active_percentile
        end as active_percentile,
        case
            when percentile_based.is_percentile_based then settings.silent_percentile
        end as silent_percentile,
        case
            when percentile_based.is_percentile_based then settings.sleeping_percentile
        end as sleeping_percentile,
        percentile_based.repeat_customers_count,
        percentile_based.intervals_count,
        coalesce(percentile_based.active_max_days, overall.active_max_days)
            as active_max_days,
        coalesce(percentile_based.silent_max_days, overall.silent_max_days)
            as silent_max_days,
        coalesce(percentile_based.sleeping_max_days, overall.sleeping_max_days)
            as sleeping_max_days
    from percentile_based
    cross join settings
    cross join overall
)

select
    category,
    cycle_method,
    threshold_source,
    cast(active_percentile as double) as active_percentile,
    cast(silent_percentile as double) as silent_percentile,
    cast(sleeping_percentile as double) as sleeping_percentile,
    cast(repeat_customers_count as bigint) as repeat_customers_count,
    cast(intervals_count as bigint) as intervals_count,
    cast(active_max_days as bigint) as active_max_days,
    cast(silent_max_days as bigint) as silent_max_days,
    cast(sleeping_max_days as bigint) as sleeping_max_days
from final
