{% macro spark__datediff(first_date, second_date, datepart) -%}
    {#- dbt-spark's datediff, as a bigint like DuckDB's (Spark's is an int),
        so the same contract data_type holds on both. -#}
    cast({{ dbt.spark__datediff(first_date, second_date, datepart) }} as bigint)
{%- endmacro %}
