-- One row per occurrence of a shop-wide promotion in every year of the
-- calendar span (int_calendar_span_checked: the year before the first order
-- to the year after the as-of date). Dated by the promotion_rules seed; the
-- rows of the promotion_overrides seed replace every occurrence the rule
-- gives a (promotion_name, promotion_year).
with

calendar_span as (
    select
        first_year,
        last_year
    from {{ ref('int_calendar_span_checked') }}
),

promotion_rules as (
    select
        promotion_name,
        presale_start_month,
        presale_start_day,
        start_month,
        start_day,
        peak_month,
        peak_day,
        end_month,
        end_day
    from {{ ref('promotion_rules') }}
),

promotion_overrides as (
    select
        promotion_name,
        promotion_year,
        presale_start_date,
        start_date,
        peak_date,
        end_date
    from {{ ref('promotion_overrides') }}
),

years as (
    {{ date_series(
        date_from_parts('calendar_span.first_year', 1, 1),
        date_from_parts('calendar_span.last_year', 1, 1),
        'year',
        'calendar_span'
    ) }}
),

rule_years as (
    select
        promotion_rules.*,
        cast(extract(year from years.series_date) as integer)
            as promotion_year,
        promotion_rules.start_month * 100 + promotion_rules.start_day
            as start_month_day
    from promotion_rules
    cross join years
),

-- The start falls in the promotion's year; the peak and end on the first
-- such day on or after it, the presale on the last one on or before it.
rule_dates as (
    select
        promotion_name,
        promotion_year,
        {{ date_from_parts(
            'promotion_year - case when presale_start_month * 100'
            ~ ' + presale_start_day > start_month_day then 1 else 0 end',
            'presale_start_month',
            'presale_start_day'
        ) }} as presale_start_date,
        {{ date_from_parts('promotion_year', 'start_month', 'start_day') }}
            as start_date,
        {{ date_from_parts(
            'promotion_year + case when peak_month * 100 + peak_day'
            ~ ' < start_month_day then 1 else 0 end',
            'peak_month',
            'peak_day'
        ) }} as peak_date,
        {{ date_from_parts(
            'promotion_year + case when end_month * 100 + end_day'
            ~ ' < start_month_day then 1 else 0 end',
            'end_month',
            'end_day'
        ) }} as end_date
    from rule_years
),

overridden as (
    select distinct
        promotion_name,
        promotion_year
    from promotion_overrides
),

final as (
    select
        rule_dates.promotion_name,
        rule_dates.promotion_year,
        'rule' as date_basis,
        rule_dates.presale_start_date,
        rule_dates.start_date,
        rule_dates.peak_date,
        rule_dates.end_date
    from rule_dates
    left join overridden
        on
            rule_dates.promotion_name = overridden.promotion_name
            and rule_dates.promotion_year = overridden.promotion_year
    where overridden.promotion_name is null
    union all
    select
        promotion_overrides.promotion_name,
        promotion_overrides.promotion_year,
        'override' as date_basis,
        promotion_overrides.presale_start_date,
        promotion_overrides.start_date,
        promotion_overrides.peak_date,
        promotion_overrides.end_date
    from promotion_overrides
    cross join calendar_span
    where
        promotion_overrides.promotion_year
        between calendar_span.first_year and calendar_span.last_year
)

select
    promotion_name,
    cast(promotion_year as integer) as promotion_year,
    date_basis,
    presale_start_date,
    start_date,
    peak_date,
    end_date
from final
