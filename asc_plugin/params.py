"""One reader for numbers in query strings and forms, and one cleaner for posted form keys.

``str.isdigit()`` is true for "²" and "١٢", and ``int()`` raises on the first (and reads the
second as 12), so hand-written ``value.isdigit() and int(value)`` checks turned a superscript
into a 500. Here a number is ASCII digits only, of bounded length, within bounds; anything else
is the default. Shared by the plugin's views, the demo host and the sandbox.
"""

from __future__ import annotations

import re

from flask import request
from werkzeug.datastructures import ImmutableMultiDict, MultiDict

#: Plain ASCII digits, at most 10 of them (every id and page number fits a 32-bit int).
DIGITS = re.compile(r"[0-9]{1,10}")
INT_MAX = 2**31 - 1
#: Sub-form indexes in posted keys ("conditions-3-field"): WTForms' FieldList reads any
#: segment for which isdigit() holds as an index and calls int() on it.
INDEX_MAX_DIGITS = 4


def parse_int(value, default=None, *, min: int = 0, max: int = INT_MAX):  # noqa: A002
    """``value`` as an int when it is ASCII digits within [min, max]; else ``default``."""
    if not isinstance(value, str) or not DIGITS.fullmatch(value):
        return default
    number = int(value)
    return number if min <= number <= max else default


def query_int(name: str, default=None, *, min: int = 0, max: int = INT_MAX):  # noqa: A002
    """The request's query (or form) value ``name`` as a bounded int, else ``default``."""
    return parse_int(request.values.get(name), default, min=min, max=max)


def _index_ok(segment: str) -> bool:
    return not segment.isdigit() or (segment.isascii() and len(segment) <= INDEX_MAX_DIGITS)


def clean_keys(formdata):
    """The form data without keys a FieldList would choke on: a ``-``-separated segment that
    Python calls a digit but is not a short run of ASCII digits ("conditions-²-field",
    "conditions-١٢-value", "conditions-99999999-field"). Such keys come from no page of ours."""
    if formdata is None or all(_key_ok(key) for key in formdata):
        return formdata
    kept = MultiDict((key, value) for key, value in formdata.items(multi=True) if _key_ok(key))
    return ImmutableMultiDict(kept)


def _key_ok(key: str) -> bool:
    return all(_index_ok(segment) for segment in key.split("-"))
