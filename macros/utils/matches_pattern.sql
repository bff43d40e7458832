{% macro matches_pattern(expression, pattern) -%}
    {#- True when the whole text matches the regular expression `pattern`
        (a subset both engines read alike: classes, {m,n}, ?, |, groups; no
        backslashes), false when not, null for null. -#}
    {{ return(adapter.dispatch('matches_pattern', 'crm_marts')(expression, pattern)) }}
{%- endmacro %}

{% macro default__matches_pattern(expression, pattern) -%}
    regexp_full_match({{ expression }}, '{{ pattern }}')
{%- endmacro %}

{% macro spark__matches_pattern(expression, pattern) -%}
    {#- Java's $ also matches before a final line break; \z does not. -#}
    ({{ expression }} rlike '^(?:{{ pattern }})\\z')
{%- endmacro %}
