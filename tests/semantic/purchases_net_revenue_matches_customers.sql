-- The purchases fact and the customers mart count the same purchases and
-- the same net revenue per customer, so a metric over either agrees.
with

purchases as (
    select
        customer_id,
        net_revenue
    from {{ ref('purchases') }}
),

customers as (
    select
        customer_id,
        purchases_count,
        net_revenue
    from {{ ref('customers') }}
),

per_customer as (
    select
        customer_id,
        count(*) as purchases_count,
        sum(net_revenue) as net_revenue
    from purchases
    group by customer_id
)

select
    customers.customer_id,
    customers.purchases_count,
    per_customer.purchases_count as purchases_in_fact,
    customers.net_revenue,
    per_customer.net_revenue as net_revenue_in_fact
from customers
left join per_customer
    on customers.customer_id = per_customer.customer_id
where
    customers.purchases_count <> coalesce(per_customer.purchases_count, 0)
    or customers.net_revenue <> coalesce(per_customer.net_revenue, 0)
