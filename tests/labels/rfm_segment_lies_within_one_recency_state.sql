-- The rfm_segments seed is laid out so that every segment lies within one
-- recency state (lost: churned or inactive, the same recency state), so a
-- segment name never contradicts the recency state. A warning, not an
-- error: an edited seed may mix states on purpose. Returns each segment
-- that spans more than one recency state.
{{ config(
    enabled=var('rfm_recency_scoring') == 'cycle',
    severity='warn'
) }}

with

customer_rfm as (
    select
        customer_id,
        rfm_segment
    from {{ ref('customer_rfm') }}
),

customer_lifecycle as (
    select
        customer_id,
        recency_state
    from {{ ref('customer_lifecycle') }}
    where purchases_count > 0
)

select
    customer_rfm.rfm_segment,
    count(distinct customer_lifecycle.recency_state) as recency_states_count
from customer_rfm
inner join customer_lifecycle
    on customer_rfm.customer_id = customer_lifecycle.customer_id
group by customer_rfm.rfm_segment
having count(distinct customer_lifecycle.recency_state) > 1
