-- One row per calibration-frequency bucket, plus an 'all' row: how well
-- BG/NBD forecasts purchases it has not seen. The bg_nbd_calibration fit of
-- prediction_parameters is fitted on the history up to the calibration end
-- (as-of date - prediction_holdout_days); each customer's expected purchases
-- in the holdout period are scored as in customer_predictions and set next
-- to the purchases actually made, averaged per bucket of calibration
-- frequency: lifetimes' plot_calibration_purchases_vs_holdout_purchases as a
-- table. Buckets 0 to prediction_backtest_max_frequency, then one open
-- bucket; every bucket is listed, empty or not. The predictions are null
-- when the calibration fit is not ok (status says why) or a customer's
-- series did not converge (series_not_converged).
{% set max_frequency = var('prediction_backtest_max_frequency') | int %}
{% set holdout_days = var('prediction_holdout_days') | int %}

with

calibration as (
    select
        frequency,
        recency_days,
        t_days,
        holdout_purchases
    from {{ ref('int_customer_calibration_summarized') }}
),

parameters as (
    select
        parameter_name,
        parameter_order,
        status,
        parameter_value
    from {{ ref('prediction_parameters') }}
    where model_name = 'bg_nbd_calibration'
),

expected_purchases as (
    select
        frequency,
        t_days,
        expected_purchases_if_alive,
        is_converged
    from {{ ref('int_expected_purchases_summed') }}
    where model_name = 'bg_nbd_calibration'
),

as_of as (
    select as_of_date from {{ ref('int_as_of_date_resolved') }}
),

fit as (
    select
        coalesce(
            max(case when parameter_order = 1 then status end), 'not_fitted'
        ) as status,
        max(case when parameter_name = 'r' then parameter_value end) as r,
        max(case when parameter_name = 'alpha' then parameter_value end)
            as alpha,
        max(case when parameter_name = 'a' then parameter_value end) as a,
        max(case when parameter_name = 'b' then parameter_value end) as b
    from parameters
),

buckets as (
    {%- for frequency in range(max_frequency + 1) %}
        select
            '{{ frequency }}' as frequency_bucket,
            {{ frequency }} as bucket_order,
            {{ frequency }} as calibration_frequency_min,
            {{ frequency }} as calibration_frequency_max
        union all
    {%- endfor %}
    select
        '{{ max_frequency + 1 }}+' as frequency_bucket,
        {{ max_frequency + 1 }} as bucket_order,
        {{ max_frequency + 1 }} as calibration_frequency_min,
        cast(null as int) as calibration_frequency_max
    union all
    select
        'all' as frequency_bucket,
        {{ max_frequency + 2 }} as bucket_order,
        0 as calibration_frequency_min,
        cast(null as int) as calibration_frequency_max
),

scored as (
    select
        calibration.frequency,
        calibration.holdout_purchases,
        fit.status as fit_status,
        expected_purchases.is_converged,
        expected_purchases.expected_purchases_if_alive
        * {{ bg_nbd_probability_alive(
            'fit.r', 'fit.alpha', 'fit.a', 'fit.b',
            'calibration.frequency',
            'calibration.recency_days',
            'calibration.t_days',
        ) }} as predicted_holdout_purchases
    from calibration
    cross join fit
    left join expected_purchases
        on
            calibration.frequency = expected_purchases.frequency
            and calibration.t_days = expected_purchases.t_days
),

bucketed as (
    select
        buckets.frequency_bucket,
        buckets.bucket_order,
        buckets.calibration_frequency_min,
        buckets.calibration_frequency_max,
        count(scored.frequency) as customers,
        coalesce(sum(scored.holdout_purchases), 0) as actual_holdout_purchases,
        sum(scored.predicted_holdout_purchases) as predicted_holdout_purchases,
        sum(
            case when not scored.is_converged then 1 else 0 end
        ) as unconverged_customers
    from buckets
    left join scored
        on
            buckets.calibration_frequency_min <= scored.frequency
            and (
                buckets.calibration_frequency_max is null
                or buckets.calibration_frequency_max >= scored.frequency
            )
    group by
        buckets.frequency_bucket,
        buckets.bucket_order,
        buckets.calibration_frequency_min,
        buckets.calibration_frequency_max
),

final as (
    select
        bucketed.frequency_bucket,
        case
            when fit.status != 'ok' then fit.status
            when bucketed.unconverged_customers > 0
                then 'series_not_converged'
            else 'ok'
        end as status,
        bucketed.bucket_order,
        bucketed.calibration_frequency_min,
        bucketed.calibration_frequency_max,
        bucketed.customers,
        bucketed.actual_holdout_purchases,
        case
            when fit.status = 'ok' and bucketed.unconverged_customers = 0
                then coalesce(bucketed.predicted_holdout_purchases, 0)
        end as predicted_holdout_purchases,
        as_of.as_of_date
    from bucketed
    cross join fit
    cross join as_of
)

select
    frequency_bucket,
    status,
    cast(bucket_order as int) as bucket_order,
    cast(calibration_frequency_min as bigint) as calibration_frequency_min,
    cast(calibration_frequency_max as bigint) as calibration_frequency_max,
    cast(customers as bigint) as customers,
    cast(actual_holdout_purchases as bigint) as actual_holdout_purchases,
    cast(predicted_holdout_purchases as double) as predicted_holdout_purchases,
    cast(actual_holdout_purchases as double) / nullif(customers, 0)
        as actual_purchases_per_customer,
    cast(predicted_holdout_purchases / nullif(customers, 0) as double)
        as predicted_purchases_per_customer,
    cast(predicted_holdout_purchases as double)
    / nullif(actual_holdout_purchases, 0) as predicted_to_actual_ratio,
    cast({{ holdout_days }} as bigint) as holdout_days,
    cast({{ dbt.dateadd('day', -holdout_days, 'as_of_date') }} as date)
        as calibration_end_date,
    as_of_date
from final
