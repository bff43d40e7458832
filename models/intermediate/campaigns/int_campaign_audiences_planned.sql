-- Who to contact for the upcoming occurrence of the campaign_name promotion
-- (int_campaign_resolved; none within the lead window: no rows) and, with
-- after-sale care, for the one that just ended: in which phase, why, when
-- and through which channel. Every rule is a row of the audience_reasons
-- seed; a customer enters each audience once, for the audience's
-- highest-priority rule. Unsubscribed customers and customers with no
-- consented channel never appear. The contact cap (contact_plan) decides
-- which rows keep their slot; campaign_audiences adds its verdict.
{% set goals = var('campaign_goals') %}
{% set categories = var('campaign_categories') %}

with

customers as (
    select
        customer_id,
        average_order_value,
        promotion_order_share,
        is_presale_buyer,
        has_email_consent,
        has_sms_consent,
        has_phone_consent,
        is_unsubscribed
    from {{ ref('customers') }}
),

contacts as (
    select
        customer_id,
        email,
        phone
    from {{ ref('stg_shop__customers') }}
),

lifecycle as (
    select
        customer_id,
        recency_state,
        lifecycle_stage,
        consumable_state,
        dormant_value_tier
    from {{ ref('customer_lifecycle') }}
),

rfm as (
    select
        customer_id,
        rfm_tier
    from {{ ref('customer_rfm') }}
),

orders as (
    select
        order_id,
        customer_id,
        net_revenue,
        created_date
    from {{ ref('int_orders_enriched') }}
    where is_valid_purchase
),

order_items as (
    select
        order_id,
        product_id
    from {{ ref('stg_shop__order_items') }}
),

products as (
    select
        product_id,
        category
    from {{ ref('stg_shop__products') }}
),

campaign as (
    select * from {{ ref('int_campaign_resolved') }}
),

audience_reasons as (
    select
        reason_code,
        audience,
        goal,
        priority,
        first_channel,
        second_channel,
        description
    from {{ ref('audience_reasons') }}
),

shop_average as (
    select
        cast(sum(net_revenue) as double) / nullif(count(*), 0)
            as average_order_value
    from orders
),

-- Purchases of a promoted category (none when no categories are configured).
promoted_category_orders as (
    select
        orders.customer_id,
        orders.created_date
    from orders
    inner join order_items
        on orders.order_id = order_items.order_id
    inner join products
        on order_items.product_id = products.product_id
    where
        {% if categories | length > 0 -%}
            products.category in (
                {%- for category in categories -%}
                    '{{ category }}'{{ ',' if not loop.last }}
                {%- endfor -%}
            )
        {%- else -%}
            1 = 0
        {%- endif %}
),

promoted_category_purchases as (
    select
        customer_id,
        max(created_date) as last_purchase_date
    from promoted_category_orders
    group by customer_id
),

-- Recent buyers are not pre-heated: a purchase of a promoted category (no
-- categories configured: of anything) within
-- campaign_recent_buyer_exclusion_days before the pre-heat send date.
recent_buyers as (
    select distinct purchases.customer_id
    from
        {{ 'promoted_category_orders' if categories | length > 0
           else 'orders' }} as purchases
    cross join campaign
    where
        purchases.created_date <= campaign.pre_heat_date
        and purchases.created_date > cast({{ dbt.dateadd(
            'day',
            -var('campaign_recent_buyer_exclusion_days'),
            'campaign.pre_heat_date'
        ) }} as date)
),

customer_profile as (
    select
        customers.*,
        lifecycle.recency_state,
        lifecycle.lifecycle_stage,
        lifecycle.consumable_state,
        lifecycle.dormant_value_tier,
        rfm.rfm_tier,
        promoted_category_purchases.last_purchase_date
            as promoted_category_last_purchase_date,
        recent_buyers.customer_id is not null as is_recent_promoted_buyer,
        customers.average_order_value
        > {{ var('warm_up_aov_multiplier') }}
        * shop_average.average_order_value as is_high_order_value
    from customers
    cross join shop_average
    inner join lifecycle
        on customers.customer_id = lifecycle.customer_id
    left join rfm
        on customers.customer_id = rfm.customer_id
    left join promoted_category_purchases
        on customers.customer_id = promoted_category_purchases.customer_id
    left join recent_buyers
        on customers.customer_id = recent_buyers.customer_id
    where not customers.is_unsubscribed
),

promotion_buyers as (
    select distinct orders.customer_id
    from orders
    cross join campaign
    where
        orders.created_date >= campaign.ended_start_date
        and orders.created_date <= campaign.ended_end_date
),

