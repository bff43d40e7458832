-- Histogram of inter-purchase intervals, overall (category 'all': gaps
-- between consecutive purchases) and per category (gaps between consecutive
-- purchases of that category). Buckets are interval_bucket_days wide from
-- 0; the bucket that reaches interval_histogram_cap_days is cut there and a
-- last, open bucket holds every interval of the cap or more. Every category
-- with at least one interval gets every bucket, empty ones with 0.
{% set bucket_days = var('interval_bucket_days') | int %}
{% set cap_days = var('interval_histogram_cap_days') | int %}
{% if bucket_days < 1 or cap_days < 1 %}
    {{ exceptions.raise_compiler_error(
        'interval_bucket_days and interval_histogram_cap_days must be >= 1'
    ) }}
{% endif %}
{#- Closed buckets 0 .. open_bucket_number - 1, then the open bucket. -#}
{% set open_bucket_number = ((cap_days + bucket_days - 1) // bucket_days) %}

with

intervals as (
    select
        category,
        interval_days
    from {{ ref('int_purchase_intervals_categorized') }}
),

bucket_numbers as (
    {{ dbt.generate_series(open_bucket_number + 1) }}
),

bucket_indexes as (
    select cast(generated_number as bigint) - 1 as bucket_number
    from bucket_numbers
),

buckets as (
    select
        bucket_number,
        case
            when bucket_number = {{ open_bucket_number }} then {{ cap_days }}
            else bucket_number * {{ bucket_days }}
        end as bucket_start_days,
        case
            when bucket_number < {{ open_bucket_number }}
                then
                    least(
                        (bucket_number + 1) * {{ bucket_days }}, {{ cap_days }}
                    )
                    - 1
        end as bucket_end_days
    from bucket_indexes
),

bucketed_intervals as (
    select
        category,
        case
            when interval_days >= {{ cap_days }} then {{ open_bucket_number }}
            else cast(floor(interval_days / {{ bucket_days }}) as bigint)
        end as bucket_number
    from intervals
),

bucket_counts as (
    select
        category,
        bucket_number,
        count(*) as interval_count
    from bucketed_intervals
    group by category, bucket_number
),

categories as (
    select
        category,
        sum(interval_count) as category_interval_count
    from bucket_counts
    group by category
),

category_buckets as (
    select
        categories.category,
        buckets.bucket_number,
        buckets.bucket_start_days,
        buckets.bucket_end_days,
        coalesce(bucket_counts.interval_count, 0) as interval_count,
        categories.category_interval_count
    from categories
    cross join buckets
    left join bucket_counts
        on
            categories.category = bucket_counts.category
            and buckets.bucket_number = bucket_counts.bucket_number
),

shares as (
    select
        category,
        bucket_number,
        bucket_start_days,
        bucket_end_days,
        interval_count,
        category_interval_count,
        cast(interval_count as double)
        / nullif(category_interval_count, 0) as share,
        cast(
            sum(interval_count) over (
                partition by category
                order by bucket_number
                rows between unbounded preceding and current row
            ) as double
        )
        / nullif(category_interval_count, 0) as cumulative_share
    from category_buckets
),

final as (
    select
        category,
        case
            when bucket_end_days is null
                then {{ dbt.concat([
                    dbt.cast('bucket_start_days', api.Column.translate_type('string')),
                    "'+'"
                ]) }}
            else {{ dbt.concat([
                dbt.cast('bucket_start_days', api.Column.translate_type('string')),
                "'-'",
                dbt.cast('bucket_end_days', api.Column.translate_type('string'))
            ]) }}
        end as bucket_label,
        bucket_number,
        bucket_start_days,
        bucket_end_days,
        interval_count,
        category_interval_count,
        share,
        cumulative_share,
        bucket_end_days is null as is_open_bucket
    from shares
)

select
    category,
    bucket_label,
    cast(bucket_number as bigint) as bucket_number,
    cast(bucket_start_days as bigint) as bucket_start_days,
    cast(bucket_end_days as bigint) as bucket_end_days,
    cast(interval_count as bigint) as interval_count,
    cast(category_interval_count as bigint) as category_interval_count,
    cast(share as double) as share,
    cast(cumulative_share as double) as cumulative_share,
    is_open_bucket
from final
