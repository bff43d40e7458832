-- One row per customer whose first purchase is on or before the calibration
-- end (the as-of date - prediction_holdout_days): the lifetimes summary of
-- the calibration period (frequency, recency, T up to the calibration end)
-- and the purchases of the holdout period after it, as lifetimes'
-- calibration_and_holdout_data makes them. prediction_backtest fits BG/NBD on
-- the calibration columns and compares its forecast with the holdout.
{% set holdout_days = var('prediction_holdout_days') | int %}

with

purchases as (
    select
        customer_id,
        purchase_date
    from {{ ref('int_purchases_sequenced') }}
),

as_of as (
    select as_of_date from {{ ref('int_as_of_date_resolved') }}
),

periods as (
    select
        as_of_date,
        cast(
            {{ dbt.dateadd('day', -holdout_days, 'as_of_date') }} as date
        ) as calibration_end_date
    from as_of
),

per_customer as (
    select
        purchases.customer_id,
        periods.calibration_end_date,
        periods.as_of_date,
        sum(
            case
                when purchases.purchase_date <= periods.calibration_end_date
                    then 1
                else 0
            end
        ) as calibration_purchases,
        sum(
            case
                when purchases.purchase_date > periods.calibration_end_date
                    then 1
                else 0
            end
        ) as holdout_purchases,
        min(purchases.purchase_date) as first_purchase_date,
        max(
            case
                when purchases.purchase_date <= periods.calibration_end_date
                    then purchases.purchase_date
            end
        ) as last_calibration_purchase_date
    from purchases
    cross join periods
    group by
        purchases.customer_id,
        periods.calibration_end_date,
        periods.as_of_date
),

final as (
    select
        customer_id,
        calibration_purchases - 1 as frequency,
        {{ dbt.datediff(
            'first_purchase_date', 'last_calibration_purchase_date', 'day'
        ) }} as recency_days,
        {{ dbt.datediff(
            'first_purchase_date', 'calibration_end_date', 'day'
        ) }} as t_days,
        holdout_purchases,
        {{ dbt.datediff('calibration_end_date', 'as_of_date', 'day') }}
            as holdout_days,
        first_purchase_date,
        calibration_end_date,
        as_of_date
    from per_customer
    where first_purchase_date <= calibration_end_date
)

select
    customer_id,
    cast(frequency as bigint) as frequency,
    cast(recency_days as bigint) as recency_days,
    cast(t_days as bigint) as t_days,
    cast(holdout_purchases as bigint) as holdout_purchases,
    cast(holdout_days as bigint) as holdout_days,
    first_purchase_date,
    calibration_end_date,
    as_of_date
from final
