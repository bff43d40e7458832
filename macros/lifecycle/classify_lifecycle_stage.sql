{% macro classify_lifecycle_stage(
    purchases_count, days_since_last_purchase, tenure_days, recency_state
) -%}
    {#- prospect / new / repeat / loyal / churned / inactive (vars
        loyal_min_purchases, loyal_min_tenure_days, inactive_after_days).
        Shared by customer_lifecycle and customer_stage_history. -#}
    case
        when {{ purchases_count }} = 0 then 'prospect'
        when
            {{ recency_state }} = 'churned'
            and {{ days_since_last_purchase }} > {{ var('inactive_after_days') }}
            then 'inactive'
        when {{ recency_state }} = 'churned' then 'churned'
        when
            {{ purchases_count }} >= {{ var('loyal_min_purchases') }}
            and {{ tenure_days }} >= {{ var('loyal_min_tenure_days') }}
            and {{ recency_state }} in ('active', 'silent')
            then 'loyal'
        when {{ purchases_count }} >= 2 then 'repeat'
        else 'new'
    end
{%- endmacro %}
