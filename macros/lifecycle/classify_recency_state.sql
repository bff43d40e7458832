{% macro classify_recency_state(
    purchases_count, days_since_last_purchase,
    active_max_days, silent_max_days, sleeping_max_days
) -%}
    {#- active / silent / sleeping / churned by days since the last purchase
        against the shop's cycle thresholds; null without a purchase. Shared
        by customer_lifecycle and customer_stage_history. -#}
    case
        when {{ purchases_count }} = 0 then null
        when {{ days_since_last_purchase }} <= {{ active_max_days }}
            then 'active'
        when {{ days_since_last_purchase }} <= {{ silent_max_days }}
            then 'silent'
        when {{ days_since_last_purchase }} <= {{ sleeping_max_days }}
            then 'sleeping'
        else 'churned'
    end
{%- endmacro %}
