-- One row per product on sale by the as-of date: its role (traffic, profit,
-- potential, marginal or standard), the measures behind the call and the
-- cuts they were compared with. Growth does not override a traffic or
-- profit role (is_growing still shows it); a product whose unit cost is
-- unknown has no margin, so it is never traffic or profit.
{%- set string_type = api.Column.translate_type('string') %}
{%- set window_days = var('product_growth_window_days') %}

{#- A threshold var left null falls back to the shop's own figure. -#}
{%- set optional_cuts = {} %}
{%- for name in [
    'traffic_min_first_time_share', 'traffic_min_buyers',
    'product_margin_rate_cut', 'profit_min_repeat_buyer_share',
    'marginal_max_units', 'marginal_max_bought_with_others_share'
] %}
    {%- do optional_cuts.update(
        {name: 'null' if var(name) is none else var(name)}
    ) %}
{%- endfor %}


{#- The role_reason of each role, with its figures. -#}
{%- set potential_reason %}
    case
        when is_new_launch
            then {{ dbt.concat([
                "'New launch ('",
                dbt.cast('launch_date', string_type),
                "'): '",
                dbt.cast('recent_units', string_type),
                "' units in the last " ~ window_days ~ " days'",
            ]) }}
        else {{ dbt.concat([
            dbt.cast('recent_units', string_type),
            "' units in the last " ~ window_days ~ " days against '",
            dbt.cast('prior_units', string_type),
            "case when growth_baseline = 'same_window_last_year'"
            ~ " then ' in the same days a year earlier'"
            ~ " else ' in the " ~ window_days ~ " days before' end",
        ]) }}
    end
{%- endset %}
{%- set traffic_reason = dbt.concat([
    "'Brings first-time buyers ('",
    dbt.cast('cast(round(first_time_buyer_share * 100, 0) as bigint)', string_type),
    "'% of its buyers) at a low margin ('",
    dbt.cast('cast(round(margin_rate * 100, 0) as bigint)', string_type),
    "'%)'",
]) %}
{%- set profit_reason = dbt.concat([
    "'High margin ('",
    dbt.cast('cast(round(margin_rate * 100, 0) as bigint)', string_type),
    "'%), bought again by '",
    dbt.cast('cast(round(repeat_buyer_share * 100, 0) as bigint)', string_type),
    "'% of its buyers'",
]) %}
{%- set marginal_reason %}
    case
        when buyers_count = 0 then 'Never sold'
        else {{ dbt.concat([
            "'Low sales ('",
            dbt.cast('units_sold', string_type),
            "' units), '",
            dbt.cast('cast(round(repeat_buyer_share * 100, 0) as bigint)', string_type),
            "'% of its buyers back, '",
            dbt.cast(
                'cast(round(bought_with_others_share * 100, 0) as bigint)', string_type
            ),
            "'% of its purchases with other products'",
        ]) }}
    end
{%- endset %}
{%- set standard_reason %}
    case
        when not is_cost_known
            then 'Unit cost unknown: no margin for traffic or profit'
        else 'None of the role rules apply'
    end
{%- endset %}

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
        -- In doubles: Spark rounds decimal(38, 9) - decimal(38, 2) to six
        -- places, DuckDB does not.
        (cast(net_revenue as double) - cast(cost_amount as double))
        / nullif(cast(net_revenue as double), 0) as margin_rate,
        cast(recent_units - prior_units as double) / nullif(prior_units, 0)
            as growth_rate,
        cast(purchases_with_other_products_count as double)
        / nullif(purchases_count, 0) as bought_with_others_share
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
            as percentile_units_sold,
        {{ percentile('bought_with_others_share', 0.5) }}
            as median_bought_with_others_share
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
        ) as marginal_units_cut,
        cast(
            coalesce(
                {{ optional_cuts['marginal_max_bought_with_others_share'] }},
                median_bought_with_others_share
            ) as double
        ) as bought_with_others_share_cut
    from shop_medians
),

