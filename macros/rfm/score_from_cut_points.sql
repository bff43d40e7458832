{% macro score_from_cut_points(expression, cut_points, var_name) -%}
    {#- Score 1 to len(cut_points) + 1: 1 below the first cut point, k + 1
        from the k-th on (a value equal to a cut point takes the higher
        score). cut_points must be ascending numbers; var_name names the var
        they come from in the error. A plain CASE expression (bigint). -#}
    {%- for cut_point in cut_points %}
        {%- if cut_point is not number %}
            {{ exceptions.raise_compiler_error(
                var_name ~ ' must be a list of numbers, got ' ~ cut_points
            ) }}
        {%- endif %}
        {%- if not loop.first and cut_point <= cut_points[loop.index0 - 1] %}
            {{ exceptions.raise_compiler_error(
                var_name ~ ' must be strictly ascending, got ' ~ cut_points
            ) }}
        {%- endif %}
    {%- endfor %}
    cast(
        case
            {%- for cut_point in cut_points | reverse %}
            when {{ expression }} >= {{ cut_point }} then {{ cut_points | length + 1 - loop.index0 }}
            {%- endfor %}
            else 1
        end
        as bigint
    )
{%- endmacro %}
