{% test expression_is_true(model, expression) %}
{#- Every row satisfies the boolean SQL `expression`; failing rows are returned. -#}
select *
from {{ model }}
where not ({{ expression }})
{% endtest %}
