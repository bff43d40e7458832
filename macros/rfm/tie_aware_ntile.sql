{% macro tie_aware_ntile(buckets, order_by) -%}
    {#- ntile(buckets) where equal values share a bucket: each row gets the
        bucket in which the first row of its tie group would fall, i.e.
        1 + floor(buckets * (rows ranked strictly before it) / rows). With
        distinct values this is ntile's layout (10 rows, 5 buckets: 1,1,2,2,
        ...,5,5); the lowest value always gets 1. A window expression. -#}
    cast(
        1 + floor(
            {{ buckets }} * (rank() over (order by {{ order_by }}) - 1)
            / (1.0 * count(*) over ())
        )
        as bigint
    )
{%- endmacro %}
