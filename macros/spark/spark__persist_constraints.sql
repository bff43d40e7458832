{% macro spark__persist_constraints(relation, model) -%}
    {#- Overrides dbt-spark's, which treats a model without file_format as
        Delta and runs ALTER TABLE ... SET NOT NULL / ADD CONSTRAINT after an
        enforced contract's create: plain Parquet tables reject both. Here
        constraints are applied to Delta tables only; every contract's column
        names and data types are still checked when the table is created, and
        not_null, unique, ... are data tests in this project. -#}
    {%- if config.get('file_format') == 'delta' -%}
        {% do dbt.spark__persist_constraints(relation, model) %}
    {%- endif -%}
{%- endmacro %}
