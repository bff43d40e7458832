-- One row per product category and season: what the category sold in that
-- season over the history window, and that season's share of the category's
-- sales (shares sum to 1 per category), so each season's push list can match
-- what the season sells.
{% set lookback_var = var('category_season_lookback_days') %}
{% set lookback_days = (
    none if lookback_var is none
    or lookback_var | string | trim | lower in ('', 'none', 'null')
    else lookback_var | int
) %}

with

order_lines as (
    select
        category,
        season_name,
        quantity,
        net_revenue,
        created_date
    from {{ ref('int_order_lines_revenue_allocated') }}
    where season_name is not null
),

seasons as (
    select distinct season_name
    from {{ ref('int_seasons_positioned') }}
),

as_of as (
    select as_of_date from {{ ref('int_as_of_date_resolved') }}
),

history as (
    select order_lines.*
    from order_lines
    {% if lookback_days is not none -%}
        cross join as_of
        where
            order_lines.created_date > {{ dbt.dateadd(
                'day', -1 * lookback_days, 'as_of.as_of_date'
            ) }}
    {%- endif %}
),

history_bounds as (
    select min(created_date) as first_sale_date
    from history
),

history_window as (
    select
        {% if lookback_days is not none -%}
            cast(
                {{ dbt.dateadd('day', 1 - lookback_days, 'as_of.as_of_date') }}
                as date
            )
        {%- else -%}
            history_bounds.first_sale_date
        {%- endif %} as history_start_date,
        as_of.as_of_date
    from as_of
    cross join history_bounds
),

category_season_sales as (
    select
        category,
        season_name,
        sum(quantity) as items_count,
        sum(net_revenue) as net_revenue
    from history
    group by category, season_name
),

category_sales as (
    select
        category,
        sum(items_count) as items_count,
        sum(net_revenue) as net_revenue
    from category_season_sales
    group by category
),

season_sales as (
    select
        season_name,
        sum(net_revenue) as net_revenue
    from category_season_sales
    group by season_name
),

shop_sales as (
    select sum(net_revenue) as net_revenue
    from category_season_sales
),

final as (
    select
        category_sales.category,
        seasons.season_name,
        coalesce(category_season_sales.items_count, 0) as items_count,
        coalesce(category_season_sales.net_revenue, 0) as net_revenue,
        cast(coalesce(category_season_sales.items_count, 0) as double)
        / nullif(category_sales.items_count, 0) as items_share,
        cast(coalesce(category_season_sales.net_revenue, 0) as double)
        / nullif(category_sales.net_revenue, 0) as revenue_share,
        (
            cast(coalesce(category_season_sales.net_revenue, 0) as double)
            / nullif(category_sales.net_revenue, 0)
        ) / nullif(
            cast(coalesce(season_sales.net_revenue, 0) as double)
            / nullif(shop_sales.net_revenue, 0),
            0
        ) as seasonality_index,
        history_window.history_start_date,
        history_window.as_of_date
    from category_sales
    cross join seasons
    cross join shop_sales
    cross join history_window
    left join category_season_sales
        on
            category_sales.category = category_season_sales.category
            and seasons.season_name = category_season_sales.season_name
    left join season_sales
        on seasons.season_name = season_sales.season_name
)

select
    category,
    season_name,
    cast(items_count as bigint) as items_count,
    cast(net_revenue as decimal(18, 2)) as net_revenue,
    cast(items_share as double) as items_share,
    cast(revenue_share as double) as revenue_share,
    cast(seasonality_index as double) as seasonality_index,
    history_start_date,
    as_of_date
from final
