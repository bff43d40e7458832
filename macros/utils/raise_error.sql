{% macro raise_error(message) -%}
    {#- A SQL expression that fails the running statement with message (a
        text expression) when it is evaluated; wrap it in a case so that it
        only is when a check fails. Its type is null: the case takes the type
        of its other branches. -#}
    {{ return(adapter.dispatch('raise_error', 'crm_marts')(message)) }}
{%- endmacro %}

{% macro default__raise_error(message) -%}
    error({{ message }})
{%- endmacro %}

{% macro spark__raise_error(message) -%}
    raise_error({{ message }})
{%- endmacro %}
