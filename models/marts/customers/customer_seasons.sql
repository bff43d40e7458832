-- One row per purchaser: in which of the four seasons of the seasonal window
-- (int_seasons_positioned) the customer made a valid purchase, how many of
-- the window seasons they were already a customer in and missed, and the
-- seasonal group that follows. First match wins: churned (the recency state
-- of customer_lifecycle), new_this_season, four_season, about_to_churn (no
-- purchase in more than two of the seasons they could buy in, none in the
-- current season, not recency-active), returning, then by the number of
-- seasons bought.
{% set min_missed_seasons = var('about_to_churn_min_missed_seasons') %}
{% if min_missed_seasons is not number
    or min_missed_seasons < 1 or min_missed_seasons > 4 %}
    {{ exceptions.raise_compiler_error(
        'about_to_churn_min_missed_seasons must be 1 to 4, got '
        ~ min_missed_seasons
    ) }}
{% endif %}

with

purchases as (
    select
        customer_id,
        season_name,
        season_year,
        purchase_date
    from {{ ref('int_purchases_sequenced') }}
),

seasons as (
    select
        season_year,
        season_name,
        seasons_ago,
        is_in_seasonal_window,
        season_start_date,
        season_end_date
    from {{ ref('int_seasons_positioned') }}
),

customer_lifecycle as (
    select
        customer_id,
        recency_state
    from {{ ref('customer_lifecycle') }}
    where purchases_count > 0
),

as_of as (
    select as_of_date from {{ ref('int_as_of_date_resolved') }}
),

window_seasons as (
    select
        season_year,
        season_name,
        season_start_date,
        season_end_date
    from seasons
    where is_in_seasonal_window
),

seasonal_window as (
    select
        min(season_start_date) as window_start_date,
        max(season_end_date) as window_end_date
    from window_seasons
),

current_season as (
    select season_start_date as current_season_start_date
    from seasons
    where seasons_ago = 0
),

purchasers as (
    select
        customer_id,
        min(purchase_date) as first_purchase_date,
        max(purchase_date) as last_purchase_date
    from purchases
    group by customer_id
),

seasons_bought as (
    select distinct
        purchases.customer_id,
        window_seasons.season_name
    from purchases
    inner join window_seasons
        on
            purchases.season_year = window_seasons.season_year
            and purchases.season_name = window_seasons.season_name
),

season_flags as (
    select
        customer_id,
        count(*) as seasons_bought_count,
        max(case when season_name = 'spring' then 1 else 0 end) = 1
            as has_bought_in_spring,
        max(case when season_name = 'summer' then 1 else 0 end) = 1
            as has_bought_in_summer,
        max(case when season_name = 'autumn' then 1 else 0 end) = 1
            as has_bought_in_autumn,
        max(case when season_name = 'winter' then 1 else 0 end) = 1
            as has_bought_in_winter
    from seasons_bought
    group by customer_id
),

-- Window seasons that had not ended before the customer's first purchase:
-- the ones they could have bought in.
seasons_as_customer as (
    select
        purchasers.customer_id,
        count(*) as seasons_as_customer_count
    from purchasers
    inner join window_seasons
        on purchasers.first_purchase_date <= window_seasons.season_end_date
    group by purchasers.customer_id
),

window_facts as (
    select
        purchasers.customer_id,
        customer_lifecycle.recency_state,
        coalesce(season_flags.seasons_bought_count, 0) as seasons_bought_count,
        coalesce(seasons_as_customer.seasons_as_customer_count, 0)
            as seasons_as_customer_count,
        coalesce(season_flags.has_bought_in_spring, false)
            as has_bought_in_spring,
        coalesce(season_flags.has_bought_in_summer, false)
            as has_bought_in_summer,
        coalesce(season_flags.has_bought_in_autumn, false)
            as has_bought_in_autumn,
        coalesce(season_flags.has_bought_in_winter, false)
            as has_bought_in_winter,
        purchasers.first_purchase_date >= seasonal_window.window_start_date
            as is_new_in_window,
        purchasers.first_purchase_date
        >= current_season.current_season_start_date as is_new_this_season,
        purchasers.last_purchase_date
        >= current_season.current_season_start_date
            as has_bought_in_current_season,
        purchasers.last_purchase_date > seasonal_window.window_end_date
            as has_purchase_after_window,
        purchasers.first_purchase_date,
        purchasers.last_purchase_date,
        seasonal_window.window_start_date,
        seasonal_window.window_end_date,
        current_season.current_season_start_date,
        as_of.as_of_date
    from purchasers
    cross join seasonal_window
    cross join current_season
    cross join as_of
    inner join customer_lifecycle
        on purchasers.customer_id = customer_lifecycle.customer_id
    left join season_flags
        on purchasers.customer_id = season_flags.customer_id
    left join seasons_as_customer
        on purchasers.customer_id = seasons_as_customer.customer_id
),

missed as (
    select
        *,
        seasons_as_customer_count - seasons_bought_count
            as seasons_missed_count
    from window_facts
),

final as (
    select
        *,
        case
            when recency_state = 'churned' then 'churned'
            when is_new_this_season then 'new_this_season'
            when seasons_bought_count = 4 then 'four_season'
            when
                seasons_missed_count >= {{ min_missed_seasons }}
                and not has_bought_in_current_season
                and recency_state <> 'active'
                then 'about_to_churn'
            when seasons_bought_count = 0 then 'returning'
            when seasons_bought_count = 3 then 'three_season'
            when seasons_bought_count = 2 then 'two_season'
            else 'one_season'
        end as seasonal_group
    from missed
)

select
    customer_id,
    seasonal_group,
    recency_state,
    cast(seasons_bought_count as bigint) as seasons_bought_count,
    cast(seasons_as_customer_count as bigint) as seasons_as_customer_count,
    cast(seasons_missed_count as bigint) as seasons_missed_count,
    has_bought_in_spring,
    has_bought_in_summer,
    has_bought_in_autumn,
    has_bought_in_winter,
    is_new_in_window,
    is_new_this_season,
    has_bought_in_current_season,
    has_purchase_after_window,
    first_purchase_date,
    last_purchase_date,
    window_start_date,
    window_end_date,
    current_season_start_date,
    as_of_date
from final
