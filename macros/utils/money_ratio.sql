{% macro money_ratio(amount, count) -%}
    {#- amount / count to the cent, half away from zero, worked out on whole
        cents so that it is exact and the same on every engine: DuckDB divides
        decimals in double precision (477.795 can round to 477.79), Spark
        rounds a decimal quotient to 6 places first. amount: money with at
        most 2 decimals; count: a positive integer (0 or null: null). A
        decimal with 2 places. -#}
    {%- set cents = 'cast(round(abs(' ~ amount ~ ') * 100, 0) as bigint)' -%}
    {%- set divisor = 'nullif(cast(' ~ count ~ ' as bigint), 0)' -%}
    cast(
        case when {{ amount }} < 0 then -1 else 1 end
        * {{ integer_divide(cents ~ ' * 2 + ' ~ divisor, divisor ~ ' * 2') }}
        as decimal(38, 0)
    ) * 0.01
{%- endmacro %}
