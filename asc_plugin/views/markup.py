"""Small pieces of markup every card repeats (a badge, a date, the connect button), as functions.

A page of store cards shows each of them several times per card; a Jinja macro call costs
several times what a function call does, and these were most of the home page's rendering.
The macros of the same name in ``_macros.html`` call these, so the markup has one source.
"""

from __future__ import annotations

from markupsafe import Markup, escape


def html(template: str, *values) -> Markup:
    """Markup from a literal template and values, each value escaped here.

    Twice as fast as ``Markup(template) % values`` (which escapes through a wrapper object per
    value), and a page of cards makes about a hundred of these.
    """
    return Markup(template % tuple(map(escape, values)))  # noqa: S704 - values escaped above


#: tone -> an icon that says the same as the colour.
ICONS = {"success": "✓", "info": "ℹ", "warning": "!", "error": "✕", "muted": "–"}


def badge_renderer(space: str):
    """badge((label, tone), prefix=None): the tone said with an icon too, not with colour alone;
    the prefix ("Status:") for screen readers only."""

    #: A page shows a handful of distinct badges many times: each is built once per render.
    made: dict = {}

    def badge(label_and_tone, prefix=None) -> Markup:
        label, tone = label_and_tone
        key = (label.__class__, label, tone, prefix.__class__, prefix)  # Markup is not str
        shown = made.get(key)
        if shown is None:
            hidden = (html('<span class="asc-visually-hidden">%s%s</span>', prefix, space)
                      if prefix else "")
            shown = made[key] = html('<span class="asc-badge asc-tone-%s"><span aria-hidden="true" '
                                     'class="asc-icon">%s</span>%s%s</span>',
                                     tone, ICONS[tone], hidden, label)
        return shown

    return badge


def when_renderer(format_day, format_when, exact_utc):
    """when(moment, date_only=False): in the admin's time zone, without seconds; the exact UTC
    instant on hover; a dash for none."""

    #: Each day's text, escaped once per render: a page of cards shows a few days many times.
    days: dict[str, str] = {}

    def when(moment, date_only=False) -> Markup:
        if not moment:
            return Markup("—")
        if date_only:
            day = format_day(moment)
            shown = days.get(day)
            if shown is None:
                shown = days[day] = str(escape(day))
        else:
            shown = str(escape(format_when(moment)))
        # isoformat() and exact_utc() write digits, "-", ":", ".", "+", "T", " " and "UTC"
        # only: nothing to escape there.
        return Markup(f'<time datetime="{moment.isoformat()}" title="{exact_utc(moment)}">'  # noqa: S704
                      f"{shown}</time>")

    return when


def connect_button_renderer(field_name: str, token, now: int):
    """connect_button(card, label, fragment="card", csrf=None, primary=True).

    Leaving for Amazon is a real form navigation: with JS, Seller Central opens in a new tab
    while the card (fragment="card") or the dashboard's panel (fragment="panel") waits and
    polls; without JS, or from a table row (fragment="none"), this tab goes and comes back to
    where it started.
    """

    field = escape(field_name)
    since = escape(now)

    def connect_button(card, label, fragment="card", csrf=None, primary=True) -> Markup:
        urls = card.urls
        wait = ""
        if fragment != "none":
            target = f"asc-store-{int(card.store.id)}" if fragment == "card" else "asc-connection"
            wait = (f' data-asc-connect data-asc-target="{target}"\n      data-asc-wait-url="'
                    f'{escape(urls["connect_status"])}?fragment={escape(fragment)}&amp;since={since}"')
        return Markup(  # noqa: S704 - every value below is escaped or a constant
            f'<form method="post" action="{escape(urls["connect"])}"{wait}>\n'
            f'  <input type="hidden" name="{field}" value="{escape(csrf or token())}">\n'
            '  <input type="hidden" name="new_tab" value="0">\n'
            '  <input type="hidden" name="return_to" value="'
            f'{"dashboard" if fragment == "panel" else "home"}">\n'
            f'  <button type="submit"{_PRIMARY if primary else ""}>{escape(label)}'
            f'<span class="asc-visually-hidden"> {escape(card.store.name)}</span></button>\n'
            '</form>')

    return connect_button


_PRIMARY = Markup(' class="asc-primary"')
