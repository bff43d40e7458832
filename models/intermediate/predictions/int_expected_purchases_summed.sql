-- One row per BG/NBD fit, distinct (frequency, T) of its customers and
-- horizon: the expected purchases in the next horizon_days of a customer who
-- is still alive, E[Y(t) | x, T, alive] of Fader, Hardie & Lee (2005, eq. 10)
-- divided by P(alive) (which needs recency, so customer_predictions applies
-- it). With Euler's transformation of its hypergeometric function,
--   E[Y(t) | alive] = C / (a - 1)
--                     * (1 - ((alpha + T) / (alpha + T + t))^(a - 1) * F),
--   F = 2F1(A, B; C; z), A = a + b - 1 - r, B = a - 1, C = a + b + x - 1,
--   z = t / (alpha + T + t),
-- and F summed as its power series in SQL, no gamma function needed (Spark
-- has none). Term k + 1 = term k * z (A + k) (B + k) / ((C + k) (k + 1)), so
-- each term is the exponent of a running sum of logarithms. The number of
-- terms K is estimated from the rate the terms fall (about z per term, after
-- a peak near (a - r - x - 2) z / (1 - z) when that is positive), with a
-- fifth and ten terms to spare, and capped at prediction_series_max_terms.
-- The remainder is then bounded rigorously:
-- for k >= K > max(-A, -B, -C) every ratio is at most
--   q = z * max(1, (K + A) / (K + 1)) * max(1, (K + B) / (K + C)),
-- so |F - sum of the first K terms| <= |term K| / (1 - q) when q < 1, and the
-- error of the expected purchases at most |C / (a - 1)| times the power times
-- that. is_converged: that bound is at most prediction_series_tolerance.
{% set max_terms = var('prediction_series_max_terms') | int %}
{% set tolerance = var('prediction_series_tolerance') | float %}
{% set holdout_days = var('prediction_holdout_days') | int %}
{% set horizons = [30, 90, 365] %}
{% for month in range(1, (var('clv_horizon_months') | int) + 1) %}
    {% if month * 30 not in horizons %}{% do horizons.append(month * 30) %}{% endif %}
{% endfor %}
{% set key = 'model_name, frequency, t_days, horizon_days' %}

with

parameters as (
    select
        model_name,
        parameter_name,
        parameter_value
    from {{ ref('prediction_parameters') }}
    where
        status = 'ok'
        and model_name in ('bg_nbd', 'bg_nbd_calibration')
),

summary as (
    select
        frequency,
        t_days
    from {{ ref('customer_lifetimes_summary') }}
),

calibration as (
    select
        frequency,
        t_days
    from {{ ref('int_customer_calibration_summarized') }}
),

term_numbers as (
    {{ dbt.generate_series(max_terms + 1) }}
),

fits as (
    select
        model_name,
        max(case when parameter_name = 'r' then parameter_value end) as r,
        max(case when parameter_name = 'alpha' then parameter_value end)
            as alpha,
        max(case when parameter_name = 'a' then parameter_value end) as a,
        max(case when parameter_name = 'b' then parameter_value end) as b
    from parameters
    group by model_name
),

horizons as (
    {%- for horizon in horizons | sort %}
        select
            'bg_nbd' as model_name,
            {{ horizon }} as horizon_days
        union all
    {%- endfor %}
    select
        'bg_nbd_calibration' as model_name,
        {{ holdout_days }} as horizon_days
),

histories as (
    select distinct
        'bg_nbd' as model_name,
        frequency,
        t_days
    from summary
    union all
    select distinct
        'bg_nbd_calibration' as model_name,
        frequency,
        t_days
    from calibration
),

series_inputs as (
    select
        histories.model_name,
        histories.frequency,
        histories.t_days,
        horizons.horizon_days,
        fits.a,
        fits.a + fits.b - 1 - fits.r as upper_a,
        fits.a - 1 as upper_b,
        fits.a + fits.b + histories.frequency - 1 as lower_c,
        fits.a - fits.r - histories.frequency - 2 as growth_exponent,
        cast(horizons.horizon_days as double)
        / (fits.alpha + histories.t_days + horizons.horizon_days) as z,
        power(
            (fits.alpha + histories.t_days)
            / (fits.alpha + histories.t_days + horizons.horizon_days),
            fits.a - 1
        ) as power_term,
        fits.r
    from histories
    inner join fits
        on histories.model_name = fits.model_name
    inner join horizons
        on histories.model_name = horizons.model_name
),

factored as (
    select
        *,
        -- what an error in F is multiplied by in the expected purchases
        power_term * abs(lower_c / (a - 1)) as error_factor
    from series_inputs
),

sized as (
    select
        *,
        cast(least(
            {{ max_terms }},
            greatest(
                ceil(r) + 2,
                -- a fifth more than the estimate, and ten terms, to spare:
                -- the estimate runs a little short when the terms peak late
                ceil(
                    1.2 * (
                        2 * greatest(growth_exponent, 0) * z / (1 - z)
                        + (ln({{ tolerance }}) - ln(error_factor) + ln(1 - z))
                        / ln(z)
                    )
                ) + 10
            )
        ) as int) as series_terms
    from factored
),

