{% macro bg_nbd_probability_alive(r, alpha, a, b, frequency, recency, age) -%}
    {#- BG/NBD P(alive | x, t_x, T) = 1 / (1 + a / (b + x - 1)
        * ((alpha + T) / (alpha + t_x))^(r + x)) for x > 0, 1 for x = 0 (a
        customer drops out only right after a purchase). The logistic of the
        log-odds, written so that exp never overflows. A double; null when
        the parameters are null. -#}
    {%- set log_odds -%}
        (
            ln({{ a }} / ({{ b }} + greatest({{ frequency }}, 1) - 1))
            + ({{ r }} + {{ frequency }})
            * ln(({{ alpha }} + {{ age }}) / ({{ alpha }} + {{ recency }}))
        )
    {%- endset -%}
    case
        when {{ r }} is null then null
        when {{ frequency }} = 0 then 1.0
        when {{ log_odds }} > 0
            then exp(-{{ log_odds }}) / (1 + exp(-{{ log_odds }}))
        else 1 / (1 + exp({{ log_odds }}))
    end
{%- endmacro %}
