{% macro contact_cap_is_kept(message_number, cap_messages, cap_days) -%}
    {#- Whether a customer's message_number-th message (in cap priority order)
        keeps its slot, given the decisions on the messages before it: the
        columns day_1 .. day_<message_number> (send days as integers, null
        past the customer's last message) and is_kept_1 ..
        is_kept_<message_number - 1>. Kept when no kept message shares its
        day and every window of cap_days days containing it holds fewer than
        cap_messages kept ones; the heaviest such window starts at the day
        itself or at a kept day less than cap_days before it, so only those
        starts are checked (a start that is not one counts nothing). A plain boolean expression over one row, so a
        chain of CTEs, one per message, stays linear in the query plan. -#}
    {%- set day = 'day_' ~ message_number %}
    {%- set earlier = range(1, message_number) | list %}
    {%- set window_starts = [day] %}
    {%- for other in earlier %}
        {%- do window_starts.append(
            'case when is_kept_' ~ other ~ ' and day_' ~ other ~ ' < ' ~ day
            ~ ' and day_' ~ other ~ ' > ' ~ day ~ ' - ' ~ cap_days
            ~ ' then day_' ~ other ~ ' end'
        ) %}
    {%- endfor %}
    (
        {{ day }} is not null
        {%- for other in earlier %}
        and not (is_kept_{{ other }} and day_{{ other }} = {{ day }})
        {%- endfor %}
        {%- for window_start in window_starts %}
        and (
            0
            {%- for other in earlier %}
            + case
                when
                    is_kept_{{ other }}
                    and day_{{ other }} >= {{ window_start }}
                    and day_{{ other }} < {{ window_start }} + {{ cap_days }}
                    then 1
                else 0
            end
            {%- endfor %}
        ) < {{ cap_messages }}
        {%- endfor %}
    )
{%- endmacro %}
