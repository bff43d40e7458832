-- One row per purchaser: in which of the four seasons of the seasonal window
-- (int_seasons_positioned) the customer made a valid purchase, and the
-- seasonal group that follows from the number of seasons bought in.
with

purchases as (
    select
        customer_id,
        season_name,
        season_year,
        purchase_date
    from {{ ref('int_purchases_sequenced') }}
),

window_seasons as (
    select
        season_year,
        season_name,
        season_start_date,
        season_end_date
    from {{ ref('int_seasons_positioned') }}
    where is_in_seasonal_window
),

as_of as (
    select as_of_date from {{ ref('int_as_of_date_resolved') }}
),

seasonal_window as (
    select
        min(season_start_date) as window_start_date,
        max(season_end_date) as window_end_date
    from window_seasons
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

window_facts as (
    select
        purchasers.customer_id,
        coalesce(season_flags.seasons_bought_count, 0) as seasons_bought_count,
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
        purchasers.last_purchase_date > seasonal_window.window_end_date
            as has_purchase_after_window,
        purchasers.first_purchase_date,
        purchasers.last_purchase_date,
        seasonal_window.window_start_date,
        seasonal_window.window_end_date,
        as_of.as_of_date
    from purchasers
    cross join seasonal_window
    cross join as_of
    left join season_flags
        on purchasers.customer_id = season_flags.customer_id
),

final as (
    select
        *,
        case
            when seasons_bought_count = 4 then 'four_season'
            when
                seasons_bought_count
                <= {{ var('about_to_churn_max_seasons_bought') }}
                then 'about_to_churn'
            when seasons_bought_count = 3 then 'three_season'
            when seasons_bought_count = 2 then 'two_season'
            else 'one_season'
        end as seasonal_group
    from window_facts
)

select
    customer_id,
    seasonal_group,
    cast(seasons_bought_count as bigint) as seasons_bought_count,
    has_bought_in_spring,
    has_bought_in_summer,
    has_bought_in_autumn,
    has_bought_in_winter,
    is_new_in_window,
    has_purchase_after_window,
    first_purchase_date,
    last_purchase_date,
    window_start_date,
    window_end_date,
    as_of_date
from final
