"""Small pieces of markup every card repeats (a badge, a date, the connect button), as functions.

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

    #: A page shows a handful of distinct badges many times: each is built once per render.
    made: dict = {}

    def badge(label_and_tone, prefix=None) -> Markup:
        label, tone = label_and_tone
        key = (label.__class__, label, tone, prefix.__class__, prefix)  # Markup is not str
        shown = made.get(key)
        if shown is None:
            hidden = (Markup('<span class="asc-visually-hidden">%s%s</span>') % (prefix, space)
                      if prefix else "")
            shown = made[key] = Markup(
                '<span class="asc-badge asc-tone-%s"><span aria-hidden="true" '
                'class="asc-icon">%s</span>%s%s</span>') % (tone, ICONS[tone], hidden, label)
        return shown

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


def connect_button_renderer(field_name: str, token, now: int):
    """connect_button(card, label, fragment="card", csrf=None, primary=True).

    Leaving for Amazon is a real form navigation: with JS, Seller Central opens in a new tab
    while the card (fragment="card") or the dashboard's panel (fragment="panel") waits and
    polls; without JS, or from a table row (fragment="none"), this tab goes and comes back to
    where it started.
    """

    def connect_button(card, label, fragment="card", csrf=None, primary=True) -> Markup:
        urls = card.urls
        wait = ""
        if fragment != "none":
            target = f"asc-store-{int(card.store.id)}" if fragment == "card" else "asc-connection"
            wait = _CONNECT_WAIT % (target, urls["connect_status"], fragment, now)
        return _CONNECT_FORM % {
            "action": urls["connect"], "wait": wait, "field": field_name,
            "token": csrf or token(), "return_to": "dashboard" if fragment == "panel" else "home",
            "primary": _PRIMARY if primary else "", "label": label, "name": card.store.name}

    return connect_button


_CONNECT_FORM = Markup(
    '<form method="post" action="%(action)s"%(wait)s>\n'
    '  <input type="hidden" name="%(field)s" value="%(token)s">\n'
    '  <input type="hidden" name="new_tab" value="0">\n'
    '  <input type="hidden" name="return_to" value="%(return_to)s">\n'
    '  <button type="submit"%(primary)s>%(label)s<span class="asc-visually-hidden"> %(name)s'
    '</span></button>\n</form>')
_CONNECT_WAIT = Markup(' data-asc-connect data-asc-target="%s"\n      data-asc-wait-url="%s'
                       '?fragment=%s&amp;since=%s"')
_PRIMARY = Markup(' class="asc-primary"')
