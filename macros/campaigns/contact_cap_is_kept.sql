{% macro contact_cap_is_kept(message_number, cap_messages, cap_days) -%}
    {#- Whether a customer's message_number-th message (in cap priority order)
        keeps its slot, given the decisions on the messages before it: the
        columns day_1 .. day_<message_number> (send days as integers, null
        past the customer's last message), is_kept_j and window_count_j for
        the messages j before it (window_count_j: kept messages in the
        cap_days days from day_j on, j included; read only when j is kept).
        Kept when no kept message shares its day and no window of cap_days
        days containing it already holds cap_messages kept ones. The
        heaviest such window starts at the day itself or at a kept day less
        than cap_days before it, so only those are checked. A boolean
        expression over one row, its size linear in message_number. -#}
    {%- set day = 'day_' ~ message_number %}
    (
        {{ day }} is not null
        {%- for other in range(1, message_number) %}
        and not (is_kept_{{ other }} and day_{{ other }} = {{ day }})
        and not (
            is_kept_{{ other }}
            and day_{{ other }} < {{ day }}
            and day_{{ other }} > {{ day }} - {{ cap_days }}
            and window_count_{{ other }} >= {{ cap_messages }}
        )
        {%- endfor %}
        and (
            0
            {%- for other in range(1, message_number) %}
            + case
                when
                    is_kept_{{ other }}
                    and day_{{ other }} >= {{ day }}
                    and day_{{ other }} < {{ day }} + {{ cap_days }}
                    then 1
                else 0
            end
            {%- endfor %}
        ) < {{ cap_messages }}
    )
{%- endmacro %}
