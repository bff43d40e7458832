with

base_products as (
    select * from {{ ref('base_shop__products') }}
),

final as (
    select
        product_id,
        product_name,
        category,
        consumption_days,
        unit_cost,
        consumption_days is not null as is_consumable,
        launch_date
    from base_products
    where rejection_reason is null
)

select * from final
