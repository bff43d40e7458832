-- One row per product on sale by the as-of date, with the measures behind its
-- role: units, buyers, first-time and repeat buyers, how often it is bought
-- together with other products, revenue, cost (null when the unit cost is
-- unknown) and the units of the last growth window against a baseline
-- window (the same window a year earlier, or the window before). The
-- baseline is used only where the shop's history covers it: same window
-- last year falls back to the window before, and that to none.
{%- set window_days = var('product_growth_window_days') | int %}
{%- set baseline = var('product_growth_baseline') %}
{%- if baseline not in ('previous_window', 'same_window_last_year') %}
    {{ exceptions.raise_compiler_error(
        "product_growth_baseline must be previous_window or "
        ~ "same_window_last_year, not " ~ baseline
    ) }}
{%- endif %}
{%- set last_year_offset_days = 365 %}

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
        purchase_id,
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

-- Days of history before the as-of date (the as-of date is day 0).
shop_history as (
    select
        max(
            {{ dbt.datediff(
                'purchase_products.purchase_date', 'as_of.as_of_date', 'day'
            ) }}
        ) as history_days
    from purchase_products
    cross join as_of
),

-- The baseline window starts baseline_offset_days back and is as long as
-- the growth window; it is used only when the history reaches its far end.
baseline as (
    select
        case
            when
                '{{ baseline }}' = 'same_window_last_year'
                and shop_history.history_days
                >= {{ last_year_offset_days + window_days - 1 }}
                then 'same_window_last_year'
            when shop_history.history_days >= {{ 2 * window_days - 1 }}
                then 'previous_window'
            else 'none'
        end as growth_baseline
    from shop_history
),

baseline_window as (
    select
        growth_baseline,
        case growth_baseline
            when 'same_window_last_year' then {{ last_year_offset_days }}
            when 'previous_window' then {{ window_days }}
        end as baseline_offset_days,
        -- a product launched after the baseline window's first day has no
        -- comparable baseline: a new launch
        case growth_baseline
            when 'same_window_last_year'
                then {{ last_year_offset_days + window_days - 1 }}
            else {{ 2 * window_days - 1 }}
        end as new_launch_max_days
    from baseline
),

purchase_sizes as (
    select
        purchase_id,
        count(distinct product_id) as products_count
    from purchase_products
    group by purchase_id
),

association_counts as (
    select
        purchase_products.product_id,
        count(*) as purchases_count,
        sum(case when purchase_sizes.products_count > 1 then 1 else 0 end)
            as purchases_with_other_products_count
    from purchase_products
    inner join purchase_sizes
        on purchase_products.purchase_id = purchase_sizes.purchase_id
    group by purchase_products.product_id
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
                    ) }} >= baseline_window.baseline_offset_days
                    and {{ dbt.datediff(
                        'purchase_products.purchase_date', 'as_of.as_of_date', 'day'
                    ) }}
                    < baseline_window.baseline_offset_days + {{ window_days }}
                    then purchase_products.quantity
                else 0
            end
        ) as prior_units
    from purchase_products
    cross join as_of
    cross join baseline_window
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
        baseline_window.growth_baseline,
        cast(coalesce(unit_counts.units_sold, 0) as bigint) as units_sold,
        cast(coalesce(buyer_counts.buyers_count, 0) as bigint) as buyers_count,
        cast(coalesce(buyer_counts.first_time_buyers_count, 0) as bigint)
            as first_time_buyers_count,
        cast(coalesce(buyer_counts.repeat_buyers_count, 0) as bigint)
            as repeat_buyers_count,
        cast(coalesce(association_counts.purchases_count, 0) as bigint)
            as purchases_count,
        cast(
            coalesce(association_counts.purchases_with_other_products_count, 0)
            as bigint
        ) as purchases_with_other_products_count,
        cast(coalesce(unit_counts.recent_units, 0) as bigint) as recent_units,
        -- null: no baseline (the history is too short to cover one)
        case
            when baseline_window.growth_baseline <> 'none'
                then cast(coalesce(unit_counts.prior_units, 0) as bigint)
        end as prior_units,
        coalesce(line_amounts.net_revenue, 0) as net_revenue,
        -- null: the unit cost is unknown, so is the margin
        case
            when products.unit_cost is not null
                then coalesce(line_amounts.cost_amount, 0)
        end as cost_amount,
        products.unit_cost is not null as is_cost_known,
        coalesce(
            {{ dbt.datediff('products.launch_date', 'as_of.as_of_date', 'day') }}
            < baseline_window.new_launch_max_days,
            false
        ) as is_new_launch,
        products.launch_date,
        as_of.as_of_date
    from products
    cross join as_of
    cross join baseline_window
    left join unit_counts
        on products.product_id = unit_counts.product_id
    left join buyer_counts
        on products.product_id = buyer_counts.product_id
    left join association_counts
        on products.product_id = association_counts.product_id
    left join line_amounts
        on products.product_id = line_amounts.product_id
    where products.launch_date is null or products.launch_date <= as_of.as_of_date
)

select * from final
