-- One row per product on sale by the as-of date: its role (potential,
-- traffic, profit, marginal or standard), the measures behind the call and
-- the cuts they were compared with.
{%- set string_type = api.Column.translate_type('string') %}

{#- A threshold var left null falls back to the shop's own figure. -#}
{%- set optional_cuts = {} %}
{%- for name in [
    'traffic_min_first_time_share', 'traffic_min_buyers',
    'product_margin_rate_cut', 'profit_min_repeat_buyer_share',
    'marginal_max_units'
] %}
    {%- do optional_cuts.update(
        {name: 'null' if var(name) is none else var(name)}
    ) %}
{%- endfor %}

with

product_sales as (
    select * from {{ ref('int_product_sales_measured') }}
),

measured as (
    select
        *,
        -- Ratios in double on every engine (Spark would keep decimals).
        cast(first_time_buyers_count as double) / nullif(buyers_count, 0)
            as first_time_buyer_share,
        cast(repeat_buyers_count as double) / nullif(buyers_count, 0)
            as repeat_buyer_share,
        cast(net_revenue - cost_amount as double) / nullif(net_revenue, 0)
            as margin_rate,
        cast(recent_units - prior_units as double) / nullif(prior_units, 0)
            as growth_rate
    from product_sales
),

-- The shop's medians (and the units percentile) over the products with sales.
shop_medians as (
    select
        {{ percentile('first_time_buyer_share', 0.5) }}
            as median_first_time_buyer_share,
        {{ percentile('buyers_count', 0.5) }} as median_buyers_count,
        {{ percentile('margin_rate', 0.5) }} as median_margin_rate,
        {{ percentile('repeat_buyer_share', 0.5) }}
            as median_repeat_buyer_share,
        {{ percentile('units_sold', var('marginal_units_percentile')) }}
            as percentile_units_sold
    from measured
    where buyers_count > 0
),

cuts as (
    select
        cast(
            coalesce(
                {{ optional_cuts['traffic_min_first_time_share'] }},
                median_first_time_buyer_share
            ) as double
        ) as first_time_share_cut,
        cast(
            coalesce(
                {{ optional_cuts['traffic_min_buyers'] }},
                median_buyers_count
            ) as double
        ) as buyers_cut,
        cast(
            coalesce(
                {{ optional_cuts['product_margin_rate_cut'] }},
                median_margin_rate
            ) as double
        ) as margin_rate_cut,
        cast(
            coalesce(
                {{ optional_cuts['profit_min_repeat_buyer_share'] }},
                median_repeat_buyer_share
            ) as double
        ) as repeat_buyer_share_cut,
        cast(
            coalesce(
                {{ optional_cuts['marginal_max_units'] }},
                percentile_units_sold
            ) as double
        ) as marginal_units_cut
    from shop_medians
),

-- First match wins: potential, traffic, profit, marginal, else standard.
roles as (
    select
        measured.*,
        cuts.first_time_share_cut,
        cuts.buyers_cut,
        cuts.margin_rate_cut,
        cuts.repeat_buyer_share_cut,
        cuts.marginal_units_cut,
        case
            when
                measured.recent_units >= {{ var('potential_min_recent_units') }}
                and (
                    measured.prior_units = 0
                    or measured.growth_rate
                    >= {{ var('potential_min_growth_rate') }}
                )
                then 'potential'
            when
                measured.first_time_buyer_share >= cuts.first_time_share_cut
                and measured.buyers_count >= cuts.buyers_cut
                and measured.margin_rate < cuts.margin_rate_cut
                then 'traffic'
            when
                measured.margin_rate >= cuts.margin_rate_cut
                and measured.repeat_buyer_share >= cuts.repeat_buyer_share_cut
                then 'profit'
            when
                measured.units_sold <= cuts.marginal_units_cut
                and (
                    measured.buyers_count = 0
                    or measured.repeat_buyer_share < cuts.repeat_buyer_share_cut
                )
                then 'marginal'
            else 'standard'
        end as product_role
    from measured
    cross join cuts
),

final as (
    select
        product_id,
        product_name,
        category,
        product_role,
        case product_role
            when 'potential' then {{ dbt.concat([
                dbt.cast('recent_units', string_type),
                "' units in the last " ~ var('product_growth_window_days')
                ~ " days against '",
                dbt.cast('prior_units', string_type),
                "' in the " ~ var('product_growth_window_days')
                ~ " days before'",
            ]) }}
            when 'traffic' then {{ dbt.concat([
                "'Brings first-time buyers ('",
                dbt.cast(
                    'cast(round(first_time_buyer_share * 100, 0) as bigint)',
                    string_type
                ),
                "'% of its buyers) at a low margin ('",
                dbt.cast(
                    'cast(round(margin_rate * 100, 0) as bigint)', string_type
                ),
                "'%)'",
            ]) }}
            when 'profit' then {{ dbt.concat([
                "'High margin ('",
                dbt.cast(
                    'cast(round(margin_rate * 100, 0) as bigint)', string_type
                ),
                "'%), bought again by '",
                dbt.cast(
                    'cast(round(repeat_buyer_share * 100, 0) as bigint)',
                    string_type
                ),
                "'% of its buyers'",
            ]) }}
            when 'marginal' then {{ dbt.concat([
                "'Low sales ('",
                dbt.cast('units_sold', string_type),
                "' units) and few buyers back'",
            ]) }}
            else 'None of the role rules apply'
        end as role_reason,
        cast(units_sold as bigint) as units_sold,
        cast(buyers_count as bigint) as buyers_count,
        cast(first_time_buyers_count as bigint) as first_time_buyers_count,
        cast(repeat_buyers_count as bigint) as repeat_buyers_count,
        cast(recent_units as bigint) as recent_units,
        cast(prior_units as bigint) as prior_units,
        cast(net_revenue as decimal(18, 2)) as net_revenue,
        cast(first_time_buyer_share as double) as first_time_buyer_share,
        cast(repeat_buyer_share as double) as repeat_buyer_share,
        cast(margin_rate as double) as margin_rate,
        cast(growth_rate as double) as growth_rate,
        cast(first_time_share_cut as double) as first_time_share_cut,
        cast(buyers_cut as double) as buyers_cut,
        cast(margin_rate_cut as double) as margin_rate_cut,
        cast(repeat_buyer_share_cut as double) as repeat_buyer_share_cut,
        cast(marginal_units_cut as double) as marginal_units_cut,
        launch_date,
        as_of_date
    from roles
)

select
    product_id,
    product_name,
    category,
    product_role,
    role_reason,
    units_sold,
    buyers_count,
    first_time_buyers_count,
    repeat_buyers_count,
    recent_units,
    prior_units,
    net_revenue,
    first_time_buyer_share,
    repeat_buyer_share,
    margin_rate,
    growth_rate,
    first_time_share_cut,
    buyers_cut,
    margin_rate_cut,
    repeat_buyer_share_cut,
    marginal_units_cut,
    launch_date,
    as_of_date
from final
