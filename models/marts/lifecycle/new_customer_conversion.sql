-- New -> repeat conversion: of the customers won in a month (first valid
-- purchase) through an acquisition campaign (the promotion of their first
-- order, 'ordinary' without one), how many made a second purchase within 30,
-- 60 and 90 days (var conversion_windows_days). A window only counts
-- customers whose first purchase is at least that many days before the as-of
-- date (eligible_*), so recent cohorts are not understated.
{% set windows = var('conversion_windows_days') %}

with

purchases as (
    select
        customer_id,
        purchase_number,
        purchase_date
    from {{ ref('int_purchases_sequenced') }}
    where purchase_number <= 2
),

first_orders as (
    select
        customer_id,
        promotion_tag,
        row_number() over (
            partition by customer_id
            order by created_at, order_id
        ) as order_number
    from {{ ref('int_orders_enriched') }}
    where is_valid_purchase
),

as_of as (
    select as_of_date from {{ ref('int_as_of_date_resolved') }}
),

customer_conversion as (
    select
        first_purchase.customer_id,
        coalesce(first_orders.promotion_tag, 'ordinary')
            as acquisition_campaign,
        cast(
            {{ dbt.date_trunc('month', 'first_purchase.purchase_date') }}
            as date
        ) as cohort_month,
        {{ dbt.datediff(
            'first_purchase.purchase_date', 'as_of.as_of_date', 'day'
        ) }} as days_observed,
        {{ dbt.datediff(
            'first_purchase.purchase_date',
            'second_purchase.purchase_date',
            'day'
        ) }} as days_to_second_purchase
    from purchases as first_purchase
    inner join first_orders
        on
            first_purchase.customer_id = first_orders.customer_id
            and first_orders.order_number = 1
    left join purchases as second_purchase
        on
            first_purchase.customer_id = second_purchase.customer_id
            and second_purchase.purchase_number = 2
    cross join as_of
    where first_purchase.purchase_number = 1
),

final as (
    select
        cohort_month,
        acquisition_campaign,
        {% for days in windows %}
            sum(
                case when days_observed >= {{ days }} then 1 else 0 end
            ) as eligible_{{ days }}_days_count,
            sum(
                case
                    when
                        days_observed >= {{ days }}
                        and days_to_second_purchase <= {{ days }}
                        then 1
                    else 0
                end
            ) as converted_{{ days }}_days_count,
        {% endfor %}
        count(*) as new_customers_count
    from customer_conversion
    group by cohort_month, acquisition_campaign
)

select
    acquisition_campaign,
    cast(new_customers_count as bigint) as new_customers_count,
    {% for days in windows %}
        cast(eligible_{{ days }}_days_count as bigint)
            as eligible_{{ days }}_days_count,
        cast(converted_{{ days }}_days_count as bigint)
            as converted_{{ days }}_days_count,
        cast(
            1.0 * converted_{{ days }}_days_count
            / nullif(eligible_{{ days }}_days_count, 0) as double
        ) as conversion_rate_{{ days }}_days,
    {% endfor %}
    cohort_month
from final