candidates as (
    select
        customer_id,
        'churned_high_value' as reason_code
    from customer_profile
    where lifecycle_stage = 'churned' and is_high_order_value

    union all

    select
        customer_id,
        'past_presale_buyer' as reason_code
    from customer_profile
    where
        is_presale_buyer
        and recency_state <> 'churned'
        and not is_recent_promoted_buyer

    union all

    select
        customer_id,
        'high_tier_active' as reason_code
    from customer_profile
    where
        recency_state = 'active'
        and rfm_tier in ('top', 'high')
        and not is_recent_promoted_buyer

    union all

    select
        customer_id,
        'promoted_category_buyer' as reason_code
    from customer_profile
    where
        promoted_category_last_purchase_date is not null
        and recency_state <> 'churned'
        and not is_recent_promoted_buyer

    union all

    select
        customer_id,
        'promotion_sensitive' as reason_code
    from customer_profile
    where
        promotion_order_share >= {{ var('promotion_sensitive_min_share') }}
        and recency_state <> 'churned'
        and not is_recent_promoted_buyer

    union all

    select
        customer_id,
        'active_customer' as reason_code
    from customer_profile
    where recency_state = 'active' and not is_recent_promoted_buyer

    union all

    select
        customer_id,
        'dormant_consumable_high_value' as reason_code
    from customer_profile
    where
        consumable_state = 'dormant'
        and dormant_value_tier = 'high'
        and lifecycle_stage not in ('churned', 'inactive')

    union all

    select
        customer_id,
        'pre_churn_sleeping' as reason_code
    from customer_profile
    where recency_state = 'sleeping'

    union all

    select
        customer_id,
        'pre_churn_silent' as reason_code
    from customer_profile
    where recency_state = 'silent'

    union all

    select
        customer_id,
        'churned_win_back' as reason_code
    from customer_profile
    where
        recency_state = 'churned'
        and not (lifecycle_stage = 'churned' and is_high_order_value)

    union all

    select
        customer_profile.customer_id,
        'promotion_buyer' as reason_code
    from customer_profile
    inner join promotion_buyers
        on customer_profile.customer_id = promotion_buyers.customer_id

    union all

    select
        customer_id,
        'contactable_customer' as reason_code
    from customer_profile
    where lifecycle_stage <> 'inactive'
),

best_reason_per_audience as (
    select
        candidates.customer_id,
        audience_reasons.*,
        row_number() over (
            partition by candidates.customer_id, audience_reasons.audience
            order by audience_reasons.priority
        ) as reason_rank
    from candidates
    inner join audience_reasons
        on candidates.reason_code = audience_reasons.reason_code
    where audience_reasons.goal in (
        {%- for goal in goals -%}
            '{{ goal }}'{{ ',' if not loop.last }}
        {%- endfor -%}
    )
),

with_channel as (
    select
        best.customer_id,
        best.audience,
        best.goal,
        best.reason_code,
        best.description as reason,
        best.priority,
        case
            {% for channel in ['first_channel', 'second_channel'] -%}
                when
                    best.{{ channel }} = 'email'
                    and customer_profile.has_email_consent
                    and contacts.email is not null
                    then 'email'
                when
                    best.{{ channel }} = 'sms'
                    and customer_profile.has_sms_consent
                    and contacts.phone is not null
                    then 'sms'
                when
                    best.{{ channel }} = 'phone'
                    and customer_profile.has_phone_consent
                    and contacts.phone is not null
                    then 'phone'
            {% endfor -%}
        end as channel,
        case best.audience
            when 'warm_up_care' then campaign.warm_up_date
            when 'after_sale_care' then campaign.after_sale_care_date
            else campaign.pre_heat_date
        end as send_date,
        case best.audience
            when 'after_sale_care' then campaign.ended_peak_date
            else campaign.peak_date
        end as campaign_peak_date,
        campaign.campaign_name,
        campaign.as_of_date
    from best_reason_per_audience as best
    inner join customer_profile
        on best.customer_id = customer_profile.customer_id
    inner join contacts
        on best.customer_id = contacts.customer_id
    cross join campaign
    where best.reason_rank = 1
),

-- Campaign columns travel with the rows rather than through more cross
-- joins: Spark 4.3's join reordering fails on a join chain holding the
-- campaign row twice (unit tests, whose inputs are literal rows).
planned as (
    select
        *,
        send_date < as_of_date as is_send_date_past
    from with_channel
    where
        channel is not null
        and send_date is not null
),

final as (
    select
        planned.campaign_name,
        planned.customer_id,
        planned.audience,
        planned.goal,
        planned.reason_code,
        planned.reason,
        planned.channel,
        cast(planned.priority as bigint) as priority,
        planned.is_send_date_past,
        planned.send_date,
        planned.campaign_peak_date,
        planned.as_of_date
    from planned
)

select
    campaign_name,
    customer_id,
    audience,
    goal,
    reason_code,
    reason,
    channel,
    priority,
    is_send_date_past,
    send_date,
    campaign_peak_date,
    as_of_date
from final
