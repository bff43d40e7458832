-- One row per purchaser: recency, frequency and monetary values and their
-- 1-5 scores (quintiles, ties share a score), the RFM cell and named segment,
-- the membership tier (from R, F and M together) and the VIP flag (the
-- smallest top group by revenue that brings vip_revenue_share of revenue).
{% set score_buckets = 5 %}

with

customers as (
    select
        customer_id,
        purchases_count,
        net_revenue,
        days_since_last_purchase,
        last_purchase_date,
        as_of_date
    from {{ ref('customers') }}
    where purchases_count >= 1
),

rfm_segments as (
    select
        recency_score,
        frequency_score,
        rfm_segment
    from {{ ref('rfm_segments') }}
),

scored as (
    select
        customer_id,
        days_since_last_purchase as recency_days,
        purchases_count,
        net_revenue,
        last_purchase_date,
        as_of_date,
        -- fewer days since the last purchase = higher score
        {{ tie_aware_ntile(score_buckets, 'days_since_last_purchase desc') }}
            as recency_score,
        {{ tie_aware_ntile(score_buckets, 'purchases_count') }}
            as frequency_score,
        {{ tie_aware_ntile(score_buckets, 'net_revenue') }}
            as monetary_score
    from customers
),

membership_scored as (
    select
        *,
        (
            {{ var('membership_tier_recency_weight') }} * recency_score
            + {{ var('membership_tier_frequency_weight') }} * frequency_score
            + {{ var('membership_tier_monetary_weight') }} * monetary_score
        ) / nullif(
            1.0 * (
                {{ var('membership_tier_recency_weight') }}
                + {{ var('membership_tier_frequency_weight') }}
                + {{ var('membership_tier_monetary_weight') }}
            ),
            0
        ) as membership_score
    from scored
),

revenue_ranked as (
    select
        *,
        row_number() over (
            order by net_revenue desc, customer_id asc
        ) as vip_rank,
        sum(net_revenue) over (
            order by net_revenue desc, customer_id asc
            rows between unbounded preceding and current row
        ) as cumulative_revenue,
        sum(net_revenue) over () as total_revenue
    from membership_scored
),

final as (
    select
        revenue_ranked.customer_id,
        {{ dbt.cast(
            'revenue_ranked.recency_score * 100'
            ~ ' + revenue_ranked.frequency_score * 10'
            ~ ' + revenue_ranked.monetary_score',
            api.Column.translate_type('string')
        ) }} as rfm_cell,
        rfm_segments.rfm_segment,
        case
            when
                revenue_ranked.membership_score
                >= {{ var('membership_tier_diamond_min_score') }}
                then 'diamond'
            when
                revenue_ranked.membership_score
                >= {{ var('membership_tier_gold_min_score') }}
                then 'gold'
            when
                revenue_ranked.membership_score
                >= {{ var('membership_tier_silver_min_score') }}
                then 'silver'
            else 'bronze'
        end as membership_tier,
        revenue_ranked.recency_days,
        revenue_ranked.purchases_count,
        revenue_ranked.net_revenue,
        revenue_ranked.recency_score,
        revenue_ranked.frequency_score,
        revenue_ranked.monetary_score,
        revenue_ranked.membership_score,
        revenue_ranked.vip_rank,
        cast(revenue_ranked.cumulative_revenue as double)
        / nullif(revenue_ranked.total_revenue, 0) as cumulative_revenue_share,
        -- a VIP is anyone ranked before the cumulative revenue reaches the
        -- target share, so the customer who crosses (or hits) it is the last
        revenue_ranked.cumulative_revenue - revenue_ranked.net_revenue
        < {{ var('vip_revenue_share') }} * revenue_ranked.total_revenue
            as is_vip,
        revenue_ranked.last_purchase_date,
        revenue_ranked.as_of_date
    from revenue_ranked
    left join rfm_segments
        on
            revenue_ranked.recency_score = rfm_segments.recency_score
            and revenue_ranked.frequency_score = rfm_segments.frequency_score
)

select
    customer_id,
    rfm_cell,
    rfm_segment,
    membership_tier,
    cast(recency_days as bigint) as recency_days,
    cast(purchases_count as bigint) as purchases_count,
    cast(net_revenue as decimal(18, 2)) as net_revenue,
    cast(recency_score as bigint) as recency_score,
    cast(frequency_score as bigint) as frequency_score,
    cast(monetary_score as bigint) as monetary_score,
    cast(membership_score as double) as membership_score,
    cast(vip_rank as bigint) as vip_rank,
    cast(cumulative_revenue_share as double) as cumulative_revenue_share,
    is_vip,
    last_purchase_date,
    as_of_date
from final
