-- One row per fitted model and parameter: the BG/NBD and Gamma-Gamma
-- parameters customer_predictions and prediction_backtest score with, and how
-- each fit went. The fit runs in Python: crm-marts build fits the models on
-- customer_lifetimes_summary and int_customer_calibration_summarized with
-- scipy and passes the result as the prediction_fit var. This model publishes
-- it and judges it against this build's data: too_little_data below
-- prediction_min_repeat_customers repeat customers, not_fitted without a fit,
-- stale_fit when the fit was made on other data (other customer counts).
-- Parameter values are null unless the status is ok; the frequency-spend
-- correlation, a diagnostic of the data, always has its value.
{% set fit = var('prediction_fit') or {} %}
{% set min_repeat = var('prediction_min_repeat_customers') | int %}
{% set holdout_days = var('prediction_holdout_days') | int %}
{% set models = [
    ('bg_nbd', ['r', 'alpha', 'a', 'b']),
    ('gamma_gamma', ['p', 'q', 'v', 'frequency_spend_correlation']),
    ('bg_nbd_calibration', ['r', 'alpha', 'a', 'b']),
] %}
{% set string_type = dbt.type_string() %}

with

summary as (
    select
        frequency,
        monetary_value
    from {{ ref('customer_lifetimes_summary') }}
),

calibration as (
    select frequency from {{ ref('int_customer_calibration_summarized') }}
),

as_of as (
    select as_of_date from {{ ref('int_as_of_date_resolved') }}
),

counts as (
    select
        'bg_nbd' as model_name,
        count(*) as customers,
        coalesce(sum(case when frequency > 0 then 1 else 0 end), 0)
            as repeat_customers,
        cast(null as double) as frequency_spend_correlation
    from summary
    union all
    select
        'gamma_gamma' as model_name,
        count(*) as customers,
        count(*) as repeat_customers,
        -- corr is NaN when either column is constant: null instead
        case
            when
                var_pop(cast(frequency as double)) > 0
                and var_pop(cast(monetary_value as double)) > 0
                then corr(
                    cast(frequency as double), cast(monetary_value as double)
                )
        end as frequency_spend_correlation
    from summary
    where frequency > 0 and monetary_value > 0
    union all
    select
        'bg_nbd_calibration' as model_name,
        count(*) as customers,
        coalesce(sum(case when frequency > 0 then 1 else 0 end), 0)
            as repeat_customers,
        cast(null as double) as frequency_spend_correlation
    from calibration
),

supplied as (
    {%- for model_name, parameter_names in models %}
        {%- set model_fit = fit.get(model_name) or {} %}
        {%- set values = model_fit.get('parameters') or {} %}
        {%- for parameter_name in parameter_names %}
            select
                '{{ model_name }}' as model_name,
                '{{ parameter_name }}' as parameter_name,
                {{ loop.index }} as parameter_order,
                {{ sql_literal(model_fit.get('status'), string_type) }} as fit_status,
                {{ sql_literal(model_fit.get('message'), string_type) }}
                    as fit_message,
                {{ sql_literal(values.get(parameter_name), 'double') }}
                    as parameter_value,
                {{ sql_literal(model_fit.get('log_likelihood'), 'double') }}
                    as log_likelihood,
                {{ sql_literal(model_fit.get('customers'), 'bigint') }}
                    as fitted_customers,
                {{ sql_literal(model_fit.get('repeat_customers'), 'bigint') }}
                    as fitted_repeat_customers,
                {{ sql_literal(model_fit.get('iterations'), 'bigint') }}
                    as iterations,
                {{ sql_literal(model_fit.get('is_converged'), 'boolean') }}
                    as is_converged
            {%- if not loop.last %}
                union all
            {%- endif %}
        {%- endfor %}
        {%- if not loop.last %}
            union all
        {%- endif %}
    {%- endfor %}
),

judged as (
    select
        supplied.model_name,
        supplied.parameter_name,
        supplied.parameter_order,
        supplied.fit_message,
        supplied.parameter_value,
        supplied.log_likelihood,
        supplied.iterations,
        supplied.is_converged,
        counts.customers,
        counts.repeat_customers,
        counts.frequency_spend_correlation,
        case
            when counts.repeat_customers < {{ min_repeat }}
                then 'too_little_data'
            when supplied.fit_status is null then 'not_fitted'
            when
                supplied.fitted_customers != counts.customers
                or supplied.fitted_repeat_customers != counts.repeat_customers
                then 'stale_fit'
            else supplied.fit_status
        end as status
    from supplied
    inner join counts
        on supplied.model_name = counts.model_name
),

final as (
    select
        judged.model_name,
        judged.parameter_name,
        judged.parameter_order,
        judged.status,
        case judged.status
            when 'too_little_data'
                then {{ dbt.concat([
                    dbt.cast('judged.repeat_customers', string_type),
                    "' repeat customers, fewer than the "
                    ~ min_repeat ~ " of prediction_min_repeat_customers'",
                ]) }}
            when 'not_fitted'
                then {{ dbt.string_literal(
                    'no fit supplied: crm-marts build fits the models'
                    ~ ' and passes them as the prediction_fit var'
                ) }}
            when 'stale_fit'
                then {{ dbt.string_literal(
                    'the prediction_fit var was fitted on other data'
                    ~ ' (other customer counts): fit again'
                ) }}
            else judged.fit_message
        end as message,
        case
            when judged.parameter_name = 'frequency_spend_correlation'
                then judged.frequency_spend_correlation
            when judged.status = 'ok' then judged.parameter_value
        end as parameter_value,
        case
            when judged.status = 'ok' then judged.log_likelihood
        end as log_likelihood,
        judged.customers,
        judged.repeat_customers,
        judged.iterations,
        coalesce(judged.is_converged, false) as is_converged,
        case
            when judged.model_name = 'bg_nbd_calibration'
                then cast(
                    {{ dbt.dateadd('day', -holdout_days, 'as_of.as_of_date') }}
                    as date
                )
            else as_of.as_of_date
        end as data_end_date,
        as_of.as_of_date
    from judged
    cross join as_of
)

select
    model_name,
    parameter_name,
    cast(parameter_order as int) as parameter_order,
    status,
    message,
    cast(parameter_value as double) as parameter_value,
    cast(log_likelihood as double) as log_likelihood,
    cast(customers as bigint) as customers,
    cast(repeat_customers as bigint) as repeat_customers,
    cast(iterations as bigint) as iterations,
    is_converged,
    data_end_date,
    as_of_date
from final
