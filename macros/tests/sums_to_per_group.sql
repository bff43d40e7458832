{% test sums_to_per_group(model, column_name, group_by, total=1, tolerance=0.000001) %}
{#- Per group of `group_by` columns, `column_name` sums to `total` (within
    `tolerance`, for floating-point shares); failing groups are returned. -#}
select
    {{ group_by | join(', ') }},
    sum({{ column_name }}) as column_total
from {{ model }}
group by {{ group_by | join(', ') }}
having abs(sum({{ column_name }}) - {{ total }}) > {{ tolerance }}
{% endtest %}
