{% test unique_combination(model, columns) %}
{#- The combination of `columns` identifies a row: no two rows share it. -#}
select
    {{ columns | join(', ') }},
    count(*) as row_count
from {{ model }}
group by {{ columns | join(', ') }}
having count(*) > 1
{% endtest %}
