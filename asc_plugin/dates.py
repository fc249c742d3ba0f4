"""Dates and times as the admin reads them: their language, their time zone, no seconds.

The time zone is the host's Flask-Babel timezone selector's inside a request (when the host runs
Flask-Babel), else ``ASC_TIMEZONE``. Templates also get the exact UTC time for a hover title.
"""

from __future__ import annotations

from datetime import datetime, timezone, tzinfo
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from babel import dates
from flask import current_app, g, has_app_context, has_request_context

from .i18n import current_locale


def current_timezone() -> tzinfo:
    if not has_app_context():
        return timezone.utc
    if has_request_context():
        cached = g.get("_asc_timezone")
        if cached is not None:
            return cached
        if "babel" in current_app.extensions:
            from flask_babel import get_timezone  # optional: Flask-Babel

            zone = get_timezone() or timezone.utc
        else:
            zone = configured_timezone()
        g._asc_timezone = zone
        return zone
    return configured_timezone()


def configured_timezone() -> tzinfo:
    name = current_app.config.get("ASC_TIMEZONE") or "UTC"
    try:
        return ZoneInfo(name)
    except (ZoneInfoNotFoundError, ValueError):
        return timezone.utc


def exact_utc(moment: datetime) -> str:
    """The precise instant, for a hover title: 2026-11-28 01:17:29 UTC."""
    return moment.astimezone(timezone.utc).strftime("%Y-%m-%d %H:%M:%S UTC")


def formatters():
    """(day, date-and-time) formatters bound once per render to the reader's locale and zone.

    Babel looks locale data up on every call; a page of cards makes dozens of calls.
    """
    locale, zone = current_locale(), current_timezone()
    pattern = str(dates.get_datetime_format("medium", locale=locale))  # "{1}, {0}"
    #: Days already formatted in this render: a page of cards shows a few days many times.
    days: dict = {}

    def day(moment: datetime) -> str:
        local = moment.astimezone(zone).date()
        text = days.get(local)
        if text is None:
            text = days[local] = dates.format_date(local, "medium", locale=locale)
        return text

    def when(moment: datetime) -> str:
        local = moment.astimezone(zone)
        text = pattern.format(dates.format_time(local, "short", locale=locale),
                              dates.format_date(local, "medium", locale=locale))
        return f"{text} {local.strftime('%Z')}"

    return day, when
