-- One row per purchaser: recency, frequency and monetary values and their
-- 1-5 scores, the RFM cell and named segment, the RFM tier (from R, F and M
-- together) and the VIP flag (the smallest top group by revenue that brings
-- vip_revenue_share of revenue).
-- Recency is scored on the shop's repurchase cycle by default (5 active,
-- 4 silent, 3 sleeping, 2 churned, 1 inactive, as customer_lifecycle says),
-- so the segment never contradicts the recency state; frequency on fixed
-- purchase counts (every score reachable however many customers bought
-- once); monetary by tie-aware quintiles. Each is switchable by var.
{% set recency_scoring = var('rfm_recency_scoring') %}
{% if recency_scoring not in ['cycle', 'quintiles'] %}
    {{ exceptions.raise_compiler_error(
        'rfm_recency_scoring must be cycle or quintiles, got '
        ~ recency_scoring
    ) }}
{% endif %}
{% set frequency_cut_points = var('rfm_frequency_score_min_purchases') or [] %}
{% set monetary_cut_points = var('rfm_monetary_score_min_revenue') or [] %}
{% for name, cut_points in [
    ('rfm_frequency_score_min_purchases', frequency_cut_points),
    ('rfm_monetary_score_min_revenue', monetary_cut_points),
] %}
    {% if cut_points | length not in [0, 4] %}
        {{ exceptions.raise_compiler_error(
            name ~ ' needs the 4 lowest values of scores 2, 3, 4 and 5'
            ~ ' (or an empty list for quintiles), got ' ~ cut_points
        ) }}
    {% endif %}
{% endfor %}
{% set score_buckets = 5 %}
{#- The three scores, by the vars above. -#}
{% if recency_scoring == 'cycle' %}
    {% set recency_score %}
        case
            when customer_lifecycle.lifecycle_stage = 'inactive' then 1
            when customer_lifecycle.recency_state = 'churned' then 2
            when customer_lifecycle.recency_state = 'sleeping' then 3
            when customer_lifecycle.recency_state = 'silent' then 4
            else 5
        end
    {% endset %}
{% else %}
    {#- fewer days since the last purchase = higher score -#}
    {% set recency_score = tie_aware_ntile(
        score_buckets, 'customers.days_since_last_purchase desc'
    ) %}
{% endif %}
{% if frequency_cut_points %}
    {% set frequency_score = score_from_cut_points(
        'customers.purchases_count',
        frequency_cut_points,
        'rfm_frequency_score_min_purchases'
    ) %}
{% else %}
    {% set frequency_score = tie_aware_ntile(
        score_buckets, 'customers.purchases_count'
    ) %}
{% endif %}
{% if monetary_cut_points %}
    {% set monetary_score = score_from_cut_points(
        'customers.net_revenue',
        monetary_cut_points,
        'rfm_monetary_score_min_revenue'
    ) %}
{% else %}
    {% set monetary_score = tie_aware_ntile(
        score_buckets, 'customers.net_revenue'
    ) %}
{% endif %}

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

customer_lifecycle as (
    select
        customer_id,
        recency_state,
        lifecycle_stage
    from {{ ref('customer_lifecycle') }}
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
        customers.customer_id,
        customers.days_since_last_purchase as recency_days,
        customers.purchases_count,
        customers.net_revenue,
        customers.last_purchase_date,
        customers.as_of_date,
        {{ recency_score }} as recency_score,
        {{ frequency_score }} as frequency_score,
        {{ monetary_score }} as monetary_score
    from customers
    inner join customer_lifecycle
        on customers.customer_id = customer_lifecycle.customer_id
),

-- In double on every engine (Spark would divide the weights as decimals).
tier_scored as (
    select
        *,
        cast(
            {{ var('rfm_tier_recency_weight') }} * recency_score
            + {{ var('rfm_tier_frequency_weight') }} * frequency_score
            + {{ var('rfm_tier_monetary_weight') }} * monetary_score
            as double
        ) / nullif(
            cast(
                {{ var('rfm_tier_recency_weight') }}
                + {{ var('rfm_tier_frequency_weight') }}
                + {{ var('rfm_tier_monetary_weight') }}
                as double
            ),
            0
        ) as rfm_tier_score
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
    from tier_scored
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
                revenue_ranked.rfm_tier_score
                >= {{ var('rfm_tier_top_min_score') }}
                then 'top'
            when
                revenue_ranked.rfm_tier_score
                >= {{ var('rfm_tier_high_min_score') }}
                then 'high'
            when
                revenue_ranked.rfm_tier_score
                >= {{ var('rfm_tier_medium_min_score') }}
                then 'medium'
            else 'low'
        end as rfm_tier,
        revenue_ranked.recency_days,
        revenue_ranked.purchases_count,
        revenue_ranked.net_revenue,
        revenue_ranked.recency_score,
        revenue_ranked.frequency_score,
        revenue_ranked.monetary_score,
        revenue_ranked.rfm_tier_score,
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
    rfm_tier,
    cast(recency_days as bigint) as recency_days,
    cast(purchases_count as bigint) as purchases_count,
    cast(net_revenue as decimal(18, 2)) as net_revenue,
    cast(recency_score as bigint) as recency_score,
    cast(frequency_score as bigint) as frequency_score,
    cast(monetary_score as bigint) as monetary_score,
    cast(rfm_tier_score as double) as rfm_tier_score,
    cast(vip_rank as bigint) as vip_rank,
    cast(cumulative_revenue_share as double) as cumulative_revenue_share,
    is_vip,
    last_purchase_date,
    as_of_date
from final