growth_flagged as (
    select
        *,
        recent_units >= {{ var('potential_min_recent_units') }}
        and (
            is_new_launch
            or prior_units = 0
            or growth_rate >= {{ var('potential_min_growth_rate') }}
        ) as is_growing
    from measured
),

-- First match wins: traffic, profit, potential, marginal, else standard.
-- A margin is needed for traffic and profit: with the unit cost unknown
-- margin_rate is null and neither applies.
roles as (
    select
        growth_flagged.*,
        cuts.first_time_share_cut,
        cuts.buyers_cut,
        cuts.margin_rate_cut,
        cuts.repeat_buyer_share_cut,
        cuts.marginal_units_cut,
        cuts.bought_with_others_share_cut,
        case
            when
                growth_flagged.first_time_buyer_share >= cuts.first_time_share_cut
                and growth_flagged.buyers_count >= cuts.buyers_cut
                and growth_flagged.margin_rate < cuts.margin_rate_cut
                then 'traffic'
            when
                growth_flagged.margin_rate >= cuts.margin_rate_cut
                and growth_flagged.repeat_buyer_share
                >= cuts.repeat_buyer_share_cut
                then 'profit'
            when growth_flagged.is_growing then 'potential'
            when
                growth_flagged.units_sold <= cuts.marginal_units_cut
                and (
                    growth_flagged.buyers_count = 0
                    or (
                        growth_flagged.repeat_buyer_share
                        < cuts.repeat_buyer_share_cut
                        and growth_flagged.bought_with_others_share
                        < cuts.bought_with_others_share_cut
                    )
                )
                then 'marginal'
            else 'standard'
        end as product_role
    from growth_flagged
    cross join cuts
),

final as (
    select
        product_id,
        product_name,
        category,
        product_role,
        case product_role
            when 'potential' then {{ potential_reason }}
            when 'traffic' then {{ traffic_reason }}
            when 'profit' then {{ profit_reason }}
            when 'marginal' then {{ marginal_reason }}
            when 'standard' then {{ standard_reason }}
        end as role_reason,
        cast(units_sold as bigint) as units_sold,
        cast(buyers_count as bigint) as buyers_count,
        cast(first_time_buyers_count as bigint) as first_time_buyers_count,
        cast(repeat_buyers_count as bigint) as repeat_buyers_count,
        cast(purchases_count as bigint) as purchases_count,
        cast(recent_units as bigint) as recent_units,
        cast(prior_units as bigint) as prior_units,
        cast(net_revenue as decimal(18, 2)) as net_revenue,
        cast(first_time_buyer_share as double) as first_time_buyer_share,
        cast(repeat_buyer_share as double) as repeat_buyer_share,
        cast(margin_rate as double) as margin_rate,
        cast(growth_rate as double) as growth_rate,
        cast(bought_with_others_share as double) as bought_with_others_share,
        cast(first_time_share_cut as double) as first_time_share_cut,
        cast(buyers_cut as double) as buyers_cut,
        cast(margin_rate_cut as double) as margin_rate_cut,
        cast(repeat_buyer_share_cut as double) as repeat_buyer_share_cut,
        cast(marginal_units_cut as double) as marginal_units_cut,
        cast(bought_with_others_share_cut as double)
            as bought_with_others_share_cut,
        is_growing,
        is_new_launch,
        is_cost_known,
        growth_baseline,
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
    growth_baseline,
    units_sold,
    buyers_count,
    first_time_buyers_count,
    repeat_buyers_count,
    purchases_count,
    recent_units,
    prior_units,
    net_revenue,
    first_time_buyer_share,
    repeat_buyer_share,
    margin_rate,
    growth_rate,
    bought_with_others_share,
    first_time_share_cut,
    buyers_cut,
    margin_rate_cut,
    repeat_buyer_share_cut,
    marginal_units_cut,
    bought_with_others_share_cut,
    is_growing,
    is_new_launch,
    is_cost_known,
    launch_date,
    as_of_date
from final
