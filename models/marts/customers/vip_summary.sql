-- One row: how many purchasers are VIPs (customer_rfm: the smallest top group
-- by revenue reaching vip_revenue_share of it), the share of purchasers they
-- are and the share of revenue they actually bring, next to the target.
with

customer_rfm as (
    select
        net_revenue,
        is_vip
    from {{ ref('customer_rfm') }}
),

as_of as (
    select as_of_date from {{ ref('int_as_of_date_resolved') }}
),

totals as (
    select
        sum(case when is_vip then 1 else 0 end) as vip_customers_count,
        count(*) as purchasers_count,
        sum(case when is_vip then net_revenue else 0 end) as vip_revenue,
        sum(net_revenue) as total_revenue
    from customer_rfm
),

final as (
    select
        coalesce(totals.vip_customers_count, 0) as vip_customers_count,
        totals.purchasers_count,
        cast(totals.vip_customers_count as double)
        / nullif(totals.purchasers_count, 0) as vip_customer_share,
        coalesce(totals.vip_revenue, 0) as vip_revenue,
        coalesce(totals.total_revenue, 0) as total_revenue,
        cast(totals.vip_revenue as double)
        / nullif(totals.total_revenue, 0) as vip_revenue_share,
        {{ var('vip_revenue_share') }} as vip_revenue_share_target,
        as_of.as_of_date
    from totals
    cross join as_of
)

select
    cast(vip_customers_count as bigint) as vip_customers_count,
    cast(purchasers_count as bigint) as purchasers_count,
    cast(vip_customer_share as double) as vip_customer_share,
    cast(vip_revenue as decimal(18, 2)) as vip_revenue,
    cast(total_revenue as decimal(18, 2)) as total_revenue,
    cast(vip_revenue_share as double) as vip_revenue_share,
    cast(vip_revenue_share_target as double) as vip_revenue_share_target,
    as_of_date
from final
