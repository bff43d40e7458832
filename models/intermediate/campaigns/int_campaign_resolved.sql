-- One row: the campaign the audiences are for. The next occurrence of the
-- campaign_name promotion whose peak is on or after the as-of date, with the
-- send dates of each phase.
with

as_of as (
    select as_of_date from {{ ref('int_as_of_date_resolved') }}
),

promotion_calendar as (
    select
        promotion_name,
        promotion_year,
        start_date,
        peak_date,
        end_date
    from {{ ref('int_promotions_dated') }}
    where promotion_name = '{{ var("campaign_name") }}'
),

holiday_calendar as (
    select holiday_date from {{ ref('int_holidays_dated') }}
),

next_promotion as (
    select
        promotion_calendar.*,
        as_of.as_of_date,
        row_number() over (order by promotion_calendar.peak_date) as occurrence
    from promotion_calendar
    cross join as_of
    where promotion_calendar.peak_date >= as_of.as_of_date
),

campaign as (
    select * from next_promotion
    where occurrence = 1
),

warm_up_holiday as (
    select max(holiday_calendar.holiday_date) as holiday_date
    from holiday_calendar
    cross join campaign
    where
        holiday_calendar.holiday_date < campaign.start_date
        and holiday_calendar.holiday_date >= cast({{ dbt.dateadd(
            'day', -var('warm_up_lead_days'), 'campaign.start_date'
        ) }} as date)
),

final as (
    select
        campaign.promotion_name as campaign_name,
        campaign.promotion_year,
        coalesce(
            warm_up_holiday.holiday_date,
            cast({{ dbt.dateadd(
                'day', -var('warm_up_lead_days'), 'campaign.start_date'
            ) }} as date)
        ) as warm_up_date,
        cast({{ dbt.dateadd(
            'day', -var('pre_heat_lead_days'), 'campaign.start_date'
        ) }} as date) as pre_heat_date,
        cast({{ dbt.dateadd(
            'day', var('after_sale_care_days'), 'campaign.end_date'
        ) }} as date) as after_sale_care_date,
        campaign.start_date,
        campaign.peak_date,
        campaign.end_date,
        campaign.as_of_date
    from campaign
    cross join warm_up_holiday
)

select * from final
