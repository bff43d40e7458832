-- One row per purchaser whose last purchase holds at least one consumable:
-- when what they bought should run out. The supply of a line is
-- consumption_days x quantity (same-day orders of one product add up); the
-- longest line counts, stretched by consumable_buffer_factor for delivery and
-- real usage and rounded up to whole days. Past expected_repurchase_date the
-- buyer is pre-dormant; past dormant_after_date (twice the period), dormant.
{% set buffer_factor = var('consumable_buffer_factor') %}

with

purchase_products as (
    select
        customer_id,
        purchase_number,
        quantity,
        consumption_days,
        purchase_date
    from {{ ref('int_purchase_products_aggregated') }}
    where is_consumable
),

purchases as (
    select
        customer_id,
        purchase_number
    from {{ ref('int_purchases_sequenced') }}
),

last_purchases as (
    select
        customer_id,
        max(purchase_number) as last_purchase_number
    from purchases
    group by customer_id
),

last_purchase_supplies as (
    select
        purchase_products.customer_id,
        purchase_products.purchase_date as last_purchase_date,
        max(purchase_products.consumption_days * purchase_products.quantity)
            as longest_supply_days
    from purchase_products
    inner join last_purchases
        on
            purchase_products.customer_id = last_purchases.customer_id
            and purchase_products.purchase_number
            = last_purchases.last_purchase_number
    group by
        purchase_products.customer_id,
        purchase_products.purchase_date
),

periods as (
    select
        customer_id,
        longest_supply_days,
        cast(
            ceil(
                longest_supply_days
                * cast({{ buffer_factor }} as decimal(18, 6))
            ) as bigint
        ) as consumption_period_days,
        last_purchase_date
    from last_purchase_supplies
),

final as (
    select
        customer_id,
        longest_supply_days,
        consumption_period_days,
        last_purchase_date,
        cast(
            {{ dbt.dateadd('day', 'consumption_period_days', 'last_purchase_date') }}
            as date
        ) as expected_repurchase_date,
        cast(
            {{ dbt.dateadd('day', '2 * consumption_period_days', 'last_purchase_date') }}
            as date
        ) as dormant_after_date
    from periods
)

select * from final
