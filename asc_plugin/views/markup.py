"""Small pieces of markup every card repeats (a badge, a date), as functions.

A page of store cards shows each of them several times per card; a Jinja macro call costs
several times what a function call does, and these were most of the home page's rendering.
The macros of the same name in ``_macros.html`` call these, so the markup has one source.
"""

from __future__ import annotations

from markupsafe import Markup

#: tone -> an icon that says the same as the colour.
ICONS = {"success": "✓", "info": "ℹ", "warning": "!", "error": "✕", "muted": "–"}


def badge_renderer(space: str):
    """badge((label, tone), prefix=None): the tone said with an icon too, not with colour alone;
    the prefix ("Status:") for screen readers only."""

    def badge(label_and_tone, prefix=None) -> Markup:
        label, tone = label_and_tone
        hidden = (Markup('<span class="asc-visually-hidden">%s%s</span>') % (prefix, space)
                  if prefix else "")
        return Markup('<span class="asc-badge asc-tone-%s"><span aria-hidden="true" '
                      'class="asc-icon">%s</span>%s%s</span>') % (tone, ICONS[tone], hidden, label)

    return badge


def when_renderer(format_day, format_when, exact_utc):
    """when(moment, date_only=False): in the admin's time zone, without seconds; the exact UTC
    instant on hover; a dash for none."""

    def when(moment, date_only=False) -> Markup:
        if not moment:
            return Markup("—")
        return Markup('<time datetime="%s" title="%s">%s</time>') % (
            moment.isoformat(), exact_utc(moment),
            format_day(moment) if date_only else format_when(moment))

    return when