ratios as (
    -- the ratio of term k + 1 to term k, as log of its size, its sign
    -- (factors below 0) and whether it is 0 (the series stops there)
    select
        sized.model_name,
        sized.frequency,
        sized.t_days,
        sized.horizon_days,
        sized.series_terms,
        term_numbers.generated_number - 1 as term_number,
        ln(abs(case
            when sized.upper_a + term_numbers.generated_number - 1 = 0 then 1
            else sized.upper_a + term_numbers.generated_number - 1
        end))
        + ln(abs(case
            when sized.upper_b + term_numbers.generated_number - 1 = 0 then 1
            else sized.upper_b + term_numbers.generated_number - 1
        end))
        - ln(abs(sized.lower_c + term_numbers.generated_number - 1))
        - ln(term_numbers.generated_number)
        + ln(sized.z) as log_ratio,
        case
            when sized.upper_a + term_numbers.generated_number - 1 < 0 then 1
            else 0
        end
        + case
            when sized.upper_b + term_numbers.generated_number - 1 < 0 then 1
            else 0
        end
        + case
            when sized.lower_c + term_numbers.generated_number - 1 < 0 then 1
            else 0
        end as negative_factors,
        case
            when
                sized.upper_a + term_numbers.generated_number - 1 = 0
                or sized.upper_b + term_numbers.generated_number - 1 = 0
                then 1
            else 0
        end as zero_factors
    from sized
    inner join term_numbers
        on term_numbers.generated_number - 1 <= sized.series_terms
),

terms as (
    select
        model_name,
        frequency,
        t_days,
        horizon_days,
        series_terms,
        term_number,
        coalesce(sum(log_ratio) over (
            partition by {{ key }}
            order by term_number
            rows between unbounded preceding and 1 preceding
        ), 0) as log_term,
        coalesce(sum(negative_factors) over (
            partition by {{ key }}
            order by term_number
            rows between unbounded preceding and 1 preceding
        ), 0) as negative_factors,
        coalesce(max(zero_factors) over (
            partition by {{ key }}
            order by term_number
            rows between unbounded preceding and 1 preceding
        ), 0) as zero_factors
    from ratios
),

term_values as (
    select
        model_name,
        frequency,
        t_days,
        horizon_days,
        series_terms,
        term_number,
        log_term,
        case
            -- below exp's smallest double the term is 0; above 700 the sum
            -- is not trusted (largest_log_term marks it not converged)
            when zero_factors > 0 or log_term < -700 then 0
            else
                case when negative_factors % 2 = 1 then -1 else 1 end
                * exp(least(log_term, 700))
        end as term_value
    from terms
),

summed as (
    select
        model_name,
        frequency,
        t_days,
        horizon_days,
        series_terms,
        sum(
            case when term_number < series_terms then term_value else 0 end
        ) as hypergeometric_value,
        max(
            case when term_number = series_terms then abs(term_value) end
        ) as next_term_size,
        max(log_term) as largest_log_term
    from term_values
    group by {{ key }}, series_terms
),

bounded as (
    select
        summed.model_name,
        summed.frequency,
        summed.t_days,
        summed.horizon_days,
        summed.series_terms,
        summed.hypergeometric_value,
        sized.lower_c / (sized.a - 1) * (
            1 - sized.power_term * summed.hypergeometric_value
        ) as expected_purchases_if_alive,
        sized.z * greatest(
            1,
            (summed.series_terms + sized.upper_a) / (summed.series_terms + 1)
        ) * greatest(
            1,
            (summed.series_terms + sized.upper_b)
            / (summed.series_terms + sized.lower_c)
        ) as tail_ratio_bound,
        summed.series_terms + sized.upper_a > 0
        and summed.series_terms + sized.upper_b > 0
        and summed.series_terms + sized.lower_c > 0
        and summed.largest_log_term <= 700 as is_bound_valid,
        sized.error_factor,
        summed.next_term_size
    from summed
    inner join sized
        on
            summed.model_name = sized.model_name
            and summed.frequency = sized.frequency
            and summed.t_days = sized.t_days
            and summed.horizon_days = sized.horizon_days
),

final as (
    select
        model_name,
        frequency,
        t_days,
        horizon_days,
        series_terms,
        hypergeometric_value,
        expected_purchases_if_alive,
        case
            when is_bound_valid and tail_ratio_bound < 1
                then error_factor * next_term_size / (1 - tail_ratio_bound)
        end as error_bound
    from bounded
)

select
    model_name,
    frequency,
    t_days,
    cast(horizon_days as bigint) as horizon_days,
    cast(series_terms as bigint) as series_terms,
    cast(hypergeometric_value as double) as hypergeometric_value,
    cast(expected_purchases_if_alive as double) as expected_purchases_if_alive,
    cast(error_bound as double) as error_bound,
    coalesce(error_bound <= {{ tolerance }}, false) as is_converged
from final
