-- One row: the campaign the audiences are for. The upcoming occurrence of the
-- campaign_name promotion: the first whose peak is on or after the as-of
-- date and whose start is at most campaign_lead_window_days after it (none:
-- campaign_status no_promotion_in_lead_window, the phase dates null and the
-- audiences empty). Plus the occurrence that just ended (its end before the
-- as-of date, at most after_sale_care_window_days before it), whose buyers
-- get after-sale care.
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

upcoming_promotions as (
    select
        promotion_calendar.*,
        row_number() over (
            order by promotion_calendar.peak_date, promotion_calendar.start_date
        ) as occurrence
    from promotion_calendar
    cross join as_of
    where
        promotion_calendar.peak_date >= as_of.as_of_date
        and promotion_calendar.start_date <= cast({{ dbt.dateadd(
            'day', var('campaign_lead_window_days'), 'as_of.as_of_date'
        ) }} as date)
),

campaign as (
    select * from upcoming_promotions
    where occurrence = 1
),

ended_promotions as (
    select
        promotion_calendar.*,
        row_number() over (
            order by
                promotion_calendar.end_date desc,
                promotion_calendar.start_date desc
        ) as occurrence
    from promotion_calendar
    cross join as_of
    where
        promotion_calendar.end_date < as_of.as_of_date
        and promotion_calendar.end_date >= cast({{ dbt.dateadd(
            'day', -var('after_sale_care_window_days'), 'as_of.as_of_date'
        ) }} as date)
),

ended_campaign as (
    select * from ended_promotions
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
        '{{ var("campaign_name") }}' as campaign_name,
        case
            when campaign.start_date is not null then 'upcoming'
            else 'no_promotion_in_lead_window'
        end as campaign_status,
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
        campaign.start_date,
        campaign.peak_date,
        campaign.end_date,
        ended_campaign.promotion_year as ended_promotion_year,
        ended_campaign.start_date as ended_start_date,
        ended_campaign.peak_date as ended_peak_date,
        ended_campaign.end_date as ended_end_date,
        -- Moved, not dropped: care sent once the as-of date has passed the
        -- usual day still meets the delivery crunch.
        -- (greatest skips nulls: no ended promotion, no date)
        case when ended_campaign.end_date is not null then greatest(
            cast({{ dbt.dateadd(
                'day', var('after_sale_care_days'), 'ended_campaign.end_date'
            ) }} as date),
            as_of.as_of_date
        ) end as after_sale_care_date,
        as_of.as_of_date
    from as_of
    left join campaign
        on 1 = 1
    left join ended_campaign
        on 1 = 1
    left join warm_up_holiday
        on 1 = 1
)

select * from final
