-- prediction_backtest's buckets hold every calibration customer once: the
-- 'all' row and the sum of the buckets both equal the calibration summary's
-- customers and holdout purchases, and the predictions add up to 'all'.
with

backtest as (
    select
        frequency_bucket,
        customers,
        actual_holdout_purchases,
        predicted_holdout_purchases
    from {{ ref('prediction_backtest') }}
),

calibration as (
    select holdout_purchases
    from {{ ref('int_customer_calibration_summarized') }}
),

buckets as (
    select
        sum(customers) as customers,
        sum(actual_holdout_purchases) as actual_holdout_purchases,
        sum(predicted_holdout_purchases) as predicted_holdout_purchases,
        count(*) - count(predicted_holdout_purchases) as unpredicted_buckets
    from backtest
    where frequency_bucket != 'all'
),

all_row as (
    select
        customers,
        actual_holdout_purchases,
        predicted_holdout_purchases
    from backtest
    where frequency_bucket = 'all'
),

expected as (
    select
        count(*) as customers,
        coalesce(sum(holdout_purchases), 0) as actual_holdout_purchases
    from calibration
)

select
    buckets.customers as bucket_customers,
    all_row.customers as all_customers,
    expected.customers as expected_customers,
    buckets.actual_holdout_purchases as bucket_purchases,
    all_row.actual_holdout_purchases as all_purchases,
    expected.actual_holdout_purchases as expected_purchases
from buckets
cross join all_row
cross join expected
where
    buckets.customers != expected.customers
    or all_row.customers != expected.customers
    or buckets.actual_holdout_purchases != expected.actual_holdout_purchases
    or all_row.actual_holdout_purchases != expected.actual_holdout_purchases
    -- 'all' is predicted exactly when every bucket is, and is their sum
    or (all_row.predicted_holdout_purchases is null)
    != (buckets.unpredicted_buckets > 0)
    or abs(
        coalesce(buckets.predicted_holdout_purchases, 0)
        - coalesce(all_row.predicted_holdout_purchases, 0)
    ) > 1e-9 * (1 + abs(coalesce(all_row.predicted_holdout_purchases, 0)))
    and all_row.predicted_holdout_purchases is not null
