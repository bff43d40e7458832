{% test rows_reconcile(
    model, raw_relation, rejected_relation, source_table, staged_where=none
) %}
{#- Every raw row is either staged (the model) or rejected with a reason:
    raw rows = staged rows + rejected rows for source_table. staged_where
    keeps the staged rows that come from the raw table (not those staging
    derives from another one). -#}
with

raw_rows as (
    select count(*) as row_count from {{ raw_relation }}
),

staged_rows as (
    select count(*) as row_count from {{ model }}
    {%- if staged_where %}
    where {{ staged_where }}
    {%- endif %}
),

rejected_rows as (
    select count(*) as row_count
    from {{ rejected_relation }}
    where source_table = '{{ source_table }}'
)

select
    raw_rows.row_count as raw_row_count,
    staged_rows.row_count as staged_row_count,
    rejected_rows.row_count as rejected_row_count
from raw_rows
cross join staged_rows
cross join rejected_rows
where raw_rows.row_count <> staged_rows.row_count + rejected_rows.row_count

{% endtest %}
