-- One row per purchaser: the season (by the season calendar vars) in which
-- most of their purchases fall, its share of their purchases, in how many
-- different years they bought in it, and the first start of that season
-- after their last purchase. customer_lifecycle calls a churned customer
-- seasonal when their purchases cluster in that season, year after year,
-- and it has not come round yet.
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
        season_name,
        season_start_date
    from {{ ref('int_seasons_dated') }}
),

customer_totals as (
    select
        customer_id,
        count(*) as purchases_count,
        max(purchase_date) as last_purchase_date
    from purchases
    group by customer_id
),

season_counts as (
    select
        customer_id,
        season_name,
        count(*) as season_purchases_count,
        count(distinct season_year) as season_years_count
    from purchases
    where season_name is not null
    group by customer_id, season_name
),

ranked_seasons as (
    select
        customer_id,
        season_name,
        season_purchases_count,
        season_years_count,
        row_number() over (
            partition by customer_id
            order by
                season_purchases_count desc,
                season_years_count desc,
                season_name asc
        ) as season_rank
    from season_counts
),

top_seasons as (
    select
        customer_totals.customer_id,
        ranked_seasons.season_name as top_season_name,
        customer_totals.purchases_count,
        coalesce(ranked_seasons.season_purchases_count, 0)
            as top_season_purchases_count,
        coalesce(ranked_seasons.season_years_count, 0)
            as top_season_years_count,
        customer_totals.last_purchase_date
    from customer_totals
    left join ranked_seasons
        on
            customer_totals.customer_id = ranked_seasons.customer_id
            and ranked_seasons.season_rank = 1
),

next_season_starts as (
    select
        top_seasons.customer_id,
        min(seasons.season_start_date) as next_top_season_start_date
    from top_seasons
    inner join seasons
        on
            top_seasons.top_season_name = seasons.season_name
            and top_seasons.last_purchase_date < seasons.season_start_date
    group by top_seasons.customer_id
),

final as (
    select
        top_seasons.customer_id,
        top_seasons.top_season_name,
        top_seasons.purchases_count,
        top_seasons.top_season_purchases_count,
        top_seasons.top_season_years_count,
        cast(top_seasons.top_season_purchases_count as double)
        / top_seasons.purchases_count as top_season_share,
        top_seasons.last_purchase_date,
        next_season_starts.next_top_season_start_date
    from top_seasons
    left join next_season_starts
        on top_seasons.customer_id = next_season_starts.customer_id
)

select * from final
