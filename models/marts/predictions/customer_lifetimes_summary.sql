-- One row per purchaser: the (frequency, recency, T, monetary value) summary
-- the BG/NBD and Gamma-Gamma models are fitted on, defined as lifetimes'
-- summary_data_from_transaction_data defines it with freq='D': a purchase is
-- one day's valid orders (merge_same_day_orders), frequency counts the repeat
-- purchases, recency and T are days from the first purchase to the last one
-- and to the as-of date, and monetary_value is the mean net revenue of the
-- repeat purchases (the first excluded; 0 without a repeat purchase).
with

purchases as (
    select
        customer_id,
        purchase_number,
        net_revenue,
        purchase_date
    from {{ ref('int_purchases_sequenced') }}
),

as_of as (
    select as_of_date from {{ ref('int_as_of_date_resolved') }}
),

per_customer as (
    select
        customer_id,
        count(*) - 1 as frequency,
        sum(
            case when purchase_number > 1 then net_revenue else 0 end
        ) as repeat_net_revenue,
        min(purchase_date) as first_purchase_date,
        max(purchase_date) as last_purchase_date
    from purchases
    group by customer_id
),

final as (
    select
        per_customer.customer_id,
        per_customer.frequency,
        {{ dbt.datediff(
            'per_customer.first_purchase_date',
            'per_customer.last_purchase_date',
            'day'
        ) }} as recency_days,
        {{ dbt.datediff(
            'per_customer.first_purchase_date', 'as_of.as_of_date', 'day'
        ) }} as t_days,
        case
            when per_customer.frequency = 0 then 0
            else {{ money_ratio(
                'per_customer.repeat_net_revenue', 'per_customer.frequency'
            ) }}
        end as monetary_value,
        per_customer.repeat_net_revenue,
        per_customer.first_purchase_date,
        per_customer.last_purchase_date,
        as_of.as_of_date
    from per_customer
    cross join as_of
)

select
    customer_id,
    cast(frequency as bigint) as frequency,
    cast(recency_days as bigint) as recency_days,
    cast(t_days as bigint) as t_days,
    cast(monetary_value as decimal(18, 2)) as monetary_value,
    cast(repeat_net_revenue as decimal(18, 2)) as repeat_net_revenue,
    first_purchase_date,
    last_purchase_date,
    as_of_date
from final
