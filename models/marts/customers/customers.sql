with

customers as (
    select * from {{ ref('stg_shop__customers') }}
),

orders as (
    select * from {{ ref('int_orders_enriched') }}
),

purchases as (
    select * from {{ ref('int_purchases_sequenced') }}
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

as_of as (
    select as_of_date from {{ ref('int_as_of_date_resolved') }}
),

order_facts as (
    select
        customer_id,
        sum(case when is_valid_purchase then 1 else 0 end) as orders_count,
        sum(case when is_valid_purchase then items_count else 0 end)
            as items_count,
        sum(net_revenue) as net_revenue,
        sum(
            case when is_valid_purchase and is_promotion_order then 1 else 0 end
        ) as promotion_orders_count,
        sum(case when not is_paid then 1 else 0 end) as unpaid_orders_count,
        sum(case when is_fully_refunded then 1 else 0 end)
            as refunded_orders_count,
        max(case when is_valid_purchase and is_presale then 1 else 0 end) = 1
            as is_presale_buyer
    from orders
    group by customer_id
),

purchase_facts as (
    select
        customer_id,
        count(*) as purchases_count,
        min(purchase_date) as first_purchase_date,
        max(purchase_date) as last_purchase_date,
        avg(days_since_previous_purchase) as mean_interval_days,
        {{ percentile('days_since_previous_purchase', 0.5) }}
            as median_interval_days
    from purchases
    group by customer_id
),

last_intervals as (
    select
        purchases.customer_id,
        purchases.days_since_previous_purchase as last_interval_days
    from purchases
    inner join purchase_facts
        on
            purchases.customer_id = purchase_facts.customer_id
            and purchases.purchase_number = purchase_facts.purchases_count
),

customer_categories as (
    select distinct
        orders.customer_id,
        products.category
    from orders
    inner join order_items
        on orders.order_id = order_items.order_id
    inner join products
        on order_items.product_id = products.product_id
    where orders.is_valid_purchase
),

category_lists as (
    select
        customer_id,
        count(*) as categories_count,
        {{ dbt.listagg('category', "', '", 'order by category') }}
            as categories_bought
    from customer_categories
    group by customer_id
),

customer_seasons as (
    select distinct
        customer_id,
        season_name
    from orders
    where is_valid_purchase and season_name is not null
),

season_lists as (
    select
        customer_id,
        count(*) as seasons_count,
        {{ dbt.listagg('season_name', "', '", 'order by season_name') }}
            as seasons_bought
    from customer_seasons
    group by customer_id
),

final as (
    select
        customers.customer_id,
        customers.member_level,
        category_lists.categories_bought,
        season_lists.seasons_bought,
        cast(coalesce(purchase_facts.purchases_count, 0) as bigint) as purchases_count,
        cast(coalesce(order_facts.orders_count, 0) as bigint) as orders_count,
        cast(coalesce(order_facts.items_count, 0) as bigint) as items_count,
        cast(coalesce(category_lists.categories_count, 0) as bigint) as categories_count,
        cast(coalesce(season_lists.seasons_count, 0) as bigint) as seasons_count,
        cast(coalesce(order_facts.unpaid_orders_count, 0) as bigint) as unpaid_orders_count,
        cast(coalesce(order_facts.refunded_orders_count, 0) as bigint)
            as refunded_orders_count,
        cast(coalesce(order_facts.net_revenue, 0) as decimal(18, 2))
            as net_revenue,
        cast(
            {{ money_ratio('order_facts.net_revenue', 'order_facts.orders_count') }}
            as decimal(18, 2)
        ) as average_order_value,
        cast(
            1.0 * order_facts.promotion_orders_count
            / nullif(order_facts.orders_count, 0)
            as double
        ) as promotion_order_share,
        cast(purchase_facts.mean_interval_days as double) as mean_interval_days,
        cast(purchase_facts.median_interval_days as double)
            as median_interval_days,
        last_intervals.last_interval_days,
        {{ dbt.datediff('purchase_facts.first_purchase_date', 'as_of.as_of_date', 'day') }}
            as tenure_days,
        {{ dbt.datediff('purchase_facts.last_purchase_date', 'as_of.as_of_date', 'day') }}
            as days_since_last_purchase,
        purchase_facts.customer_id is null as is_prospect,
        coalesce(purchase_facts.purchases_count, 0) >= 2 as is_repeat_buyer,
        coalesce(order_facts.is_presale_buyer, false) as is_presale_buyer,
        customers.has_email_consent,
        customers.has_sms_consent,
        customers.has_phone_consent,
        customers.is_unsubscribed,
        customers.birthday_date,
        purchase_facts.first_purchase_date,
        purchase_facts.last_purchase_date,
        as_of.as_of_date,
        customers.registered_at
    from customers
    cross join as_of
    left join order_facts
        on customers.customer_id = order_facts.customer_id
    left join purchase_facts
        on customers.customer_id = purchase_facts.customer_id
    left join last_intervals
        on customers.customer_id = last_intervals.customer_id
    left join category_lists
        on customers.customer_id = category_lists.customer_id
    left join season_lists
        on customers.customer_id = season_lists.customer_id
    where
        cast(customers.registered_at as date) <= as_of.as_of_date
        or purchase_facts.customer_id is not null
)

select
    customer_id,
    member_level,
    categories_bought,
    seasons_bought,
    purchases_count,
    orders_count,
    items_count,
    categories_count,
    seasons_count,
    unpaid_orders_count,
    refunded_orders_count,
    net_revenue,
    average_order_value,
    promotion_order_share,
    mean_interval_days,
    median_interval_days,
    last_interval_days,
    tenure_days,
    days_since_last_purchase,
    is_prospect,
    is_repeat_buyer,
    is_presale_buyer,
    has_email_consent,
    has_sms_consent,
    has_phone_consent,
    is_unsubscribed,
    birthday_date,
    first_purchase_date,
    last_purchase_date,
    as_of_date,
    registered_at
from final
