{% test month_day_exists_every_year(model, column_name, day_column) -%}
    {#- Rows whose month (column_name) and day (day_column) are not a day of
        every year: month outside 1-12, day outside the month, or Feb 29.
        Null month and day together pass (an optional date). -#}
    select
        {{ column_name }} as month_number,
        {{ day_column }} as day_number
    from {{ model }}
    where
        ({{ column_name }} is null) <> ({{ day_column }} is null)
        or {{ column_name }} not between 1 and 12
        or {{ day_column }} < 1
        or {{ day_column }} > case
            when {{ column_name }} = 2 then 28
            when {{ column_name }} in (4, 6, 9, 11) then 30
            else 31
        end
{%- endtest %}
