{% test value_share_at_most(model, column_name, max_share, min_rows=0) %}
{#- No single value of `column_name` (null included) holds more than
    `max_share` of the rows. Checked only when the model has at least
    `min_rows` rows (after any `where` config); failing values are returned. -#}
with

value_counts as (
    select
        {{ column_name }} as column_value,
        count(*) as row_count
    from {{ model }}
    group by {{ column_name }}
),

totals as (
    select sum(row_count) as total_rows from value_counts
)

select
    value_counts.column_value,
    value_counts.row_count,
    totals.total_rows
from value_counts
cross join totals
where
    totals.total_rows >= {{ min_rows }}
    and value_counts.row_count > {{ max_share }} * totals.total_rows
{% endtest %}
