-- One row per purchaser: BG/NBD and Gamma-Gamma predictions as of the as-of
-- date, scored in SQL with the parameters of prediction_parameters, so that
-- every engine scores the same way.
--   P(alive) = 1 / (1 + a / (b + x - 1) * ((alpha + T) / (alpha + t_x))^(r + x))
--     for x > 0, 1 for x = 0 (BG/NBD drops a customer only after a purchase);
--   expected purchases in the next t days = P(alive) * E[Y(t) | alive]
--     (int_expected_purchases_summed);
--   expected next order: given alive, the rate is Gamma(r + x, alpha + T)
--     and the wait Lomax, whose median is (alpha + T) (2^(1 / (r + x)) - 1)
--     days after the as-of date; shown for repeat customers only (for a
--     one-time buyer it is a prior, often decades away);
--   expected average order value (per purchase day): Gamma-Gamma,
--     p (v + x m) / (p x + q - 1), the population mean p v / (q - 1) at x = 0;
--   predicted CLV: the expected purchases of each of the next
--     clv_horizon_months 30-day months times that value, discounted at
--     clv_monthly_discount_rate a month (lifetimes' customer_lifetime_value).
-- prediction_status says why a column is null: the BG/NBD fit's status when
-- it is not ok (too_little_data, not_fitted, stale_fit, not_converged,
-- invalid_parameters: every prediction null), series_not_converged (the
-- expected purchases and CLV null), no_spend_model (Gamma-Gamma not ok:
-- expected order value and CLV null). Never NaN or infinite.
{% set months = var('clv_horizon_months') | int %}
{% set discount_rate = var('clv_monthly_discount_rate') | float %}

with

summary as (
    select
        customer_id,
        frequency,
        recency_days,
        t_days,
        monetary_value,
        as_of_date
    from {{ ref('customer_lifetimes_summary') }}
),

parameters as (
    select
        model_name,
        parameter_name,
        parameter_order,
        status,
        parameter_value
    from {{ ref('prediction_parameters') }}
    where model_name in ('bg_nbd', 'gamma_gamma')
),

expected_purchases as (
    select
        frequency,
        t_days,
        horizon_days,
        expected_purchases_if_alive,
        is_converged
    from {{ ref('int_expected_purchases_summed') }}
    where model_name = 'bg_nbd'
),

fit as (
    select
        coalesce(max(case
            when model_name = 'bg_nbd' and parameter_order = 1 then status
        end), 'not_fitted') as purchase_model_status,
        coalesce(max(case
            when model_name = 'gamma_gamma' and parameter_order = 1 then status
        end), 'not_fitted') as spend_model_status,
        max(case
            when model_name = 'bg_nbd' and parameter_name = 'r'
                then parameter_value
        end) as r,
        max(case
            when model_name = 'bg_nbd' and parameter_name = 'alpha'
                then parameter_value
        end) as alpha,
        max(case
            when model_name = 'bg_nbd' and parameter_name = 'a'
                then parameter_value
        end) as a,
        max(case
            when model_name = 'bg_nbd' and parameter_name = 'b'
                then parameter_value
        end) as b,
        max(case
            when model_name = 'gamma_gamma' and parameter_name = 'p'
                then parameter_value
        end) as p,
        max(case
            when model_name = 'gamma_gamma' and parameter_name = 'q'
                then parameter_value
        end) as q,
        max(case
            when model_name = 'gamma_gamma' and parameter_name = 'v'
                then parameter_value
        end) as v
    from parameters
),

monthly_increments as (
    -- the purchases expected in each 30-day month, discounted
    select
        frequency,
        t_days,
        (
            expected_purchases_if_alive
            - coalesce(lag(expected_purchases_if_alive) over (
                partition by frequency, t_days
                order by horizon_days
            ), 0)
        ) / power(1 + {{ discount_rate }}, cast(horizon_days as double) / 30)
            as discounted_purchases_if_alive
    from expected_purchases
    where
        horizon_days % 30 = 0
        and horizon_days <= {{ months * 30 }}
),

discounted as (
    select
        frequency,
        t_days,
        sum(discounted_purchases_if_alive) as discounted_purchases_if_alive
    from monthly_increments
    group by frequency, t_days
),

per_history as (
    select
        frequency,
        t_days,
        max(case
            when horizon_days = 30 then expected_purchases_if_alive
        end) as purchases_30_days_if_alive,
        max(case
            when horizon_days = 90 then expected_purchases_if_alive
        end) as purchases_90_days_if_alive,
        max(case
            when horizon_days = 365 then expected_purchases_if_alive
        end) as purchases_365_days_if_alive,
        min(case when is_converged then 1 else 0 end) as is_converged
    from expected_purchases
    group by frequency, t_days
),

scored as (
    select
        summary.customer_id,
        summary.frequency,
        summary.recency_days,
        summary.t_days,
        summary.as_of_date,
        fit.purchase_model_status,
        fit.spend_model_status,
        per_history.is_converged = 1 as is_series_converged,
        {{ bg_nbd_probability_alive(
            'fit.r', 'fit.alpha', 'fit.a', 'fit.b',
            'summary.frequency',
            'summary.recency_days',
            'summary.t_days',
        ) }} as probability_alive,
        (fit.alpha + summary.t_days)
        * (power(2, 1 / (fit.r + summary.frequency)) - 1)
            as median_days_to_next_order,
        fit.p * (fit.v + summary.frequency * summary.monetary_value)
        / (fit.p * summary.frequency + fit.q - 1) as expected_spend,
        per_history.purchases_30_days_if_alive,
        per_history.purchases_90_days_if_alive,
        per_history.purchases_365_days_if_alive,
        discounted.discounted_purchases_if_alive
    from summary
    cross join fit
    left join per_history
        on
            summary.frequency = per_history.frequency
            and summary.t_days = per_history.t_days
    left join discounted
        on
            summary.frequency = discounted.frequency
            and summary.t_days = discounted.t_days
),

alive as (
    select
        *,
        case
            when purchase_model_status != 'ok' then 'purchase_model'
            when not coalesce(is_series_converged, false) then 'series'
            when spend_model_status != 'ok' then 'spend_model'
            else 'ok'
        end as missing_part
    from scored
),

final as (
    select
        customer_id,
        case missing_part
            when 'purchase_model' then purchase_model_status
            when 'series' then 'series_not_converged'
            when 'spend_model' then 'no_spend_model'
            else 'ok'
        end as prediction_status,
        frequency,
        recency_days,
        t_days,
        probability_alive,
        case
            when missing_part in ('ok', 'spend_model')
                then probability_alive * purchases_30_days_if_alive
        end as expected_purchases_30_days,
        case
            when missing_part in ('ok', 'spend_model')
                then probability_alive * purchases_90_days_if_alive
        end as expected_purchases_90_days,
        case
            when missing_part in ('ok', 'spend_model')
                then probability_alive * purchases_365_days_if_alive
        end as expected_purchases_365_days,
        case
            when missing_part != 'purchase_model' and frequency > 0
                then cast({{ dbt.dateadd(
                    'day',
                    'cast(floor(median_days_to_next_order + 0.5) as int)',
                    'as_of_date'
                ) }} as date)
        end as expected_next_order_date,
        case
            when frequency > 0
                then cast(recency_days as double) / frequency
        end as average_days_between_orders,
        case
            when spend_model_status = 'ok' then expected_spend
        end as expected_average_order_value,
        case
            when missing_part = 'ok'
                then
                    probability_alive * discounted_purchases_if_alive
                    * expected_spend
        end as predicted_clv,
        as_of_date
    from alive
)

select
    customer_id,
    prediction_status,
    frequency,
    recency_days,
    t_days,
    cast(probability_alive as double) as probability_alive,
    cast(expected_purchases_30_days as double) as expected_purchases_30_days,
    cast(expected_purchases_90_days as double) as expected_purchases_90_days,
    cast(expected_purchases_365_days as double) as expected_purchases_365_days,
    expected_next_order_date,
    cast(average_days_between_orders as double) as average_days_between_orders,
    cast(expected_average_order_value as double)
        as expected_average_order_value,
    cast(predicted_clv as double) as predicted_clv,
    as_of_date
from final
