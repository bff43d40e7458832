-- One row per product on sale by the as-of date, with the measures behind its
-- role: units, buyers, first-time and repeat buyers, revenue, cost and the
-- units of the last growth window against a baseline window (the window
-- before, or the same window a year earlier).
{%- set window_days = var('product_growth_window_days') %}
{%- set baseline = var('product_growth_baseline') %}
{%- if baseline not in ('previous_window', 'same_window_last_year') %}
    {{ exceptions.raise_compiler_error(
        "product_growth_baseline must be previous_window or "
        ~ "same_window_last_year, not " ~ baseline
    ) }}
{%- endif %}
{#- Days back to the start of the baseline window. -#}
{%- set baseline_offset_days = (
    window_days if baseline == 'previous_window' else 365
) %}

with

as_of as (
    select as_of_date from {{ ref('int_as_of_date_resolved') }}
),

products as (
    select
        product_id,
        product_name,
        category,
        unit_cost,
        launch_date
    from {{ ref('stg_shop__products') }}
),

purchase_products as (
    select
        customer_id,
        product_id,
        purchase_number,
        quantity,
        purchase_date
    from {{ ref('int_purchase_products_aggregated') }}
),

purchases as (
    select
        customer_id,
        purchase_number
    from {{ ref('int_purchases_sequenced') }}
),

order_lines as (
    select
        product_id,
        quantity,
        net_revenue
    from {{ ref('int_order_lines_revenue_allocated') }}
),

customer_last_purchases as (
    select
        customer_id,
        max(purchase_number) as last_purchase_number
    from purchases
    group by customer_id
),

-- A buyer of a product: first-time when their first purchase held it,
-- repeat when they bought anything in a later purchase than the first one
-- that held it.
product_buyers as (
    select
        purchase_products.product_id,
        purchase_products.customer_id,
        min(purchase_products.purchase_number) as first_purchase_number,
        max(customer_last_purchases.last_purchase_number)
            as last_purchase_number
    from purchase_products
    inner join customer_last_purchases
        on purchase_products.customer_id = customer_last_purchases.customer_id
    group by
        purchase_products.product_id,
        purchase_products.customer_id
),

buyer_counts as (
    select
        product_id,
        count(*) as buyers_count,
        sum(case when first_purchase_number = 1 then 1 else 0 end)
            as first_time_buyers_count,
        sum(
            case when last_purchase_number > first_purchase_number then 1 else 0 end
        ) as repeat_buyers_count
    from product_buyers
    group by product_id
),

unit_counts as (
    select
        purchase_products.product_id,
        sum(purchase_products.quantity) as units_sold,
        sum(
            case
                when
                    {{ dbt.datediff(
                        'purchase_products.purchase_date', 'as_of.as_of_date', 'day'
                    ) }} < {{ window_days }}
                    then purchase_products.quantity
                else 0
            end
        ) as recent_units,
        sum(
            case
                when
                    {{ dbt.datediff(
                        'purchase_products.purchase_date', 'as_of.as_of_date', 'day'
                    ) }} >= {{ baseline_offset_days }}
                    and {{ dbt.datediff(
                        'purchase_products.purchase_date', 'as_of.as_of_date', 'day'
                    ) }} < {{ baseline_offset_days + window_days }}
                    then purchase_products.quantity
                else 0
            end
        ) as prior_units
    from purchase_products
    cross join as_of
    group by purchase_products.product_id
),

line_amounts as (
    select
        order_lines.product_id,
        sum(order_lines.net_revenue) as net_revenue,
        sum(order_lines.quantity * products.unit_cost) as cost_amount
    from order_lines
    inner join products
        on order_lines.product_id = products.product_id
    group by order_lines.product_id
),

final as (
    select
        products.product_id,
        products.product_name,
        products.category,
        cast(coalesce(unit_counts.units_sold, 0) as bigint) as units_sold,
        cast(coalesce(buyer_counts.buyers_count, 0) as bigint) as buyers_count,
        cast(coalesce(buyer_counts.first_time_buyers_count, 0) as bigint)
            as first_time_buyers_count,
        cast(coalesce(buyer_counts.repeat_buyers_count, 0) as bigint)
            as repeat_buyers_count,
        cast(coalesce(unit_counts.recent_units, 0) as bigint) as recent_units,
        cast(coalesce(unit_counts.prior_units, 0) as bigint) as prior_units,
        coalesce(line_amounts.net_revenue, 0) as net_revenue,
        -- Unknown unit cost (empty in the file): cost, and so margin, unknown.
        case
            when products.unit_cost is not null
                then coalesce(line_amounts.cost_amount, 0)
        end as cost_amount,
        products.launch_date,
        as_of.as_of_date
    from products
    cross join as_of
    left join unit_counts
        on products.product_id = unit_counts.product_id
    left join buyer_counts
        on products.product_id = buyer_counts.product_id
    left join line_amounts
        on products.product_id = line_amounts.product_id
    where products.launch_date is null or products.launch_date <= as_of.as_of_date
)

select * from final
