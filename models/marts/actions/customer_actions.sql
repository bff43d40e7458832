-- One row per customer: the one thing to do with them now, and why. The
-- action follows from the labels of the other marts, first match wins, so
-- that it never contradicts any of them: consent first (customers), then
-- the lifecycle stage and recency state (customer_lifecycle), consumable
-- dormancy, and within each the value (customer_rfm's VIP flag and tier).
-- due_category is the customer's category that is due again by that
-- category's own repurchase cycle (repurchase_cycle).
{%- set string_type = api.Column.translate_type('string') %}

with

customers as (
    select
        customer_id,
        has_email_consent,
        has_sms_consent,
        has_phone_consent,
        is_unsubscribed,
        as_of_date
    from {{ ref('customers') }}
),

customer_lifecycle as (
    select
        customer_id,
        recency_state,
        lifecycle_stage,
        churn_type,
        consumable_state,
        top_season_name,
        purchases_count,
        days_since_last_purchase,
        expected_repurchase_date,
        next_top_season_start_date
    from {{ ref('customer_lifecycle') }}
),

customer_rfm as (
    select
        customer_id,
        rfm_segment,
        rfm_tier,
        net_revenue,
        is_vip
    from {{ ref('customer_rfm') }}
),

customer_seasons as (
    select
        customer_id,
        seasonal_group
    from {{ ref('customer_seasons') }}
),

repurchase_cycle as (
    select
        category,
        active_max_days,
        sleeping_max_days
    from {{ ref('repurchase_cycle') }}
    where category <> 'all'
),

purchase_products as (
    select
        customer_id,
        category,
        purchase_date
    from {{ ref('int_purchase_products_aggregated') }}
),

category_last_purchases as (
    select
        customer_id,
        category,
        max(purchase_date) as last_purchase_date
    from purchase_products
    group by customer_id, category
),

-- A category is due again once more days have passed since the customer
-- last bought it than its typical cycle (active_max_days), and not yet so
-- many that its buyers count as lapsed (sleeping_max_days).
due_categories as (
    select
        category_last_purchases.customer_id,
        category_last_purchases.category,
        row_number() over (
            partition by category_last_purchases.customer_id
            order by
                cast(
                    {{ dbt.datediff(
                        'category_last_purchases.last_purchase_date',
                        'customers.as_of_date',
                        'day'
                    ) }} as double
                ) / nullif(repurchase_cycle.active_max_days, 0) desc,
                category_last_purchases.category asc
        ) as due_rank
    from category_last_purchases
    inner join customers
        on category_last_purchases.customer_id = customers.customer_id
    inner join repurchase_cycle
        on category_last_purchases.category = repurchase_cycle.category
    where
        {{ dbt.datediff(
            'category_last_purchases.last_purchase_date',
            'customers.as_of_date',
            'day'
        ) }} > repurchase_cycle.active_max_days
        and {{ dbt.datediff(
            'category_last_purchases.last_purchase_date',
            'customers.as_of_date',
            'day'
        ) }} <= repurchase_cycle.sleeping_max_days
),

labelled as (
    select
        customers.customer_id,
        customer_lifecycle.lifecycle_stage,
        customer_lifecycle.recency_state,
        customer_lifecycle.churn_type,
        customer_lifecycle.consumable_state,
        customer_rfm.rfm_segment,
        customer_rfm.rfm_tier,
        customer_seasons.seasonal_group,
        customer_lifecycle.top_season_name,
        due_categories.category as due_category,
        customer_lifecycle.purchases_count,
        customer_lifecycle.days_since_last_purchase,
        coalesce(customer_rfm.net_revenue, 0) as net_revenue,
        coalesce(customer_rfm.is_vip, false) as is_vip,
        not customers.is_unsubscribed
        and (
            customers.has_email_consent
            or customers.has_sms_consent
            or customers.has_phone_consent
        ) as is_contactable,
        customers.is_unsubscribed,
        customers.has_email_consent,
        customers.has_sms_consent,
        customers.has_phone_consent,
        customer_lifecycle.expected_repurchase_date,
        customer_lifecycle.next_top_season_start_date,
        customers.as_of_date
    from customers
    inner join customer_lifecycle
        on customers.customer_id = customer_lifecycle.customer_id
    left join customer_rfm
        on customers.customer_id = customer_rfm.customer_id
    left join customer_seasons
        on customers.customer_id = customer_seasons.customer_id
    left join due_categories
        on
            customers.customer_id = due_categories.customer_id
            and due_categories.due_rank = 1
),

-- First match wins; see the model description for the order.
decided as (
    select
        *,
        case
            when not is_contactable then 'do_not_contact'
            when lifecycle_stage = 'prospect' then 'convert_prospect'
            when lifecycle_stage = 'inactive' then 'let_go'
            when churn_type = 'seasonal' then 'wait_for_season'
            when
                lifecycle_stage = 'churned'
                and (is_vip or rfm_tier in ('top', 'high'))
                then 'win_back_personal'
            when lifecycle_stage = 'churned' then 'win_back'
            when consumable_state in ('pre_dormant', 'dormant')
                then 'replenish_reminder'
            when recency_state = 'sleeping' then 'reactivate'
            when recency_state = 'silent' then 'remind'
            when lifecycle_stage = 'new' then 'nurture_new'
            when
                lifecycle_stage = 'loyal'
                or rfm_segment = 'champions'
                or is_vip
                then 'reward_loyal'
            else 'cross_sell'
        end as recommended_action
    from labelled
),

explained as (
    select
        *,
        case recommended_action
            when 'do_not_contact'
                then
                    case
                        when is_unsubscribed then 'Unsubscribed from marketing'
                        else 'No consent to e-mail, SMS or calls'
                    end
            when 'convert_prospect'
                then 'Registered, never bought: first-purchase offer'
            when 'let_go' then {{ dbt.concat([
                "'Inactive: last purchase '",
                dbt.cast('days_since_last_purchase', string_type),
                "' days ago, beyond recovery: leave out of paid campaigns'",
            ]) }}
            when 'wait_for_season' then {{ dbt.concat([
                "'Seasonal buyer ('",
                'top_season_name',
                "'): contact when the season starts on '",
                dbt.cast('next_top_season_start_date', string_type),
            ]) }}
            when 'win_back_personal' then {{ dbt.concat([
                "'Churned '",
                dbt.cast('days_since_last_purchase', string_type),
                "' days ago, '",
                "case when is_vip then 'a VIP' else "
                ~ dbt.concat(["rfm_tier", "' RFM tier'"]) ~ " end",
                "': personal win-back'",
            ]) }}
            when 'win_back' then {{ dbt.concat([
                "'Churned '",
                dbt.cast('days_since_last_purchase', string_type),
                "' days ago: win-back offer'",
            ]) }}
            when 'replenish_reminder' then {{ dbt.concat([
                "'Consumable supply ran out around '",
                dbt.cast('expected_repurchase_date', string_type),
                "': refill reminder'",
            ]) }}
            when 'reactivate' then {{ dbt.concat([
                "'Sleeping, '",
                dbt.cast('days_since_last_purchase', string_type),
                "' days since the last purchase: reminder with an incentive'",
            ]) }}
            when 'remind' then {{ dbt.concat([
                "'Silent, '",
                dbt.cast('days_since_last_purchase', string_type),
                "' days since the last purchase, later than usual: reminder'",
            ]) }}
            when 'nurture_new' then {{ dbt.concat([
                "'First purchase '",
                dbt.cast('days_since_last_purchase', string_type),
                "' days ago: nurture towards a second purchase'",
            ]) }}
            when 'reward_loyal' then {{ dbt.concat([
                "case when is_vip then 'VIP' when rfm_segment = 'champions'"
                ~ " then 'Champion' else 'Loyal customer' end",
                "': reward and early access, no discount needed'",
            ]) }}
            else 'Active repeat buyer: recommend further categories'
        end as base_reason
    from decided
),

final as (
    select
        *,
        case
            when
                due_category is not null
                and recommended_action in (
                    'replenish_reminder', 'reactivate', 'remind',
                    'nurture_new', 'reward_loyal', 'cross_sell'
                )
                then {{ dbt.concat([
                    'base_reason', "'; due again: '", 'due_category',
                ]) }}
            else base_reason
        end as action_reason,
        case
            when recommended_action in ('do_not_contact', 'let_go') then null
            when
                recommended_action in ('win_back_personal', 'reward_loyal')
                and has_phone_consent
                then 'phone'
            when has_email_consent then 'email'
            when has_sms_consent then 'sms'
            else 'phone'
        end as suggested_channel,
        case
            when is_vip then 1
            when rfm_tier in ('top', 'high') then 2
            else 3
        end as action_priority,
        case
            when recommended_action in ('do_not_contact', 'let_go') then null
            when recommended_action = 'wait_for_season'
                then next_top_season_start_date
            else as_of_date
        end as action_date
    from explained
)

select
    customer_id,
    recommended_action,
    action_reason,
    suggested_channel,
    due_category,
    lifecycle_stage,
    recency_state,
    churn_type,
    consumable_state,
    rfm_segment,
    rfm_tier,
    seasonal_group,
    cast(action_priority as bigint) as action_priority,
    cast(purchases_count as bigint) as purchases_count,
    cast(days_since_last_purchase as bigint) as days_since_last_purchase,
    cast(net_revenue as decimal(18, 2)) as net_revenue,
    is_vip,
    is_contactable,
    cast(action_date as date) as action_date,
    as_of_date
from final
