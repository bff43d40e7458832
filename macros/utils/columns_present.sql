{% macro columns_present(manifest, table_name, column_names) -%}
    {#- One row telling which parts of the shop's file for table_name the
        loader found (the load_manifest table): has_file, then
        has_<column> for each of column_names. Staging applies the data
        contract's default for what is missing. A table the manifest does not
        list counts as present, file and columns (raw tables loaded by your
        own pipeline with an empty load_manifest). -#}
    select
        coalesce(
            max(case when source_file is not null then 1 else 0 end), 1
        ) = 1 as has_file
        {%- for column in column_names %},
        coalesce(
            max(
                case
                    when column_name = '{{ column }}'
                        then case when is_column_present then 1 else 0 end
                end
            ),
            1
        ) = 1 as has_{{ column }}
        {%- endfor %}
    from {{ manifest }}
    where table_name = '{{ table_name }}'
{%- endmacro %}
