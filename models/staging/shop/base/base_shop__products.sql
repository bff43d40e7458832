with

source_products as (
    select
        _source_file,
        _source_row_number,
        _loaded_at,
        product_id,
        product_name,
        category,
        consumption_days,
        unit_cost,
        launch_date
    from {{ source('shop', 'products') }}
),

typed as (
    select
        _source_file as source_file,
        _source_row_number as source_row_number,
        _loaded_at as loaded_at,
        {{ clean_text('product_id') }} as product_id,
        {{ clean_text('product_name') }} as product_name,
        lower({{ clean_text('category') }}) as category,
        {{ parse_text(clean_text('consumption_days'), 'integer') }}
            as consumption_days,
        {{ parse_text(clean_text('unit_cost'), 'decimal(18, 2)') }} as unit_cost,
        {{ parse_text(clean_text('launch_date'), 'date') }} as launch_date,
        {{ clean_text('consumption_days') }} as consumption_days_text,
        {{ clean_text('unit_cost') }} as unit_cost_text,
        {{ clean_text('launch_date') }} as launch_date_text
    from source_products
),

-- Of the rows sharing a product id, the first is kept: the earliest load's,
-- then the earliest data row.
repeated_products as (
    {{ repeated_key_occurrences('typed', ['product_id'], 'product_id_occurrence') }}
),

numbered as (
    select
        typed.*,
        coalesce(repeated_products.product_id_occurrence, 1)
            as product_id_occurrence
    from typed
    left join repeated_products
        on
            {{ load_key('typed.loaded_at') }} = repeated_products.load_key
            and typed.source_row_number = repeated_products.source_row_number
),

final as (
    select
        loaded_at,
        source_file,
        source_row_number,
        product_id,
        product_name,
        category,
        consumption_days,
        unit_cost,
        launch_date,
        case
            when product_id is null then 'missing_product_id'
            when product_id_occurrence > 1 then 'duplicate_product_id'
            when category is null then 'missing_category'
            when consumption_days_text is not null and consumption_days is null
                then 'unparseable_consumption_days'
            when consumption_days <= 0 then 'non_positive_consumption_days'
            -- An empty cost is unknown (no margin), an empty launch date
            -- means on sale from the start: the product and its lines stay.
            when unit_cost_text is not null and unit_cost is null
                then 'unparseable_unit_cost'
            when unit_cost < 0 then 'negative_unit_cost'
            when launch_date_text is not null and launch_date is null
                then 'unparseable_launch_date'
        end as rejection_reason
    from numbered
)

select * from final
