{% macro parse_boolean(column_name) -%}
    case
        when lower(trim({{ column_name }})) in ('true', 't', 'yes', 'y', '1')
            then true
        when lower(trim({{ column_name }})) in ('false', 'f', 'no', 'n', '0')
            then false
    end
{%- endmacro %}
